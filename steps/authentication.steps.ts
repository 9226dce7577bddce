import { Then, When } from '@cucumber/cucumber';
import { Inconclusive, objectBody } from './support/client';
import { readBack } from './support/checks';
import { show } from './support/expect';
import { probeUrl } from './support/links';
import { jsonMediaTypeProblem } from './support/media';
import { unique } from './support/values';
import { type ConformanceWorld } from './support/world';

When('the caller signs in with a wrong password', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  this.last = await u.passwordGrant(u.account.username ?? '', `${u.account.password ?? ''}x`);
});

When('the caller asks for a token with an unknown grant type', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  if (!u.tokenUrl) throw new Inconclusive('prerequisite DISC-2 failed: no token endpoint');
  this.last = await u.request('POST', u.tokenUrl, { rawBody: 'grant_type=urn:example:unknown', contentType: 'application/x-www-form-urlencoded', auth: 'none' });
});

function checkTokenError(w: ConformanceWorld, error?: string): void {
  const x = w.last!;
  const b = objectBody(x);
  w.check(w.req, x.status === 400 && !!b && !jsonMediaTypeProblem(x), '400 with an application/json object', `${x.status ?? x.error} ${jsonMediaTypeProblem(x) ?? ''}`);
  w.check(w.req, error === undefined ? typeof b?.error === 'string' && b.error !== '' : b?.error === error, `error ${error ?? 'a non-empty string'}`, b?.error);
  w.checkSchema(w.req, 'urn:ucwa-conformance:token-error:1', b);
}

Then('the token endpoint refuses the grant with 400 and an error string', function (this: ConformanceWorld) {
  checkTokenError(this);
});

Then('the token endpoint refuses the grant with 400 and error {string}', function (this: ConformanceWorld, error: string) {
  checkTokenError(this, error);
});

async function readAndCancel(w: ConformanceWorld, auth: 'none' | { bearer: string }): Promise<void> {
  await w.readInvitation('caller');
  const t = w.invitation('caller');
  if (!t.remembered.cancel) throw new Inconclusive("prerequisite MI-13 failed: the caller's invitation offers no cancel link");
  const app = w.app('caller');
  w.kept.set('unauthenticated', [await app.get(t.url, { auth }), await app.post(t.remembered.cancel, { auth })]);
}

When('the caller reads and cancels its invitation with no Authorization header', async function (this: ConformanceWorld) {
  await readAndCancel(this, 'none');
});

When('the caller reads and cancels its invitation with a bearer token the server never issued', async function (this: ConformanceWorld) {
  await readAndCancel(this, { bearer: unique('invalid-') });
});

Then('both requests are answered 401 with a WWW-Authenticate challenge', function (this: ConformanceWorld) {
  for (const x of this.kept.get('unauthenticated') ?? []) {
    this.check(this.req, x.status === 401, `${x.method} answered 401`, `${x.status ?? x.error}`, [x]);
    this.check(this.req, x.responseHeaders['www-authenticate'] !== undefined, `a WWW-Authenticate header on the 401 to ${x.method}`, 'absent', [x]);
  }
});

Then("the caller's invitation still reads back as Connecting", async function (this: ConformanceWorld) {
  const b = await readBack(this, 'caller', this.req);
  this.check(this.req, b.state === 'Connecting', 'state Connecting: the unauthenticated cancel had no effect', show(b.state));
});

When('the caller sends a GET on the probe URL of its invitation without a token', async function (this: ConformanceWorld) {
  this.last = await this.app('caller').get(probeUrl(this.invitation('caller').url), { auth: 'none' });
});

When('the caller sends a PUT on its invitation without a token', async function (this: ConformanceWorld) {
  // the session's user, whatever the caller's transport (AUTH-5 on UCWA URLs, TAUTH-3 on TAA URLs)
  this.last = await this.app('caller').user.request('PUT', this.invitation('caller').url, { auth: 'none' });
});

When('the caller sends a startMessaging with a text\\/plain body without a token', async function (this: ConformanceWorld) {
  const body = { ...this.defaultStartMessaging(), threadId: unique('conformance-') };
  this.last = await this.app('caller').startMessaging(body, { rawBody: JSON.stringify(body), contentType: 'text/plain', auth: 'none' });
});

Then('the unauthenticated request is answered 401', function (this: ConformanceWorld) {
  this.check(this.req, this.last?.status === 401, '401 Unauthorized before any other check', `${this.last?.status ?? this.last?.error}`);
});
