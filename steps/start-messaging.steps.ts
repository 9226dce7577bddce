import { Then, When } from '@cucumber/cucumber';
import { Inconclusive, objectBody } from './support/client';
import { readBack, sameUri, sentMessage, shownMessage } from './support/checks';
import { rel } from './support/dialect';
import { show } from './support/expect';
import { allRepresentations, answer, invitationLink, locationOf, readTracked, receiveFor, started } from './support/flow';
import { textDataUri, valueOfLength } from './support/values';
import { unique } from './support/values';
import { type ConformanceWorld, type Role } from './support/world';

const ROLES: readonly Role[] = ['caller', 'callee'];

function checkCreated(w: ConformanceWorld): void {
  const x = w.last!;
  w.check(w.req, x.status === 201, '201 Created', `${x.status ?? x.error}`);
  w.check(w.req, !!locationOf(x), 'a Location header naming the invitation', show(x.responseHeaders.location));
}

/** The 201 of the request under test, the incoming invitation of this threadId, and a GET of both sides. */
async function createdAndReceived(w: ConformanceWorld): Promise<void> {
  checkCreated(w);
  await receiveFor(w, w.req);
  await Promise.all(ROLES.map((r) => readBack(w, r, w.req)));
}

When('the caller starts messaging the callee twice and cancels both invitations', async function (this: ConformanceWorld) {
  await started(this);
  const first = this.invitation('caller');
  await started(this, { ...this.defaultStartMessaging(), threadId: unique('conformance-') });
  this.others.push(first);
  for (const t of [first, this.invitation('caller')]) {
    await readTracked(this, t);
    if (t.remembered.cancel) await this.app('caller').post(t.remembered.cancel);
  }
});

Then('the two invitations link different conversations', function (this: ConformanceWorld) {
  const [a, b] = [this.others[0]!, this.invitation('caller')].map((t) => invitationLink(this, t, 'conversation'));
  if (!a || !b) throw new Inconclusive(`prerequisite MI-10 failed: an invitation without ${rel(this.prefix, 'conversation')} (${show(a)}, ${show(b)})`);
  this.check('SM-3', a !== b, 'two different conversation hrefs', `both ${a}`);
});

When('the caller starts messaging the callee with to as a query parameter', async function (this: ConformanceWorld) {
  await this.startMessaging({ operationId: unique(), threadId: this.threadId }, { toInQuery: this.pair.callee.uri });
});

Then("the caller's invitation reads back with to equal to the callee's uri", async function (this: ConformanceWorld) {
  checkCreated(this);
  const b = await readBack(this, 'caller', 'SM-4');
  this.check('SM-4', sameUri(b.to, this.pair.callee.uri), `to ${this.pair.callee.uri}`, show(b.to));
});

When('the caller starts messaging the callee with nothing but to', async function (this: ConformanceWorld) {
  await this.startMessaging({ to: this.pair.callee.uri });
});

Then("the caller's invitation reads back with the startMessaging defaults", async function (this: ConformanceWorld) {
  checkCreated(this);
  const b = await readBack(this, 'caller', 'SM-5');
  this.check('SM-5', b.importance === 'Normal', 'importance Normal', show(b.importance));
  this.check('SM-5', b.subject === undefined || b.subject === '', 'subject "" or absent', show(b.subject));
  this.check('SM-5', typeof b.threadId === 'string' && b.threadId !== '', 'a non-empty threadId chosen by the server', show(b.threadId));
  this.check('SM-5', b.operationId === undefined || (typeof b.operationId === 'string' && b.operationId.length <= 50), 'operationId absent or at most 50 UTF-16 units', show(b.operationId));
});

When('the caller starts messaging the callee with a {word} of {int} UTF-16 units of {}', async function (this: ConformanceWorld, member: string, length: number, characters: string) {
  await this.startMessaging({ ...this.defaultStartMessaging(), [member]: valueOfLength(length, characters) });
});

Then('both invitations show the {word} exactly as sent', async function (this: ConformanceWorld, member: string) {
  await createdAndReceived(this);
  const sent = this.sent![member] as string;
  for (const role of ROLES)
    for (const { what, body, exchange } of allRepresentations(this, role)) {
      const got = body[member];
      const ok = role === 'callee' && member === 'operationId' ? got === undefined || (typeof got === 'string' && got.length <= 50) : got === sent;
      this.check('SM-6', ok, `${member} of ${sent.length} UTF-16 units exactly as sent on the ${role}'s invitation (${what})`, typeof got === 'string' ? `${show(got, 80)} (${got.length} units)` : show(got), [exchange]);
    }
});

When('the caller starts messaging the callee with the importance member {string}', async function (this: ConformanceWorld, importance: string) {
  await this.startMessaging({ ...this.defaultStartMessaging(), importance });
});

When('the caller starts messaging the callee with the importance member left out', async function (this: ConformanceWorld) {
  const body = this.defaultStartMessaging();
  delete body.importance;
  await this.startMessaging(body);
});

Then('both invitations show importance {string}', async function (this: ConformanceWorld, importance: string) {
  await createdAndReceived(this);
  for (const role of ROLES)
    for (const { what, body, exchange } of allRepresentations(this, role))
      this.check(this.req, body.importance === importance, `importance ${importance} on the ${role}'s invitation (${what})`, show(body.importance), [exchange]);
});

When('the caller starts messaging the callee with the first message {string} and CR LF sent {word}', async function (this: ConformanceWorld, text: string, form: string) {
  if (form !== 'percent-encoded' && form !== 'base64') throw new Error(`suite defect: unknown data URI form ${form}`);
  await this.startMessaging({ ...this.defaultStartMessaging(), _links: { message: { href: textDataUri(`${text}\r\n`, form) } } });
});

