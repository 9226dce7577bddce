import { Given, Then, When } from '@cucumber/cucumber';
import { Inconclusive, header, objectBody } from './support/client';
import { fromParticipant, participantProblem, readBack, representations, sameUri, SCHEMA, sentMessage, shownMessage } from './support/checks';
import { rel } from './support/dialect';
import { show } from './support/expect';
import { embedded, hasLink, isObject, link, resolveHref } from './support/links';
import type { ConformanceWorld, Role } from './support/world';
import { allRepresentations, receiveFor } from './support/flow';

Given('the caller and the callee are ready for messaging', async function (this: ConformanceWorld) {
  await Promise.all([this.ready('caller'), this.ready('callee')]);
});

async function start(w: ConformanceWorld, overrides: Record<string, unknown> = {}) {
  await w.startMessaging({ ...w.defaultStartMessaging(), ...overrides });
}

When('the caller starts messaging the callee', async function (this: ConformanceWorld) {
  await start(this);
});

When('the caller starts messaging the callee without a first message', async function (this: ConformanceWorld) {
  const { _links: _none, ...body } = this.defaultStartMessaging();
  await this.startMessaging(body);
});

Then("the callee's invitation carries no message", function (this: ConformanceWorld) {
  for (const { what, body } of allRepresentations(this, 'callee'))
    this.check('MI-9', !hasLink(body, this.prefix, 'message'), `no ${rel(this.prefix, 'message')} on the callee's invitation when the caller sent no first message (${what})`, `links ${Object.keys(isObject(body._links) ? body._links : {}).join(', ')}`);
});

Then("no representation of the callee's invitation offers cancel", async function (this: ConformanceWorld) {
  await checkFinalLinks(this, 'callee', 'MI-13', [], ['cancel']);
  checkLinksOf(this, 'callee', 'MI-13', allRepresentations(this, 'callee'), [], ['cancel']);
});

When('the caller starts messaging the callee with subject {string} and importance {string}', async function (this: ConformanceWorld, subject: string, importance: string) {
  await start(this, { subject, importance });
});

Given('the caller has started messaging the callee', async function (this: ConformanceWorld) {
  const x = await this.startMessaging(this.defaultStartMessaging());
  if (x.status !== 201 || !this.invitations.has('caller')) throw new Inconclusive(`prerequisite SM-1 failed: startMessaging answered ${x.status ?? x.error}`, x);
});

Then('the invitation is created with a Location', function (this: ConformanceWorld) {
  const x = this.last!;
  this.check('SM-1', x.status === 201, '201 Created', `${x.status ?? x.error}`);
  const location = resolveHref(header(x, 'location'), x.url);
  this.check('SM-1', !!location, 'a Location header naming the invitation', `Location ${show(header(x, 'location'))}`);
  const body = objectBody(x);
  if (x.responseBody && x.responseBody.trim() !== '') {
    this.check('SM-1', !!body, 'an empty body or the invitation resource', x.responseBody);
    const self = link({ url: x.url, body: body! }, this.prefix, 'self');
    this.check('SM-1', self === location, `_links.self of the body equal to Location ${location}`, `self ${show(self)}`);
  }
});

Then("the caller's invitation reads back as Outgoing and Connecting with the values sent", async function (this: ConformanceWorld) {
  const b = await readBack(this, 'caller', 'SM-2');
  const sent = this.sent!;
  this.check('SM-2', b.direction === 'Outgoing', 'direction Outgoing', b.direction);
  this.check('SM-2', ['Connecting', 'Connected', 'Failed'].includes(b.state as string), 'state Connecting (or final if already completed)', b.state);
  this.check('SM-2', b.importance === sent.importance, `importance ${show(sent.importance)}`, b.importance);
  this.check('SM-2', b.subject === sent.subject, `subject ${show(sent.subject)} character for character`, b.subject);
  this.check('SM-2', b.threadId === sent.threadId, `threadId ${show(sent.threadId)}`, b.threadId);
  this.check('SM-2', sameUri(b.to, sent.to), `to ${show(sent.to)}`, b.to);
  this.check('SM-2', b.operationId === sent.operationId, `operationId ${show(sent.operationId)}`, b.operationId);
  this.checkSchema('SM-2', SCHEMA.outgoing, b);
});

Then("a GET on the caller's invitation URL returns a messagingInvitation whose self is that URL", async function (this: ConformanceWorld) {
  const b = await readBack(this, 'caller', 'MI-1');
  const url = this.invitation('caller').url;
  this.check('MI-1', b.rel === rel(this.prefix, 'messagingInvitation'), `rel ${rel(this.prefix, 'messagingInvitation')}`, b.rel);
  const self = link({ url, body: b }, this.prefix, 'self');
  this.check('MI-1', self === url, `_links.self resolving to ${url}`, self);
});

