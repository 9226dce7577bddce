import { Given, Then, When } from '@cucumber/cucumber';
import { Application, Inconclusive, header, msRtcOAuthChallenge, objectBody } from './support/client';
import { link, resolveHref } from './support/links';
import { jsonMediaTypeProblem } from './support/media';
import type { ConformanceWorld } from './support/world';
import { checkApplication } from './support/checks';

When('the caller fetches the discovery document', async function (this: ConformanceWorld) {
  this.discovered = await this.client.discover('caller');
});

Then('the discovery document links to the user resource within 3 redirects', function (this: ConformanceWorld) {
  const d = this.discovered;
  const lastX = d?.exchanges[d.exchanges.length - 1];
  this.check('DISC-1', !!d?.userUrl, '200 JSON documents whose _links lead to user within 3 redirect hops', `no user link (${lastX?.status ?? lastX?.error})`, d?.exchanges);
  for (const x of d?.exchanges ?? []) this.check('WIRE-1', !jsonMediaTypeProblem(x), 'Content-Type application/json', jsonMediaTypeProblem(x) ?? '', [x]);
});

Given('the caller has found the user resource', async function (this: ConformanceWorld) {
  const found = await this.client.discover('caller');
  if (!found.userUrl) throw new Inconclusive('prerequisite DISC-1 failed: no user resource', found.exchanges[found.exchanges.length - 1]);
  this.user('caller').userUrl = found.userUrl;
});

When('the caller requests the user resource without credentials', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  this.last = await u.request('GET', u.userUrl as string, { auth: 'none' });
});

Then('the answer is a 401 MsRtcOAuth challenge naming the token endpoint and the password grant', function (this: ConformanceWorld) {
  const x = this.last!;
  this.check('DISC-2', x.status === 401, '401 Unauthorized', `${x.status ?? x.error}`);
  const c = msRtcOAuthChallenge(x);
  this.check('DISC-2', !!c, 'a WWW-Authenticate challenge of scheme MsRtcOAuth', `WWW-Authenticate ${JSON.stringify(x.responseHeaders['www-authenticate'] ?? null)}`);
  this.check('DISC-2', !!c?.href && !!resolveHref(c.href, x.url), 'an href parameter naming the token endpoint', `href ${JSON.stringify(c?.href ?? null)}`);
  this.check('DISC-2', !!c?.grantTypes.includes('password'), 'grant_type listing password', `grant_type ${JSON.stringify(c?.grantTypes)}`);
});

Given('the caller has been challenged for credentials', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  const found = await this.client.discover('caller');
  if (!found.userUrl) throw new Inconclusive('prerequisite DISC-1 failed: no user resource', found.exchanges[found.exchanges.length - 1]);
  u.userUrl = found.userUrl;
  const x = await u.request('GET', found.userUrl, { auth: 'none' });
  const href = msRtcOAuthChallenge(x)?.href;
  if (!href) throw new Inconclusive('prerequisite DISC-2 failed: no MsRtcOAuth challenge with a token endpoint', x);
  u.tokenUrl = resolveHref(href, found.userUrl);
});

When('the caller signs in with the password grant', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  this.last = await u.passwordGrant(u.account.username ?? '', u.account.password ?? '');
});

Then('a bearer token is issued with a positive lifetime', function (this: ConformanceWorld) {
  const x = this.last!;
  const b = objectBody(x);
  this.check('AUTH-1', x.status === 200 && !!b, '200 with a JSON object', `${x.status ?? x.error}`);
  this.check('AUTH-1', !jsonMediaTypeProblem(x), 'Content-Type application/json', jsonMediaTypeProblem(x) ?? '');
  this.check('AUTH-1', typeof b?.access_token === 'string' && b.access_token !== '', 'a non-empty access_token', typeof b?.access_token);
  this.check('AUTH-1', typeof b?.token_type === 'string' && b.token_type.toLowerCase() === 'bearer', 'token_type Bearer', b?.token_type);
  this.check('AUTH-1', Number.isInteger(b?.expires_in) && (b?.expires_in as number) > 0, 'expires_in a positive integer', b?.expires_in);
  this.checkSchema('AUTH-1', 'urn:ucwa-conformance:token-response:1', b);
});

Given('the caller holds a bearer token', async function (this: ConformanceWorld) {
  await this.user('caller').signIn();
});

When('the caller requests the user resource with the token', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  this.last = await u.request('GET', u.userUrl as string);
});

Then('the user resource links to the applications', function (this: ConformanceWorld) {
  const x = this.last!;
  const b = objectBody(x);
  this.check('DISC-3', x.status === 200 && !!b, '200 with a JSON object', `${x.status ?? x.error}`);
  this.check('DISC-3', !!link({ url: x.url, body: b ?? {} }, '', 'applications'), '_links.applications', b?._links);
});

Given('the caller has signed in', async function (this: ConformanceWorld) {
  await this.user('caller').signIn();
});

When('the caller creates an application', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  this.last = await u.postApplication();
  const body = objectBody(this.last);
  const url = (body && link({ url: this.last.url, body }, this.prefix, 'self')) ?? resolveHref(header(this.last, 'location'), this.last.url);
  if (this.last.status === 201 && body && url) this.apps.set('caller', new Application(u, { url: this.last.url, body }, url));
});

Then('the application is created with its event channel, me and communication', function (this: ConformanceWorld) {
  checkApplication(this, 'APP-1', this.last!);
});

Given('the callee has signed in and created an application', async function (this: ConformanceWorld) {
  const u = this.user('callee');
  await u.signIn();
  this.apps.set('callee', await this.created(() => u.createApplication()));
});

When('the callee makes itself available for messaging', async function (this: ConformanceWorld) {
  this.last = await this.ucwaApp('callee').makeMeAvailable();
});

Then('the request succeeds with 204 No Content', function (this: ConformanceWorld) {
  this.check(this.req, this.last?.status === 204, '204 No Content', `${this.last?.status ?? this.last?.error}`);
});