Then("the callee's invitation shows a first message with the same bytes", async function (this: ConformanceWorld) {
  await createdAndReceived(this);
  const want = sentMessage(this)!;
  for (const { what, body, exchange } of allRepresentations(this, 'callee')) {
    const got = shownMessage(this, body);
    this.check(this.req, !!got && got.equals(want), `${rel(this.prefix, 'message')} decoding to the bytes of ${show(want.toString('utf8'))} (${what})`, got ? show(got.toString('utf8')) : 'no data URI', [exchange]);
  }
});

Then('startMessaging is answered 201 Created with a Location', function (this: ConformanceWorld) {
  checkCreated(this);
});

When('both invitations are read before any answer', async function (this: ConformanceWorld) {
  const xs = await Promise.all(ROLES.map((r) => this.readInvitation(r)));
  for (const x of xs) this.check(this.req, x.status === 200 && !!objectBody(x), '200 with the invitation', `${x.status ?? x.error}`, [x]);
  this.kept.set('read before any answer', xs);
});

When('both invitations are read after completion', async function (this: ConformanceWorld) {
  for (const r of ROLES) await readBack(this, r, this.req);
});

When('the callee answers the invitation with {string}', async function (this: ConformanceWorld, how: string) {
  if (how !== 'accept' && how !== 'decline') throw new Error(`suite defect: unknown answer ${how}`);
  await answer(this, how);
});

Then('both invitations read Connecting before completion and {string} twice after it', async function (this: ConformanceWorld, final: string) {
  for (const x of this.kept.get('read before any answer') ?? [])
    this.check('MI-3', objectBody(x)?.state === 'Connecting', 'state Connecting before any answer', show(objectBody(x)?.state), [x]);
  for (const role of ROLES) {
    const twice = [await readBack(this, role, 'MI-3'), await readBack(this, role, 'MI-3')];
    for (const b of twice) this.check('MI-3', b.state === final, `state ${final} on the ${role}'s completed invitation, read twice`, show(b.state));
  }
});

Then('no representation of either invitation shows a state other than Connecting, Connected or Failed', function (this: ConformanceWorld) {
  for (const role of ROLES)
    for (const { what, body, exchange } of allRepresentations(this, role))
      this.check('MI-3', ['Connecting', 'Connected', 'Failed'].includes(body.state as string), `state Connecting, Connected or Failed on the ${role}'s invitation (${what})`, show(body.state), [exchange]);
});

Then("the caller's invitation names the callee as to and the callee's names the callee or nothing", function (this: ConformanceWorld) {
  const uri = this.pair.callee.uri;
  for (const role of ROLES)
    for (const { what, body, exchange } of allRepresentations(this, role))
      this.check('MI-7', sameUri(body.to, uri) || (role === 'callee' && body.to === undefined), `to ${uri}${role === 'callee' ? ' or absent' : ''} on the ${role}'s invitation (${what})`, show(body.to), [exchange]);
});

Then("every representation of the caller's invitation shows the operationId sent", function (this: ConformanceWorld) {
  const sent = this.sent!.operationId;
  for (const { what, body, exchange } of allRepresentations(this, 'caller'))
    this.check('MI-8', body.operationId === sent, `operationId ${show(sent)} on the caller's invitation (${what})`, show(body.operationId), [exchange]);
});

Then("no representation of the callee's invitation has an operationId longer than 50 UTF-16 units", function (this: ConformanceWorld) {
  for (const { what, body, exchange } of allRepresentations(this, 'callee')) {
    const id = body.operationId;
    this.check('MI-8', id === undefined || (typeof id === 'string' && id.length <= 50), `operationId absent or at most 50 UTF-16 units on the callee's invitation (${what})`, show(id), [exchange]);
  }
});

When('both sides read the conversation and messaging of their invitation', async function (this: ConformanceWorld) {
  for (const role of ROLES) {
    await this.readInvitation(role);
    for (const name of ['conversation', 'messaging']) {
      const href = invitationLink(this, this.invitation(role), name);
      if (!href) throw new Inconclusive(`prerequisite MI-10 failed: the ${role}'s invitation has no ${rel(this.prefix, name)} link`);
      this.kept.set(name, [...(this.kept.get(name) ?? []), await this.app(role).get(href)]);
    }
  }
});

Then('every conversation read is answered 200 with the conversation rel', function (this: ConformanceWorld) {
  for (const x of this.kept.get('conversation') ?? []) {
    const b = objectBody(x);
    this.check('MI-15', x.status === 200 && b?.rel === rel(this.prefix, 'conversation'), `200 with rel ${rel(this.prefix, 'conversation')}`, `${x.status ?? x.error} rel ${show(b?.rel)}`, [x]);
    this.checkSchema('MI-15', 'urn:ucwa-conformance:conversation:1', b, [x]);
  }
});

Then('every messaging read is answered 200 with the messaging rel and a state', function (this: ConformanceWorld) {
  for (const x of this.kept.get('messaging') ?? []) {
    const b = objectBody(x);
    this.check('MI-15', x.status === 200 && b?.rel === rel(this.prefix, 'messaging'), `200 with rel ${rel(this.prefix, 'messaging')}`, `${x.status ?? x.error} rel ${show(b?.rel)}`, [x]);
    this.check('MI-15', typeof b?.state === 'string', 'a state string', show(b?.state), [x]);
    this.checkSchema('MI-15', 'urn:ucwa-conformance:messaging:1', b, [x]);
  }
});
