import { Then, When } from '@cucumber/cucumber';
import { objectBody, Inconclusive } from './support/client';
import { readBack } from './support/checks';
import type { Exchange } from './support/exchange';
import { show } from './support/expect';
import { jsonMediaTypeProblem } from './support/media';
import { forgeToken, invalidToken } from './support/taa/client';
import { applicationsUrl, hasBearerChallenge, taaAccounts, tokenOf, unknownEndpointId } from './support/taa-checks';
import type { ConformanceWorld, Role } from './support/world';

const TOKEN_RESPONSE = 'urn:ucwa-conformance:taa-token-response:1';
const TOKEN_ERROR = 'urn:ucwa-conformance:token-error:1';

type Credentials = 'no Authorization header' | 'an invalid bearer token' | 'a forged token';
const CREDENTIALS: readonly Credentials[] = ['no Authorization header', 'an invalid bearer token', 'a forged token'];

/** The `auth` of a request made with bad credentials of one kind, for `role`'s account. */
async function badAuth(w: ConformanceWorld, role: Role, kind: Credentials): Promise<'none' | { bearer: string }> {
  if (kind === 'no Authorization header') return 'none';
  if (kind === 'an invalid bearer token') return { bearer: invalidToken() };
  return { bearer: await forgeToken(w.pair[role], w.target) };
}

/** ⟨applications⟩ of the caller: its open session's, else read with a token of its own. */
async function callerApplicationsUrl(w: ConformanceWorld): Promise<string> {
  const s = w.app('caller') as { applicationsUrl?: string };
  return s.applicationsUrl ?? applicationsUrl(w, await tokenOf(w, w.pair.caller, 'caller'), 'caller');
}

/** TAUTH-1: the applications GET with the caller's endpointId, a GET of its invitation and a POST on its cancel. */
async function refusedTrio(w: ConformanceWorld, kind: Credentials): Promise<Exchange[]> {
  const apps = await callerApplicationsUrl(w);
  await w.readInvitation('caller');
  const t = w.invitation('caller');
  if (!t.remembered.cancel) throw new Inconclusive("prerequisite MI-13 failed: the caller's invitation offers no cancel link");
  const app = w.app('caller');
  const auth = await badAuth(w, 'caller', kind);
  return [
    await w.taaClient.applications(apps, w.pair.caller.uri, 'caller', auth === 'none' ? undefined : auth.bearer),
    await app.get(t.url, { auth }),
    await app.post(t.remembered.cancel, { auth }),
  ];
}

When('the caller reads its applications, reads its invitation and cancels it with {}', async function (this: ConformanceWorld, kind: string) {
  if (kind === 'each kind of bad credentials') {
    const all: Exchange[] = [];
    for (const k of CREDENTIALS) all.push(...(await refusedTrio(this, k)));
    this.kept.set('unauthenticated', all);
    return;
  }
  if (!CREDENTIALS.includes(kind as Credentials)) throw new Error(`suite defect: unknown credentials ${kind}`);
  this.kept.set('unauthenticated', await refusedTrio(this, kind as Credentials));
});

Then('every one of those requests is answered 401 with a WWW-Authenticate header', function (this: ConformanceWorld) {
  const xs = this.kept.get('unauthenticated') ?? [];
  if (!xs.length) throw new Error('suite defect: no request was kept');
  for (const x of xs) {
    this.check(this.req, x.status === 401, `${x.method} ${x.url} answered 401`, `${x.status ?? x.error}`, [x]);
    this.check(this.req, x.responseHeaders['www-authenticate'] !== undefined, `a WWW-Authenticate header on the 401 to ${x.method}`, 'absent', [x]);
  }
});

Then('every 401 answer carries a challenge of scheme Bearer', function (this: ConformanceWorld) {
  const xs = (this.kept.get('unauthenticated') ?? []).filter((x) => x.status === 401);
  if (!xs.length) throw new Inconclusive('prerequisite TAUTH-1 failed: none of the requests with bad credentials was answered 401');
  for (const x of xs) this.check('TAUTH-2', hasBearerChallenge(x), `a WWW-Authenticate challenge of scheme Bearer on the 401 to ${x.method} ${x.url}`, show(x.responseHeaders['www-authenticate']), [x]);
});

