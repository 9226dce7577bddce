import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import { checkRefusal } from './support/checks';
import {
  addedMessaging,
  addMessaging,
  answer,
  BODY_FAULTS,
  checkErrorBody,
  checkMethodNotAllowed,
  checkNoStartedForRefused,
  checkUnchanged,
  completedAsPrerequisite,
  crossUser,
  faultyBody,
  faultyStartMessaging,
  fixtureStartMessaging,
  holdConnectingInvitation,
  INVALID_INPUTS,
  invalidStartMessaging,
  noAnswerDeadlineMs,
  rawStartMessaging,
  reachAddMessaging,
  readProbe,
  remembered,
  reuseOperationId,
  sendRefusedAnswers,
  sendRefusedStarts,
  tryAction,
  tryMethod,
  type BodyFault,
} from './support/errors';
import { escapeRegExp, unique } from './support/values';
import { type ConformanceWorld, type Role } from './support/world';
import type { ErrorFixture } from './support/target';

const alternatives = (xs: readonly string[]) => xs.map(escapeRegExp).join('|');

defineParameterType({ name: 'invalidStartInput', regexp: new RegExp(alternatives(Object.keys(INVALID_INPUTS))), transformer: (s: string) => s });
defineParameterType({ name: 'bodyFault', regexp: new RegExp(alternatives(BODY_FAULTS)), transformer: (s: string) => s as BodyFault });
defineParameterType({ name: 'errRole', regexp: /caller|callee/, transformer: (s: string) => s as Role });

Given('the caller is ready to start messaging', async function (this: ConformanceWorld) {
  await this.ready('caller');
});

Given('both sides hold a connecting invitation', async function (this: ConformanceWorld) {
  await holdConnectingInvitation(this);
});

Given('the callee has accepted the invitation and both invitations have completed', async function (this: ConformanceWorld) {
  await answer(this, 'callee', 'accept', 'ACC-1');
  await Promise.all([completedAsPrerequisite(this, 'caller', 'ACC-2'), completedAsPrerequisite(this, 'callee', 'ACC-2')]);
});

Given('the callee has declined the invitation and both invitations have completed', async function (this: ConformanceWorld) {
  await answer(this, 'callee', 'decline', 'DEC-1');
  await Promise.all([completedAsPrerequisite(this, 'caller', 'DEC-2'), completedAsPrerequisite(this, 'callee', 'DEC-2')]);
});

Given("the caller has cancelled the invitation and the callee's invitation has completed", async function (this: ConformanceWorld) {
  await answer(this, 'caller', 'cancel', 'CAN-1');
  await completedAsPrerequisite(this, 'callee', 'CAN-2');
});

Given('the invitation has gone unanswered until both sides timed out', { timeout: 15 * 60_000 }, async function (this: ConformanceWorld) {
  const ms = noAnswerDeadlineMs(this);
  await Promise.all([completedAsPrerequisite(this, 'caller', 'LC-3', ms), completedAsPrerequisite(this, 'callee', 'LC-3', ms)]);
});

Given('the caller has stopped messaging in an accepted conversation', async function (this: ConformanceWorld) {
  await reachAddMessaging(this);
});

Given('the caller has added messaging to the stopped conversation', async function (this: ConformanceWorld) {
  await addedMessaging(this, false);
});

Given('the caller has added messaging to the stopped conversation and the callee has accepted', async function (this: ConformanceWorld) {
  await addedMessaging(this, true);
});

When('the caller tries to start messaging the callee with {invalidStartInput}', async function (this: ConformanceWorld, input: string) {
  await rawStartMessaging(this, { body: invalidStartMessaging(this, input) });
});

When('the caller tries to start messaging the callee with a {bodyFault} body', async function (this: ConformanceWorld, fault: BodyFault) {
  await faultyStartMessaging(this, fault);
});

When('the callee tries to decline the invitation with a {bodyFault} body', async function (this: ConformanceWorld, fault: BodyFault) {
  await tryAction(this, 'callee', 'callee', 'decline', faultyBody(fault, { reason: 'Local' }));
});

When('the caller tries to add messaging with a {bodyFault} body', async function (this: ConformanceWorld, fault: BodyFault) {
  await addMessaging(this, faultyBody(fault, { operationId: unique() }));
});

When('the caller tries to add messaging with an operationId of 51 characters', async function (this: ConformanceWorld) {
  await addMessaging(this, { body: { operationId: unique('op-').padEnd(51, 'x') } });
});

When('the caller tries to add messaging again', async function (this: ConformanceWorld) {
  await addMessaging(this);
});

