import { Then, When } from '@cucumber/cucumber';
import { checkCompletion, creation } from './support/outcomes';
import {
  awaitNoAnswer,
  checkArrivedIncoming,
  checkCompletedOnceAndAgree,
  checkCreated,
  checkFinalReads,
  checkInWindow,
  checkNothingIncoming,
  checkOutgoingLifecycle,
  checkRaceAnswers,
  checkRaceOutcome,
  checkUnreachable,
  race,
  readAfterCompletion,
  readAround,
  unknownUserUri,
} from './support/timeline';
import type { ConformanceWorld } from './support/world';

When('the caller reads its invitation before any answer', async function (this: ConformanceWorld) {
  await readAround(this, 'before');
});

When('the caller reads its invitation twice after completion', async function (this: ConformanceWorld) {
  await readAround(this, 'after');
});

Then("the caller's invitation was Connecting, completed exactly once and kept its final state", async function (this: ConformanceWorld) {
  await checkOutgoingLifecycle(this, this.req);
});

Then("the callee's invitation arrived Incoming and Connecting, offering accept and decline", function (this: ConformanceWorld) {
  checkArrivedIncoming(this, this.req);
});

Then('each side completed exactly once and both agree on the outcome', async function (this: ConformanceWorld) {
  await checkCompletedOnceAndAgree(this, this.req);
});

When('nobody answers the invitation until the no-answer window closes', { timeout: -1 }, async function (this: ConformanceWorld) {
  await awaitNoAnswer(this, this.req);
});

Then("the callee's invitation completes with Failure LocalFailure \\/ Timeout or Informational \\/ Missed", async function (this: ConformanceWorld) {
  await checkCompletion(this, this.req, 'callee', ['Failure LocalFailure/Timeout', 'Failure Informational/Missed']);
});

Then("both completions arrive inside the no-answer window after the caller's 201", async function (this: ConformanceWorld) {
  await checkInWindow(this, this.req);
});

When("the caller starts messaging an unknown user in the callee's domain", async function (this: ConformanceWorld) {
  await this.startMessaging({ ...this.defaultStartMessaging(), to: unknownUserUri(this) });
});

When('the caller starts messaging the unavailable user', async function (this: ConformanceWorld) {
  await this.startMessaging({ ...this.defaultStartMessaging(), to: this.target.users.unavailable!.uri });
});

Then('the invitation to that target is created all the same', function (this: ConformanceWorld) {
  checkCreated(this, this.req);
});

Then("the caller's invitation completes with Failure {word} \\/ {word} before the window closes", async function (this: ConformanceWorld, code: string, subcode: string) {
  await checkUnreachable(this, this.req, code, subcode);
});

Then("no incoming invitation with the caller's threadId reaches the callee", async function (this: ConformanceWorld) {
  await checkNothingIncoming(this, this.req, creation(this));
});

When('both sides read their invitations right after completion', async function (this: ConformanceWorld) {
  await readAfterCompletion(this);
});

When('both sides read their invitations again {int} s after completion', { timeout: 120_000 }, async function (this: ConformanceWorld, seconds: number) {
  await readAfterCompletion(this, seconds);
});

Then('each read answers 200 with the final representation', async function (this: ConformanceWorld) {
  await checkFinalReads(this, this.req);
});

When(/^the caller cancels (.+) the callee's accept$/, async function (this: ConformanceWorld, offset: string) {
  await race(this, offset.trim());
});

Then('each of the racing requests gets 204 or 409 Conflict \\/ None', function (this: ConformanceWorld) {
  checkRaceAnswers(this, this.req);
});

Then('both sides agree on the outcome that the successful request decided', async function (this: ConformanceWorld) {
  await checkRaceOutcome(this, this.req);
});
