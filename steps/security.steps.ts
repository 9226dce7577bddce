import { Given, Then, When } from '@cucumber/cucumber';
import { Inconclusive, objectBody } from './support/client';
import { checkForeignRefusal } from './support/taa-checks';
import { awaitPending, currentHref, extras, openFixtureChannels } from './support/event-probes';
import { faultyBody } from './support/errors';
import { probeUrl } from './support/links';
import { unique } from './support/values';
import { mentions, plainHttpUrls, secretLeaks } from './support/security';
import type { ConformanceWorld } from './support/world';
import { EVENT_WAIT_MS } from './support/timing';

const ROLES = ['caller', 'callee'] as const;

When("the callee reads the caller's invitation and invitations that do not exist", async function (this: ConformanceWorld) {
  const url = this.invitation('caller').url;
  this.labelled.set('foreign', await this.app('callee').get(url));
  this.labelled.set('probe as the callee', await this.app('callee').get(probeUrl(url)));
  this.labelled.set('probe as the caller', await this.app('caller').get(probeUrl(url)));
});

Then('the answer to the callee has the same status, code and subcode as for a nonexistent invitation', function (this: ConformanceWorld) {
  const outcome = (label: string) => {
    const x = this.labelled.get(label)!;
    const b = objectBody(x);
    return { x, key: `${x.status ?? x.error} ${String(b?.code)} / ${b?.subcode === undefined ? 'None' : String(b.subcode)}` };
  };
  const foreign = outcome('foreign');
  // TAA endpoints of different applications (D47): 403 or 404 ApplicationNotFound/None, compared with the probe URL
  // read by the same endpoint (the owner's own probe may answer otherwise: its endpoint exists).
  if (this.isTaa('callee')) checkForeignRefusal(this, 'SEC-1', foreign.x, ['ApplicationNotFound', 'None']);
  for (const label of this.isTaa('callee') ? ['probe as the callee'] : ['probe as the callee', 'probe as the caller']) {
    const probe = outcome(label);
    this.check('SEC-1', foreign.key === probe.key, `the callee's GET of the caller's invitation answered like the ${label} of a nonexistent one: ${probe.key}`, foreign.key, [foreign.x, probe.x]);
  }
});

Given('each declared fixture user listens on an event channel of its own', async function (this: ConformanceWorld) {
  if ((await openFixtureChannels(this)) === 0) this.log('SEC-2: the target declares no fixture users; their part is skipped');
});

Then("neither channel mentions the other side's invitation", function (this: ConformanceWorld) {
  for (const [role, otherRole] of [['caller', 'callee'], ['callee', 'caller']] as const)
    for (const m of mentions(this.channel(role), [this.invitation(otherRole).url]))
      this.check('SEC-2', false, `the ${role}'s channel never mentions the ${otherRole}'s invitation`, m.what, [m.batch.exchange]);
});

Then("no fixture user's channel mentions the caller's or the callee's invitation", async function (this: ConformanceWorld) {
  const urls = ROLES.map((r) => this.invitation(r).url);
  for (const { name, channel } of extras(this).fixtureChannels) {
    if (channel.failure) throw new Inconclusive(`the fixture ${name}'s channel stopped: ${channel.failure}`, channel.failureExchange);
    for (const m of mentions(channel, urls, [this.threadId]))
      this.check('SEC-2', false, `the fixture ${name}'s channel never mentions the caller's or the callee's invitation`, m.what, [m.batch.exchange]);
  }
});

When(/^the callee requests the caller's (application|event channel) with its own token$/, async function (this: ConformanceWorld, resource: string) {
  // the P-GET channel is UCWA's: over TAA only the application is requested (its events arrive as callbacks)
  const ch = this.isTaa('caller') && resource === 'application' ? undefined : this.ucwaChannel('caller');
  if (ch) await awaitPending(ch);
  const url = resource === 'application' ? this.app('caller').url : ch ? currentHref(ch) : undefined;
  if (!url) throw new Inconclusive("the caller's channel gave no continuation href");
  const batchesBefore = this.channel('caller').batches.length;
  this.last = await this.app('callee').get(url, { timeoutMs: 5000 });
  extras(this).foreign = { exchange: this.last, batchesBefore };
});

Then("the caller's pending event request still delivers its next event", async function (this: ConformanceWorld) {
  const { batchesBefore } = extras(this).foreign!;
  const ch = this.channel('caller');
  const x = await this.startMessaging(this.defaultStartMessaging());
  if (x.status !== 201) throw new Inconclusive(`prerequisite SM-1 failed: startMessaging answered ${x.status ?? x.error}`, x);
  const url = this.invitation('caller').url;
  await this.waitEvent('SEC-3', () => ch.waitForInvitationEvent(url, 'started', EVENT_WAIT_MS)).catch((e: unknown) => {
    if (!(e instanceof Inconclusive) || !ch.failureExchange) throw e;
  });
  const pending = ch.batches[batchesBefore]?.exchange ?? ch.failureExchange;
  this.check('SEC-3', pending?.status === 200, "the caller's P-GET pending during the callee's request answered 200", `${pending?.status ?? pending?.error ?? 'no answer'}`, [pending]);
  this.check('SEC-3', ch.events.some((e) => e.batch === batchesBefore + 1), "the caller's pending P-GET answered with the next event", ch.describe() || 'an empty batch', [pending]);
});

When('the caller makes requests that are refused with 400, 404, 405, 409 and 410, with its token', async function (this: ConformanceWorld) {
  // Error responses with a valid token, so that an error body echoing the request (debugInfo, say) is seen. Their
  // statuses are other requirements' business (ERR-2, ERR-6, ERR-14, ERR-4, ERR-5); SEC-4 reads what they reveal.
  const app = this.app('caller');
  const url = this.invitation('caller').url;
  const made = [
    await app.startMessaging(undefined, faultyBody('malformed JSON', { to: this.pair.callee.uri, threadId: unique('refused-') })),
    await app.get(probeUrl(url)),
    await app.user.request('PUT', url, { body: {} }),
    await app.startMessaging(undefined, faultyBody('text/plain', { ...this.defaultStartMessaging(), threadId: unique('refused-') })),
  ];
  const accept = this.invitations.get('callee')?.remembered.accept;
  if (accept) made.push(await this.app('callee').post(accept));
  this.log(`SEC-4 refusals: ${made.map((x) => `${x.method} → ${x.status ?? x.error}`).join(', ')}`);
});

Then('no response other than a token response contains a password or bearer token', function (this: ConformanceWorld) {
  for (const leak of secretLeaks(this))
    this.check('SEC-4', false, 'no password or issued token in any response but the token response', `${leak.label} in the ${leak.where} of the response to ${leak.exchange.method} ${leak.exchange.url}`, [leak.exchange]);
});

Then('the discovery URL and every URL the target gave use https', function (this: ConformanceWorld) {
  const plain = plainHttpUrls(this);
  const shown = plain.slice(0, 5).map((p) => p.url).join(', ');
  this.check('SEC-5', plain.length === 0, 'https for discoveryUrl and every href', `${plain.length} plain-http URLs, e.g. ${shown}`, plain.slice(0, 3).map((p) => p.exchange));
});
