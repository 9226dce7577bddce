import { Then, When } from '@cucumber/cucumber';
import { Inconclusive, objectBody } from './support/client';
import { rel } from './support/dialect';
import type { Exchange } from './support/exchange';
import { show } from './support/expect';
import { embedded, isObject, link } from './support/links';
import { jsonMediaTypeProblem } from './support/media';
import { applicationsUrl, checkForeignRefusal, taaAccounts, taaScenario, tokenOf, unknownEndpointId, type Reached } from './support/taa-checks';
import type { Account } from './support/target';
import type { ConformanceWorld } from './support/world';

const APPLICATIONS_SCHEMA = 'urn:ucwa-conformance:taa-applications:1';
const APPLICATION_SCHEMA = 'urn:ucwa-conformance:taa-application:1';
const COMMUNICATION_SCHEMA = 'urn:ucwa-conformance:communication:1';


/** Token, discovery and the applications GET with the account's own endpointId (TAPP-1). */
async function readApplicationsOf(w: ConformanceWorld, where: string, account: Account): Promise<{ token: string; x: Exchange }> {
  const token = await tokenOf(w, account, where);
  const apps = await applicationsUrl(w, token, where);
  return { token, x: await w.taaClient.applications(apps, account.uri, where, token) };
}

function reached(w: ConformanceWorld): Reached[] {
  const r = taaScenario(w).reached;
  if (!r) throw new Error('suite defect: the applications were not read');
  return r;
}

function keep(w: ConformanceWorld, r: Reached[]): void {
  taaScenario(w).reached = r;
}

When('each TAA account reads the applications resource with its own endpointId', async function (this: ConformanceWorld) {
  const out: Reached[] = [];
  for (const { where, account } of taaAccounts(this.target)) out.push({ where, applications: (await readApplicationsOf(this, where, account)).x });
  keep(this, out);
});

Then('every applications resource links an application', function (this: ConformanceWorld) {
  for (const { where, applications: x } of reached(this)) {
    const body = objectBody(x);
    this.check('TAPP-1', x.status === 200 && !!body && !jsonMediaTypeProblem(x), `200 with an application/json object for the applications GET of ${where}`, `${x.status ?? x.error} ${jsonMediaTypeProblem(x) ?? ''}`, [x]);
    this.check('TAPP-1', body?.rel === rel(this.prefix, 'applications'), `rel ${rel(this.prefix, 'applications')}`, show(body?.rel), [x]);
    this.check('TAPP-1', !!link({ url: x.url, body: body! }, this.prefix, 'application'), `_links["${rel(this.prefix, 'application')}"]`, show(body?._links), [x]);
    this.checkSchema('TAPP-1', APPLICATIONS_SCHEMA, body, [x]);
  }
});

When('each TAA account reads its application and the communication resource it embeds', async function (this: ConformanceWorld) {
  const out: Reached[] = [];
  for (const { where, account } of taaAccounts(this.target)) {
    const { token, x } = await readApplicationsOf(this, where, account);
    const body = objectBody(x);
    const href = x.status === 200 && body ? link({ url: x.url, body }, this.prefix, 'application') : undefined;
    if (!href) throw new Inconclusive(`prerequisite TAPP-1 failed: the applications GET of ${where} links no ${rel(this.prefix, 'application')}`, x);
    const app = await this.taaClient.request('GET', href, where, token);
    const r: Reached = { where, applications: x, application: app };
    const ab = objectBody(app);
    const comm = ab ? embedded(ab, this.prefix, 'communication') : undefined;
    const self = isObject(comm) ? link({ url: app.url, body: comm }, this.prefix, 'self') : undefined;
    if (self) r.communication = await this.taaClient.request('GET', self, where, token);
    out.push(r);
  }
  keep(this, out);
});

