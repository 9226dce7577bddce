import { Given, Then, When } from '@cucumber/cucumber';
import { Inconclusive } from './support/client';
import {
  addMessaging,
  addMessagingBody,
  addMessagingHref,
  checkAdded,
  checkAddedIncoming,
  checkAddedStarted,
  checkStopped,
  receiveAdded,
  stoppedWithAddMessaging,
  stopMessaging,
} from './support/modality';
import { actAsPrerequisite } from './support/answering';
import type { ConformanceWorld } from './support/world';

When("the caller stops messaging in the invitation's conversation", async function (this: ConformanceWorld) {
  const { x, messaging } = await stopMessaging(this);
  this.check(this.req, !!x, 'the messaging resource offers stopMessaging', 'no stopMessaging link', [messaging]);
});

Then("the conversation stays and its messaging is Disconnected and offers addMessaging within 2 s", async function (this: ConformanceWorld) {
  await checkStopped(this, this.req);
});

Given('the caller has stopped messaging and is offered addMessaging', async function (this: ConformanceWorld) {
  await stoppedWithAddMessaging(this);
});

When('the caller adds messaging with a first message', async function (this: ConformanceWorld) {
  const href = await addMessagingHref(this);
  await addMessaging(this, href, addMessagingBody());
});

Given('the caller has added messaging with a first message', async function (this: ConformanceWorld) {
  const x = await addMessaging(this, await addMessagingHref(this), addMessagingBody());
  if (x.status !== 201) throw new Inconclusive(`prerequisite ADD-2 failed: addMessaging answered ${x.status ?? x.error}`, x);
});

When('the caller adds messaging twice on the same link', async function (this: ConformanceWorld) {
  const href = await addMessagingHref(this);
  const first = await addMessaging(this, href, addMessagingBody());
  if (first.status !== 201) throw new Inconclusive(`prerequisite ADD-2 failed: the first addMessaging answered ${first.status ?? first.error}`, first);
  this.last = await this.app('caller').post(href, { body: addMessagingBody() });
});

When('the caller adds messaging with an operationId of {int} characters', async function (this: ConformanceWorld, length: number) {
  const href = await addMessagingHref(this);
  await addMessaging(this, href, { ...addMessagingBody(), operationId: 'o'.repeat(length) });
});

Then('a new outgoing invitation to the callee is created in the same conversation', async function (this: ConformanceWorld) {
  await checkAdded(this, this.req);
});

Then("the new invitation is reported on the caller's channel like a startMessaging invitation", async function (this: ConformanceWorld) {
  await checkAddedStarted(this, this.req);
});

When('the callee receives the added invitation and accepts it', async function (this: ConformanceWorld) {
  await receiveAdded(this, this.req);
  await actAsPrerequisite(this, 'accept');
});

Then("the callee's added invitation arrived Incoming with accept, decline and the caller as from", async function (this: ConformanceWorld) {
  await checkAddedIncoming(this, this.req);
});
