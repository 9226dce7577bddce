import { Then, When } from '@cucumber/cucumber';
import { header, Inconclusive, objectBody } from './support/client';
import { rel } from './support/dialect';
import type { Exchange } from './support/exchange';
import { show } from './support/expect';
import { hasLink, resolveHref } from './support/links';
import type { TaaExchange } from './support/taa/client';
import { taaAccounts, tokenOf } from './support/taa-checks';
import { cancelAsPrerequisite } from './support/cancelling';
import type { ConformanceWorld } from './support/world';

const DISCOVER_SCHEMA = 'urn:ucwa-conformance:taa-discover:1';

/** The discovery answers of the scenario, one per TAA account, by where the account is declared. */
function discovered(w: ConformanceWorld): { where: string; x: TaaExchange }[] {
  const kept = w.kept.get('discovery') as TaaExchange[] | undefined;
  if (!kept) throw new Error('suite defect: the discovery documents were not read');
  return kept.map((x) => ({ where: x.who, x }));
}

When('each TAA account reads the platform discovery document with its token', async function (this: ConformanceWorld) {
  const out: Exchange[] = [];
  for (const { where, account } of taaAccounts(this.target)) {
    const token = await tokenOf(this, account, where);
    out.push(await this.taaClient.discover(where, token));
  }
  if (!out.length) throw new Inconclusive('the target description has no TAA account');
  this.kept.set('discovery', out);
});

Then('every discovery document links the applications resource', function (this: ConformanceWorld) {
  for (const { where, x } of discovered(this)) {
    const body = objectBody(x);
    this.check('TDISC-1', x.status === 200 && !!body, `200 with a JSON object for the discovery document read by ${where}`, `${x.status ?? x.error}${x.redirectProblem ? ` (${x.redirectProblem})` : ''}`, [x]);
    this.check('TDISC-1', !!this.taaClient.applicationsLink(x), `_links["${rel(this.prefix, 'applications')}"] (the prefixed key; a bare "applications" is not it)`, show(body?._links), [x]);
    this.checkSchema('TDISC-1', DISCOVER_SCHEMA, body, [x]);
  }
});

Then('every discovery document has a self link and the discover rel', function (this: ConformanceWorld) {
  for (const { where, x } of discovered(this)) {
    const body = objectBody(x);
    if (x.status !== 200 || !body) throw new Inconclusive(`prerequisite TDISC-1 failed: the discovery document read by ${where} answered ${x.status ?? x.error}`, x);
    this.check('TDISC-2', hasLink(body, this.prefix, 'self'), '_links.self on the discovery document', show(body._links), [x]);
    this.check('TDISC-2', body.rel === rel(this.prefix, 'discover'), `rel ${rel(this.prefix, 'discover')}`, show(body.rel), [x]);
  }
});

When('the caller cancels its invitation', async function (this: ConformanceWorld) {
  await cancelAsPrerequisite(this);
  await this.completed('caller');
});

Then('every redirect a TAA request met was a 307 or 308 with a Location, at most three in a row', function (this: ConformanceWorld) {
  const taaSide = (who: string) => (['caller', 'callee'] as const).some((r) => this.pair[r].transport === 'taa' && who.startsWith(r));
  const redirects = this.client.exchanges.filter((x) => x.status !== undefined && x.status >= 300 && x.status < 400 && taaSide(x.who));
  for (const x of redirects) {
    this.check('TDISC-3', x.status === 307 || x.status === 308, 'a redirect of a TAA request answered 307 or 308', `${x.status}`, [x]);
    this.check('TDISC-3', !!x.responseHeaders.location, `a Location on the ${x.status}`, 'absent', [x]);
  }
  // Chains as the TAA client followed them: each 307/308 is followed by the same method on its resolved Location.
  const xs = this.client.exchanges;
  const followed = new Set<Exchange>();
  for (const [i, first] of xs.entries()) {
    if ((first.status !== 307 && first.status !== 308) || followed.has(first) || !taaSide(first.who)) continue;
    const chain: Exchange[] = [first];
    let x = first;
    for (let k = i + 1; k < xs.length; k++) {
      const y = xs[k] as Exchange;
      if (y.who !== x.who || y.method !== x.method || y.url !== resolveHref(header(x, 'location'), x.url)) continue;
      chain.push(y);
      followed.add(y);
      x = y;
      if (y.status !== 307 && y.status !== 308) break;
    }
    const hops = chain.length - 1;
    const final = chain[chain.length - 1] as Exchange;
    this.check('TDISC-3', hops <= 3 && final.status !== 307 && final.status !== 308, 'a redirect chain of at most 3 hops of 307/308, without a loop, ending in an answer that is no redirect', `${hops} hop(s), the last answered ${final.status ?? final.error}`, chain);
  }
  this.log(`TDISC-3: ${redirects.length} redirect(s) of TAA requests seen in this scenario`);
});