When('the callee tries to decline the invitation with reason {string}', async function (this: ConformanceWorld, reason: string) {
  await tryAction(this, 'callee', 'callee', 'decline', { body: { reason } });
});

When('the caller tries to read its invitation accepting only image\\/png', async function (this: ConformanceWorld) {
  this.last = await this.app('caller').get(this.invitation('caller').url, { accept: 'image/png' });
});

When('the caller tries to read the probe URL of its invitation', async function (this: ConformanceWorld) {
  await readProbe(this);
});

When("the {errRole} tries to {word} the {errRole}'s invitation", async function (this: ConformanceWorld, actor: Role, action: string, owner: Role) {
  await crossUser(this, actor, action, owner);
});

When('the {errRole} tries to {word} the invitation', async function (this: ConformanceWorld, role: Role, action: string) {
  await tryAction(this, role, role, action);
});

When('the {word} fixture user tries to start messaging the callee', async function (this: ConformanceWorld, fixture: string) {
  await fixtureStartMessaging(this, fixture as ErrorFixture);
});

When('the caller tries to start messaging the callee again with the same operationId', async function (this: ConformanceWorld) {
  await reuseOperationId(this, 'caller');
});

When("the callee's application starts messaging with the operationId of the caller's invitation", async function (this: ConformanceWorld) {
  await reuseOperationId(this, 'callee');
});

When('the {errRole} tries the method {word} on its invitation', async function (this: ConformanceWorld, role: Role, method: string) {
  await tryMethod(this, role, method, 'invitation');
});

When('the {errRole} tries the method {word} on its {word} link', async function (this: ConformanceWorld, role: Role, method: string, name: string) {
  await tryMethod(this, role, method, name);
});

When('the caller tries several startMessaging requests that are refused', async function (this: ConformanceWorld) {
  await sendRefusedStarts(this);
});

When('the caller and the callee try accept, decline and cancel requests that are refused', async function (this: ConformanceWorld) {
  await sendRefusedAnswers(this);
});

Then('the {int} refusal carries a JSON error body whose code names its status', function (this: ConformanceWorld, status: number) {
  checkErrorBody(this, this.req, this.last!, status);
});

Then('the unsupported-media-type refusal carries a JSON error body whose code names its status', function (this: ConformanceWorld) {
  checkErrorBody(this, this.req, this.last!, this.target.unsupportedContentTypeStatus);
});

Then('the request is refused with 400 BadRequest, subcode None or ParameterValidationFailure', function (this: ConformanceWorld) {
  checkRefusal(this, this.req, this.last!, 400, 'None|ParameterValidationFailure');
});

Then('the request is refused with 405 MethodNotAllowed allowing {word}', function (this: ConformanceWorld, method: string) {
  checkMethodNotAllowed(this, this.req, this.last!, method);
});

Then('both invitations keep their state and links', async function (this: ConformanceWorld) {
  await checkUnchanged(this, this.req);
});

Then('a decline with a listed reason is then accepted', async function (this: ConformanceWorld) {
  const x = await this.app('callee').post(remembered(this, 'callee', 'decline'), { body: { reason: 'Local' } });
  this.check(this.req, x.status === 204, '204 No Content for a decline with reason "Local"', `${x.status ?? x.error}`, [x]);
});

Then("the caller's invitation can still be read", async function (this: ConformanceWorld) {
  const x = await this.readInvitation('caller');
  this.check(this.req, x.status === 200, "200 with the caller's invitation after the refused request", `${x.status ?? x.error}`, [x]);
});

Then("the caller's first invitation is still Connecting and can be cancelled", async function (this: ConformanceWorld) {
  const x = await this.readInvitation('caller');
  this.check(this.req, x.status === 200 && this.invitation('caller').body?.state === 'Connecting', "the caller's first invitation still Connecting", `${x.status ?? x.error} ${this.invitation('caller').body?.state}`, [x]);
  const cancel = await this.app('caller').post(remembered(this, 'caller', 'cancel'));
  this.check(this.req, cancel.status === 204, "204 for a cancel of the caller's first invitation", `${cancel.status ?? cancel.error}`, [cancel]);
});

Then('the reused operationId is accepted with 201 Created', function (this: ConformanceWorld) {
  this.check(this.req, this.last?.status === 201, '201 Created for the reused operationId', `${this.last?.status ?? this.last?.error}`);
});

Then('no started event for their threadIds appears on either channel within 2 seconds', async function (this: ConformanceWorld) {
  await checkNoStartedForRefused(this, this.req);
});
