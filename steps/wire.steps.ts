import { randomUUID } from 'node:crypto';
import { Given, Then, When } from '@cucumber/cucumber';
import { objectBody } from './support/client';
import { readBack, sentMessage, shownMessage } from './support/checks';
import { show } from './support/expect';
import { acceptedFlow, allRepresentations, receiveFor } from './support/flow';
import { jsonMediaTypeProblem } from './support/media';
import { textDataUri } from './support/values';
import { checkNone, discoveryRelProblems, enumProblems, mediaTypeProblems, relProblems, shapeProblems, urlProblems } from './support/wire';
import type { ConformanceWorld } from './support/world';

Given('the caller has invited the callee, who accepted, and both sides have read every resource on the way', async function (this: ConformanceWorld) {
  await acceptedFlow(this);
});

Then('every non-empty response except 401 is JSON labelled application\\/json', function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-1', 'UTF-8 JSON labelled application/json', mediaTypeProblems(this.client.exchanges));
});

Then('every application-API resource read and every resource embedded in an event has the resource shape', function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-2', 'a rel string, _links with self and resource-valued _embedded', shapeProblems(this));
});

Then("every rel of the application API is spelled for the target's dialect", function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-3', `rels spelled with the prefix ${show(this.prefix)} (self, next, resync, resume, customContent bare)`, relProblems(this));
});

Then('the discovery documents link user and applications with bare rels', function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-3', 'bare user, redirect and applications rels in the discovery documents', discoveryRelProblems(this));
});

Then('every request went to the discovery URL or to an href or Location the target had given', function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-4', 'URLs reached from discoveryUrl through links and Location headers', urlProblems(this).filter((p) => !/answered 404$/.test(p.what)));
});

Then('no followed href was answered 404', function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-4', 'every href resolving (RFC 3986) to a resource the target serves', urlProblems(this).filter((p) => /answered 404$/.test(p.what)));
});

Then('every direction, state, importance, event type and status is spelled as the profile spells it', function (this: ConformanceWorld) {
  checkNone(this, 'WIRE-7', 'enumerated values spelled exactly as in PROFILE.md', enumProblems(this));
});

When('the caller reads its invitation with no Accept header', async function (this: ConformanceWorld) {
  this.last = await this.app('caller').get(this.invitation('caller').url, { accept: null });
});

When('the caller reads its invitation with Accept {word}', async function (this: ConformanceWorld, accept: string) {
  this.last = await this.app('caller').get(this.invitation('caller').url, { accept });
});

Then('the invitation is served with 200 as application\\/json', function (this: ConformanceWorld) {
  const x = this.last!;
  this.check('WIRE-1', x.status === 200 && !!objectBody(x), '200 with the invitation', `${x.status ?? x.error}`);
  this.check('WIRE-1', !jsonMediaTypeProblem(x), 'Content-Type application/json', jsonMediaTypeProblem(x) ?? '');
});

When('the caller starts messaging the callee with a body labelled application\\/json with a charset', async function (this: ConformanceWorld) {
  const body = this.defaultStartMessaging();
  await this.startMessaging(body, { rawBody: JSON.stringify(body), contentType: 'application/json; charset=utf-8' });
});

When('the caller starts messaging the callee with a first message in percent-encoded, + for a space, %2B a plus form', async function (this: ConformanceWorld) {
  await this.startMessaging({ ...this.defaultStartMessaging(), _links: { message: { href: textDataUri('Grüße + Küsse = 1 + 1 ✓\r\n', 'plus for space') } } });
});

When('the caller starts messaging the callee with a first message in base64 form', async function (this: ConformanceWorld) {
  await this.startMessaging({ ...this.defaultStartMessaging(), _links: { message: { href: textDataUri('Grüße + Küsse = 1 + 1 ✓\r\n', 'base64 with charset') } } });
});

Then('every data URI the target shows for the first message decodes to the bytes sent', async function (this: ConformanceWorld) {
  this.check('WIRE-5', this.last?.status === 201, '201 Created', `${this.last?.status ?? this.last?.error}`);
  await receiveFor(this, 'WIRE-5');
  await Promise.all((['caller', 'callee'] as const).map((r) => readBack(this, r, 'WIRE-5')));
  const want = sentMessage(this)!;
  for (const role of ['caller', 'callee'] as const)
    for (const { what, body, exchange } of allRepresentations(this, role)) {
      const got = shownMessage(this, body);
      if (role === 'caller' && got === undefined) continue;
      this.check('WIRE-5', !!got && got.equals(want), `a message data URI decoding to ${show(want.toString('utf8'))} on the ${role}'s invitation (${what})`, got ? show(got.toString('utf8')) : 'none', [exchange]);
    }
});

When('the caller starts messaging the callee with the unknown members sessionContext and telemetryId', async function (this: ConformanceWorld) {
  await this.startMessaging({ ...this.defaultStartMessaging(), sessionContext: randomUUID(), telemetryId: null });
});
