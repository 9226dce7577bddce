import { randomUUID } from 'node:crypto';
import { Given, Then, When } from '@cucumber/cucumber';
import { Application, Inconclusive, objectBody } from './support/client';
import { checkRefusal, sameUri } from './support/checks';
import { rel } from './support/dialect';
import { show } from './support/expect';
import { embedded, isObject, link } from './support/links';
import type { ConformanceWorld } from './support/world';

Given('the caller has signed in and created an application', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  await u.signIn();
  this.apps.set('caller', await this.created(() => u.createApplication()));
});

Then("the application's me resource names the caller's uri", function (this: ConformanceWorld) {
  const body = objectBody(this.last!);
  if (this.last?.status !== 201 || !body) throw new Inconclusive('prerequisite APP-1 failed: the application was not created', this.last);
  const me = embedded(body, this.prefix, 'me');
  this.check('APP-2', isObject(me) && sameUri(me.uri, this.pair.caller.uri), `me.uri ${this.pair.caller.uri} (case-insensitive)`, isObject(me) ? show(me.uri) : show(me));
});

When('the caller reads its application', async function (this: ConformanceWorld) {
  this.last = await this.app('caller').get(this.app('caller').url);
});

Then('the application reads back with 200 and the application rel', function (this: ConformanceWorld) {
  const x = this.last!;
  const b = objectBody(x);
  this.check('APP-3', x.status === 200 && !!b, '200 with the application', `${x.status ?? x.error}`);
  this.check('APP-3', b!.rel === rel(this.prefix, 'application'), `rel ${rel(this.prefix, 'application')}`, show(b!.rel));
});

When('the caller creates an application without a culture', async function (this: ConformanceWorld) {
  const u = this.user('caller');
  this.last = await u.postApplication({ userAgent: 'ucwa-conformance/0.1', endpointId: randomUUID() });
  const body = objectBody(this.last);
  const url = body ? link({ url: this.last.url, body }, this.prefix, 'self') : undefined;
  if (this.last.status === 201 && body && url) this.apps.set('caller', new Application(u, { url: this.last.url, body }, url));
});

When('the caller deletes its application', async function (this: ConformanceWorld) {
  this.last = await this.app('caller').delete();
});

Then("the deleted application's event channel answers {int} NotFound \\/ ApplicationNotFound", async function (this: ConformanceWorld, status: number) {
  const x = await this.app('caller').get(this.ucwaApp('caller').eventsUrl);
  checkRefusal(this, this.req, x, status, 'ApplicationNotFound');
});