Then('every application embeds a communication resource that links startMessaging and reads back', function (this: ConformanceWorld) {
  for (const { where, application: x, communication: c } of reached(this)) {
    if (!x) continue;
    const body = objectBody(x);
    this.check('TAPP-2', x.status === 200 && !!body && !jsonMediaTypeProblem(x), `200 with an application/json object for the application of ${where}`, `${x.status ?? x.error} ${jsonMediaTypeProblem(x) ?? ''}`, [x]);
    this.checkSchema('TAPP-2', APPLICATION_SCHEMA, body, [x]);
    this.check('TAPP-2', !!c, `_embedded["${rel(this.prefix, 'communication')}"] with _links.self`, show(body?._embedded), [x]);
    const cb = objectBody(c!);
    this.check('TAPP-2', c!.status === 200 && !!cb, `GET on the communication self of ${where} answered 200`, `${c!.status ?? c!.error}`, [c]);
    this.check('TAPP-2', cb?.rel === rel(this.prefix, 'communication'), `rel ${rel(this.prefix, 'communication')} on the communication resource read back`, show(cb?.rel), [c]);
    this.checkSchema('TAPP-2', COMMUNICATION_SCHEMA, cb, [c]);
  }
});

When('the caller reads the applications resource with an endpointId that names no endpoint', async function (this: ConformanceWorld) {
  const token = await tokenOf(this, this.pair.caller, 'caller');
  const apps = await applicationsUrl(this, token, 'caller');
  this.last = await this.taaClient.applications(apps, unknownEndpointId(this.pair.caller), 'caller', token);
});

Then('the request is refused with 403 or 404 and subcode ApplicationNotFound, and links no application', function (this: ConformanceWorld) {
  checkForeignRefusal(this, 'TAPP-3', this.last!, ['ApplicationNotFound']);
});

Then('the refusal has status 403', function (this: ConformanceWorld) {
  const x = this.last!;
  if (x.status !== 403 && x.status !== 404) throw new Inconclusive(`prerequisite TAPP-3 failed: the unknown endpointId was answered ${x.status ?? x.error}`, x);
  this.check('TAPP-4', x.status === 403, '403 Forbidden for an endpointId that names no endpoint', `${x.status}`);
});

When("an endpoint of another application asks for the caller's application, reads its invitation and cancels it", async function (this: ConformanceWorld) {
  const caller = this.pair.caller;
  const intruder = taaAccounts(this.target).find(({ account }) => account.clientId !== undefined && account.clientId !== caller.clientId);
  await this.readInvitation('caller');
  const t = this.invitation('caller');
  if (!intruder) {
    // Only fixtures.foreignEndpointUri: the caller asks for an endpoint of an application it does not belong to.
    const foreign = this.target.fixtures.foreignEndpointUri;
    if (!foreign) throw new Inconclusive('all TAA accounts belong to one application');
    const token = await tokenOf(this, caller, 'caller');
    this.kept.set('foreign', [await this.taaClient.applications(await applicationsUrl(this, token, 'caller'), foreign, 'caller', token)]);
    return;
  }
  if (!t.remembered.cancel) throw new Inconclusive("prerequisite MI-13 failed: the caller's invitation offers no cancel link");
  const who = `${intruder.where} (another application)`;
  const token = await tokenOf(this, intruder.account, who);
  const apps = await applicationsUrl(this, token, who);
  const c = this.taaClient;
  this.kept.set('foreign', [
    await c.applications(apps, caller.uri, who, token),
    await c.request('GET', this.app('caller').url, who, token),
    await c.request('GET', t.url, who, token),
    await c.request('POST', t.remembered.cancel, who, token),
  ]);
});

Then('every one of those requests is refused with 403 or 404 and subcode ApplicationNotFound or None', function (this: ConformanceWorld) {
  const [first, ...rest] = this.kept.get('foreign') ?? [];
  if (!first) throw new Error('suite defect: no request was kept');
  checkForeignRefusal(this, 'TAPP-5', first, ['ApplicationNotFound']);
  for (const x of rest) checkForeignRefusal(this, 'TAPP-5', x, ['ApplicationNotFound', 'None']);
});
