import { Then, When } from '@cucumber/cucumber';
import {
  acceptAndBridge,
  checkApplicationLinks,
  checkBridgeWithAccept,
  checkCustomContent,
  checkMeetingCreated,
  checkStillCompletesOnce,
  checkStillUnanswered,
  customContentUri,
  startAdhocMeeting,
} from './support/optional';
import type { ConformanceWorld } from './support/world';

When('the callee reads its invitation after answering it', async function (this: ConformanceWorld) {
  await this.readInvitation('callee');
});

Then("the callee's invitation offers acceptAndBridge exactly when it offers accept", function (this: ConformanceWorld) {
  checkBridgeWithAccept(this, this.req);
});

When('the callee accepts and bridges the invitation without an onlineMeetingUri', async function (this: ConformanceWorld) {
  await acceptAndBridge(this, this.req, { localUserDisplayName: 'Conformance' });
});

When('the callee accepts and bridges the invitation into {string}', async function (this: ConformanceWorld, uri: string) {
  await acceptAndBridge(this, this.req, { onlineMeetingUri: uri });
});

When('the callee accepts and bridges the invitation into the declared meeting', async function (this: ConformanceWorld) {
  await acceptAndBridge(this, this.req, { onlineMeetingUri: this.target.fixtures.onlineMeetingUri!, localUserDisplayName: 'Conformance' });
});

Then('the bridging request succeeds with 200, 201 or 204', function (this: ConformanceWorld) {
  this.check(this.req, [200, 201, 204].includes(this.last?.status ?? 0), '200, 201 or 204', `${this.last?.status ?? this.last?.error}`);
});

Then("the callee's invitation is still unanswered", async function (this: ConformanceWorld) {
  await checkStillUnanswered(this, this.req);
});

When('the callee starts an ad hoc meeting from the invitation', async function (this: ConformanceWorld) {
  await startAdhocMeeting(this, this.req);
});

Then('the online-meeting invitation is created with a Location', function (this: ConformanceWorld) {
  checkMeetingCreated(this, this.req);
});

Then('the messaging invitation still completes exactly once on each side', async function (this: ConformanceWorld) {
  await checkStillCompletesOnce(this, this.req);
});

When('the caller starts messaging the callee with JSON custom content', async function (this: ConformanceWorld) {
  const body = this.defaultStartMessaging();
  await this.startMessaging({ ...body, _links: { ...(body._links as object), customContent: { href: customContentUri() } } });
});

Then('both invitations show the custom content byte for byte under an unprefixed customContent link', function (this: ConformanceWorld) {
  checkCustomContent(this, this.req);
});

Then('any application link or embed on either invitation names its owning application', function (this: ConformanceWorld) {
  const found = checkApplicationLinks(this, this.req);
  if (!found) this.log('OPT-4: no invitation representation links or embeds the application; nothing to check (optional)');
});