/** The representations of a role's completed invitation: a GET now and the copy embedded in its completed event. */
async function checkFinalLinks(w: ConformanceWorld, role: Role, req: string, present: string[], absent: string[]) {
  const body = await readBack(w, role, req);
  const done = await w.completed(role);
  const reps = [{ what: 'GET after completion', body }, ...(done.embeddedInvitation ? [{ what: 'embedded in the completed event', body: done.embeddedInvitation }] : [])];
  checkLinksOf(w, role, req, reps, present, absent);
}

function checkLinks(w: ConformanceWorld, role: Role, req: string, present: string[], absent: string[]) {
  checkLinksOf(w, role, req, representations(w, role), present, absent);
}

function checkLinksOf(w: ConformanceWorld, role: Role, req: string, reps: { what: string; body: Record<string, unknown> }[], present: string[], absent: string[]) {
  if (!reps.length) throw new Inconclusive(`no representation of the ${role}'s invitation was obtained`);
  for (const { what, body } of reps) {
    for (const name of present)
      w.check(req, hasLink(body, w.prefix, name), `${rel(w.prefix, name)} on the ${role}'s invitation (${what}, state ${show(body.state)})`, `links ${Object.keys((body._links as object) ?? {}).join(', ')}`);
    for (const name of absent)
      w.check(req, !hasLink(body, w.prefix, name), `no ${rel(w.prefix, name)} on the ${role}'s invitation (${what}, state ${show(body.state)})`, `links ${Object.keys((body._links as object) ?? {}).join(', ')}`);
  }
}

Then("the caller's invitation links self, conversation and messaging", async function (this: ConformanceWorld) {
  await readBack(this, 'caller', 'MI-10');
  checkLinks(this, 'caller', 'MI-10', ['self', 'conversation', 'messaging'], []);
});

Then("the caller's invitation links from", async function (this: ConformanceWorld) {
  await readBack(this, 'caller', 'MI-11');
  checkLinks(this, 'caller', 'MI-11', ['from'], []);
});

Then("the caller's invitation offers cancel", async function (this: ConformanceWorld) {
  await readBack(this, 'caller', 'MI-13');
  checkLinks(this, 'caller', 'MI-13', ['cancel'], []);
});

Then("the caller's invitation offers neither accept nor decline", async function (this: ConformanceWorld) {
  await readBack(this, 'caller', 'MI-12');
  checkLinks(this, 'caller', 'MI-12', [], ['accept', 'decline']);
});

Then('both completed invitations link self, conversation and messaging', async function (this: ConformanceWorld) {
  for (const role of ['caller', 'callee'] as const) await checkFinalLinks(this, role, 'MI-10', ['self', 'conversation', 'messaging'], []);
});

Then("the caller's completed invitation does not offer cancel", async function (this: ConformanceWorld) {
  await checkFinalLinks(this, 'caller', 'MI-13', [], ['cancel']);
});

Then("the callee's completed invitation offers neither accept nor decline", async function (this: ConformanceWorld) {
  await checkFinalLinks(this, 'callee', 'MI-12', [], ['accept', 'decline']);
});

Then("the caller's invitation names no accepting participant", async function (this: ConformanceWorld) {
  await readBack(this, 'caller', 'MI-14');
  for (const { what, body } of representations(this, 'caller'))
    this.check('MI-14', embedded(body, this.prefix, 'acceptedByParticipant') === undefined, `no ${rel(this.prefix, 'acceptedByParticipant')} on the caller's invitation in state ${show(body.state)} (${what})`, show(embedded(body, this.prefix, 'acceptedByParticipant')));
});

Then('both invitations show that subject character for character', function (this: ConformanceWorld) {
  const sent = this.sent?.subject;
  for (const role of ['caller', 'callee'] as const)
    for (const { what, body } of representations(this, role))
      this.check('MI-5', body.subject === sent, `subject ${show(sent)} character for character on the ${role}'s invitation (${what})`, show(body.subject));
});

When('the callee receives the invitation', async function (this: ConformanceWorld) {
  await receiveFor(this, 'LC-2');
  await Promise.all([readBack(this, 'callee', this.req), readBack(this, 'caller', this.req)]);
});

Given('the callee has received the invitation', async function (this: ConformanceWorld) {
  await this.receiveIncoming();
});

