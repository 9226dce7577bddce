import { Given, Then, When } from '@cucumber/cucumber';
import { act, actAsPrerequisite, actionLink, checkEachRefused, checkNoAnswerLinks, readAndAnswerAgain } from './support/answering';
import { checkUnchangedAfterCancel, recordBeforeCancel } from './support/cancelling';
import { checkCompletion } from './support/outcomes';
import type { ConformanceWorld } from './support/world';

When('the callee declines the invitation with no body', async function (this: ConformanceWorld) {
  await act(this, 'decline');
});

When('the callee declines the invitation giving the reason {string}', async function (this: ConformanceWorld, reason: string) {
  await act(this, 'decline', { reason });
});

Given('the callee has declined the invitation', async function (this: ConformanceWorld) {
  await actAsPrerequisite(this, 'decline');
});

When('the caller cancels the invitation', async function (this: ConformanceWorld) {
  await act(this, 'cancel');
});

Given('the caller has cancelled the invitation', async function (this: ConformanceWorld) {
  await actAsPrerequisite(this, 'cancel');
});

When('the callee reads its answered invitation and answers it again with accept and decline', async function (this: ConformanceWorld) {
  await readAndAnswerAgain(this);
});

Then("the callee's invitation read right after the answer offers neither accept nor decline", function (this: ConformanceWorld) {
  checkNoAnswerLinks(this, this.req);
});

Then('the further accept and decline are each refused with 409 Conflict \\/ None', function (this: ConformanceWorld) {
  checkEachRefused(this, this.req, ['further accept', 'further decline'], 409, 'None');
});

for (const role of ['caller', 'callee'] as const)
  Then(`the ${role}'s invitation completes with Failure {word} \\/ {word}`, async function (this: ConformanceWorld, code: string, subcode: string) {
    await checkCompletion(this, this.req, role, [`Failure ${code}/${subcode}`]);
  });

Then("each side's invitation completes with Success", async function (this: ConformanceWorld) {
  await Promise.all((['caller', 'callee'] as const).map((role) => checkCompletion(this, this.req, role, ['Success'])));
});

Given("the caller's invitation offers cancel while it is Connecting", async function (this: ConformanceWorld) {
  await actionLink(this, 'caller', 'cancel');
});

When('the caller cancels again on the remembered cancel link', async function (this: ConformanceWorld) {
  await recordBeforeCancel(this);
  await act(this, 'cancel');
});

Then("the caller's invitation and messaging are unchanged by the refused cancel", async function (this: ConformanceWorld) {
  await checkUnchangedAfterCancel(this, this.req);
});