When('the caller sends an applications GET with an unknown endpointId without a token', async function (this: ConformanceWorld) {
  const apps = await callerApplicationsUrl(this);
  this.last = await this.taaClient.applications(apps, unknownEndpointId(this.pair.caller), 'caller', undefined);
});

When("each side reads and answers the other side's invitation with its own token", async function (this: ConformanceWorld) {
  await Promise.all([this.readInvitation('caller'), this.readInvitation('callee')]);
  const out = this.invitation('caller');
  const inc = this.invitation('callee');
  if (!out.remembered.cancel) throw new Inconclusive("prerequisite MI-13 failed: the caller's invitation offers no cancel link");
  if (!inc.remembered.decline) throw new Inconclusive("prerequisite MI-12 failed: the callee's invitation offers no decline link");
  this.kept.set('unauthenticated', [
    await this.app('callee').get(out.url),
    await this.app('callee').post(out.remembered.cancel),
    await this.app('caller').get(inc.url),
    await this.app('caller').post(inc.remembered.decline),
  ]);
});

Then('both invitations still read back as Connecting', async function (this: ConformanceWorld) {
  for (const role of ['caller', 'callee'] as const) {
    const b = await readBack(this, role, this.req);
    this.check(this.req, b.state === 'Connecting', `the ${role}'s invitation still Connecting: the requests with the other transport's token had no effect`, show(b.state));
  }
});

// ---- TAUTH-5, TAUTH-6: the target's token endpoint ----

When('each TAA account with a client secret asks the token endpoint for a client-credentials token', async function (this: ConformanceWorld) {
  const grants: Exchange[] = [];
  for (const { where, account } of taaAccounts(this.target)) if (account.clientSecret !== undefined) grants.push(await this.taaClient.grant(account, where));
  if (!grants.length) throw new Inconclusive('no TAA account of the target has a clientSecret (all use ready tokens)');
  this.kept.set('grants', grants);
});

Then('every token response carries a bearer access token with a positive expiry', function (this: ConformanceWorld) {
  for (const x of this.kept.get('grants') ?? []) {
    const b = objectBody(x);
    const token = b?.access_token;
    if (typeof token === 'string' && token) this.issuedTokens.push(token);
    this.check('TAUTH-5', x.status === 200 && !!b && !jsonMediaTypeProblem(x), `200 with an application/json object for the grant of ${x.who}`, `${x.status ?? x.error} ${jsonMediaTypeProblem(x) ?? ''}`, [x]);
    this.checkSchema('TAUTH-5', TOKEN_RESPONSE, b, [x]);
  }
});

Then('every granted token reads the platform discovery document', async function (this: ConformanceWorld) {
  for (const x of this.kept.get('grants') ?? []) {
    const token = objectBody(x)?.access_token as string;
    const d = await this.taaClient.discover(x.who, token);
    this.check('TAUTH-5', d.status === 200 && !!this.taaClient.applicationsLink(d), `the token granted to ${x.who} reads the discovery document (TDISC-1)`, `${d.status ?? d.error}`, [x, d]);
  }
});

When('the caller asks the token endpoint for a client-credentials token with a wrong client secret', async function (this: ConformanceWorld) {
  // The caller's secret + "x" (once per run); a caller with a ready token lends the first TAA account with a secret.
  const withSecret = this.pair.caller.clientSecret !== undefined ? { where: 'caller', account: this.pair.caller } : taaAccounts(this.target).find(({ account }) => account.clientSecret !== undefined);
  if (!withSecret) throw new Inconclusive('every TAA account uses a ready token');
  this.last = await this.taaClient.grant(withSecret.account, withSecret.where, `${withSecret.account.clientSecret ?? ''}x`);
});

Then('the token endpoint refuses the client with 400 or 401, an error string and no access token', function (this: ConformanceWorld) {
  const x = this.last!;
  const b = objectBody(x);
  this.check('TAUTH-6', (x.status === 400 || x.status === 401) && !!b, '400 or 401 with a JSON object', `${x.status ?? x.error} ${show(x.responseBody)}`);
  this.check('TAUTH-6', typeof b?.error === 'string' && b.error !== '', 'an error string (invalid_client recommended)', show(b?.error));
  this.checkSchema('TAUTH-6', TOKEN_ERROR, b);
  if (b?.error !== 'invalid_client') this.log(`TAUTH-6: error ${show(b?.error)}; RFC 6749 §5.2 names invalid_client for a wrong client secret`);
});