Then("the caller's invitation is {string} and the callee's is {string}", function (this: ConformanceWorld, out: string, inc: string) {
  for (const [role, want] of [['caller', out], ['callee', inc]] as const)
    for (const { what, body } of representations(this, role))
      this.check('MI-2', body.direction === want, `direction ${want} on the ${role}'s invitation (${what})`, body.direction);
  this.checkSchema('MI-2', SCHEMA.incoming, this.invitation('callee').body);
});

Then("the callee's invitation offers accept and decline and not cancel", function (this: ConformanceWorld) {
  checkLinks(this, 'callee', 'MI-12', ['accept', 'decline'], ['cancel']);
});

Then("the callee's invitation carries the first message the caller sent", function (this: ConformanceWorld) {
  const want = sentMessage(this);
  for (const { what, body } of representations(this, 'callee')) {
    const got = shownMessage(this, body);
    this.check('MI-9', !!got && !!want && got.equals(want), `${rel(this.prefix, 'message')} decoding to ${show(want?.toString('utf8'))} (${what})`, got ? show(got.toString('utf8')) : `links ${Object.keys((body._links as object) ?? {}).join(', ')}`);
  }
});

Then('both invitations show the threadId, subject and importance the caller sent', function (this: ConformanceWorld) {
  const sent = this.sent!;
  for (const role of ['caller', 'callee'] as const)
    for (const { what, body } of representations(this, role)) {
      this.check('MI-6', body.threadId === sent.threadId, `threadId ${show(sent.threadId)} on the ${role}'s invitation (${what})`, body.threadId);
      this.check('MI-5', body.subject === sent.subject, `subject ${show(sent.subject)} on the ${role}'s invitation (${what})`, body.subject);
      this.check('MI-4', body.importance === sent.importance, `importance ${show(sent.importance)} on the ${role}'s invitation (${what})`, body.importance);
    }
});

Then("the callee's invitation names the caller as from", async function (this: ConformanceWorld) {
  for (const { what, body } of representations(this, 'callee')) {
    const p = await fromParticipant(this, 'callee', body);
    const problem = participantProblem(this, p, this.pair.caller.uri);
    this.check('MI-11', !problem, `⟨from⟩ naming the caller ${this.pair.caller.uri} (${what})`, problem ?? '');
  }
});

When('the callee accepts the invitation', async function (this: ConformanceWorld) {
  const href = this.invitation('callee').remembered.accept;
  if (!href) throw new Inconclusive("prerequisite MI-12 failed: the callee's invitation offers no accept link");
  this.last = await this.app('callee').post(href);
});

Given('the callee has accepted the invitation', async function (this: ConformanceWorld) {
  const href = this.invitation('callee').remembered.accept;
  if (!href) throw new Inconclusive("prerequisite MI-12 failed: the callee's invitation offers no accept link");
  const x = await this.app('callee').post(href);
  if (x.status !== 204) throw new Inconclusive(`prerequisite ACC-1 failed: accept answered ${x.status ?? x.error}`, x);
});

Then('both invitations complete with status {string}', async function (this: ConformanceWorld, status: string) {
  const [c, e] = await Promise.all([this.completed('caller'), this.completed('callee')]);
  this.check(this.req, c.status === status, `the caller's completed event with status ${status}`, c.status);
  this.check(this.req, e.status === status, `the callee's completed event with status ${status}`, e.status);
});

Then('both invitations read back in state {string}', async function (this: ConformanceWorld, state: string) {
  for (const role of ['caller', 'callee'] as const) {
    const b = await readBack(this, role, this.req);
    this.check(this.req, b.state === state, `state ${state} on the ${role}'s invitation`, b.state);
  }
});

Then("the caller's completed invitation names the callee as acceptedByParticipant", async function (this: ConformanceWorld) {
  const done = await this.completed('caller');
  const b = await readBack(this, 'caller', 'MI-14');
  for (const [what, body] of [['GET', b], ['embedded in the completed event', done.embeddedInvitation]] as const) {
    if (!body) continue;
    const list = embedded(body, this.prefix, 'acceptedByParticipant');
    this.check('MI-14', Array.isArray(list) && list.length === 1, `_embedded["${rel(this.prefix, 'acceptedByParticipant')}"]: an array of one participant (${what})`, list);
    const problem = participantProblem(this, (list as unknown[])[0], this.pair.callee.uri);
    this.check('MI-14', !problem, `the participant is the callee ${this.pair.callee.uri} (${what})`, problem ?? '');
  }
});

Given('both invitations have completed', async function (this: ConformanceWorld) {
  await Promise.all([this.completed('caller'), this.completed('callee')]);
});
