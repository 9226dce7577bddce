/** Support for PROFILE.md §10 (ERR): refused requests, their error bodies, and the proof that they changed nothing. */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodeFor, readBack } from './checks';
import { Inconclusive, header, objectBody, User, type RequestOptions } from './client';
import { rel } from './dialect';
import type { ReceivedEvent } from './events';
import type { Exchange } from './exchange';
import { RequirementFailure, show } from './expect';
import { embedded, isObject, link, probeUrl, resolveHref } from './links';
import { jsonMediaTypeProblem } from './media';
import type { ErrorFixture } from './target';
import { unique } from './values';
import { type ConformanceWorld, type Role, type Tracked } from './world';
import { EVENT_WAIT_MS } from './timing';

/**
 * Runs a set-up step; a requirement failure inside it makes the scenario inconclusive, naming that requirement —
 * unless the scenario is tagged with it: then it is that failure (steps/support/hooks.ts).
 */
export async function prerequisite<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof RequirementFailure) throw new Inconclusive(`prerequisite ${e.requirement} failed: expected ${e.expected}; actual ${e.actual}`, e.exchanges[0], e);
    throw e;
  }
}

/** Throws Inconclusive naming `req` unless `x` answered one of `statuses`. */
function expectStatus(x: Exchange, statuses: readonly number[], req: string, what: string): void {
  if (x.status === undefined || !statuses.includes(x.status)) throw new Inconclusive(`prerequisite ${req} failed: ${what} answered ${x.status ?? x.error}`, x);
}

/** ERR-1: fails `req` unless `x` has `status` and an application/json error body whose `code` names it (any subcode). */
export function checkErrorBody(w: ConformanceWorld, req: string, x: Exchange, status: number): void {
  const code = errorCodeFor(status);
  w.check(req, x.status === status, `${status} ${code ?? ''}`.trim(), `${x.status ?? x.error}`, [x]);
  const body = objectBody(x);
  w.check(req, !!body && !jsonMediaTypeProblem(x), 'an application/json error body {code, subcode?, message?, parameters?}', jsonMediaTypeProblem(x) ?? show(x.responseBody), [x]);
  w.check(req, body!.code === code, `code ${code}`, body!.code, [x]);
  w.checkSchema(req, 'urn:ucwa-conformance:error:1', body, [x]);
}

/** ERR-14: fails `req` unless `x` is a 405 MethodNotAllowed whose `Allow` header lists `method`. */
export function checkMethodNotAllowed(w: ConformanceWorld, req: string, x: Exchange, method: string): void {
  checkErrorBody(w, req, x, 405);
  const raw = x.responseHeaders.allow;
  const allow = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  w.check(req, allow.includes(method), `an Allow header listing ${method}`, raw === undefined ? 'no Allow header' : `Allow: ${allow.join(', ')}`, [x]);
}

// ---- request bodies -------------------------------------------------------------------------------------------

/** The faulty bodies of ERR-2 and ERR-5. */
export const BODY_FAULTS = ['malformed JSON', 'JSON array', 'text/plain'] as const;
export type BodyFault = (typeof BODY_FAULTS)[number];

/** A raw request made from `valid`: cut before its closing brace, `[]`, or valid JSON labelled text/plain. */
export function faultyBody(fault: BodyFault, valid: Record<string, unknown>): RequestOptions {
  if (fault === 'malformed JSON') return { rawBody: `${JSON.stringify(valid).slice(0, -1)},`, contentType: 'application/json' };
  if (fault === 'JSON array') return { rawBody: '[]', contentType: 'application/json' };
  return { rawBody: JSON.stringify(valid), contentType: 'text/plain' };
}

function withoutScheme(uri: string): string {
  return uri.replace(/^sip:/i, '');
}

/** The invalid startMessaging inputs of ERR-3 (a–g), ERR-17 and ERR-18, by the phrase the features use. */
export const INVALID_INPUTS: Record<string, { req: string; change: (w: ConformanceWorld, b: Record<string, unknown>) => void }> = {
  'a subject of 251 × "a"': { req: 'ERR-3', change: (_w, b) => void (b.subject = 'a'.repeat(251)) },
  'a subject of 126 × U+1F600': { req: 'ERR-3', change: (_w, b) => void (b.subject = '\u{1F600}'.repeat(126)) },
  'an operationId of 51 characters': { req: 'ERR-3', change: (_w, b) => void (b.operationId = unique('op-').padEnd(51, 'x')) },
  'a threadId of 251 characters': { req: 'ERR-3', change: (_w, b) => void (b.threadId = String(b.threadId).padEnd(251, 't')) },
  'no to in the body or the query': { req: 'ERR-3', change: (_w, b) => void delete b.to },
  'a to without the sip: scheme': { req: 'ERR-3', change: (w, b) => void (b.to = withoutScheme(w.pair.callee.uri)) },
  'importance "Critical"': { req: 'ERR-3', change: (_w, b) => void (b.importance = 'Critical') },
  'a subject that is a number': { req: 'ERR-17', change: (_w, b) => void (b.subject = 5) },
  'a to that is an array': { req: 'ERR-17', change: (w, b) => void (b.to = [w.pair.callee.uri]) },
  'a message href that is not a data URI': { req: 'ERR-18', change: (_w, b) => void (b._links = { message: { href: 'https://example.com/m' } }) },
};

/** A startMessaging body with one invalid input and a fresh threadId. */
export function invalidStartMessaging(w: ConformanceWorld, input: string): Record<string, unknown> {
  const spec = INVALID_INPUTS[input];
  if (!spec) throw new Error(`suite defect: unknown invalid input "${input}"`);
  const body = { ...w.defaultStartMessaging(), threadId: unique('refused-') };
  spec.change(w, body);
  return body;
}

// ---- startMessaging that is to be refused ---------------------------------------------------------------------

/** POSTs startMessaging as the caller with a JSON or raw body; a 201 is tracked so that clean-up cancels it. Sets `last`. */
export async function rawStartMessaging(w: ConformanceWorld, o: RequestOptions): Promise<Exchange> {
  const x = await w.app('caller').startMessaging(o.body, o);
  w.last = x;
  const location = resolveHref(header(x, 'location'), x.url);
  if (x.status === 201 && location) w.invitations.set('caller', { role: 'caller', url: location, remembered: {} });
  return x;
}

/** The startMessaging with a faulty body (ERR-2, ERR-5): the default body with a fresh threadId. */
export function faultyStartMessaging(w: ConformanceWorld, fault: BodyFault): Promise<Exchange> {
  const valid = fault === 'malformed JSON' ? { to: w.pair.callee.uri } : { ...w.defaultStartMessaging(), threadId: unique('refused-') };
  return rawStartMessaging(w, faultyBody(fault, valid));
}

/** ERR-9 / ERR-15: startMessaging with the operationId of the caller's invitation, by the caller or the callee's application. */
export async function reuseOperationId(w: ConformanceWorld, by: Role): Promise<Exchange> {
  const operationId = w.sent?.operationId;
  if (typeof operationId !== 'string') throw new Error('suite defect: the caller sent no operationId');
  if (by === 'callee') {
    const domain = (w.pair.callee.uri.split('@')[1] ?? 'example.com').split(';')[0];
    const to = `sip:nobody-${unique()}@${domain}`;
    w.last = await w.app('callee').startMessaging({ to, operationId, threadId: unique('reuse-') });
    return w.last;
  }
  const first = w.invitation('caller');
  const done = w.channel('caller').about(first.url).some((e) => e.type === 'completed');
  const x = await w.app('caller').startMessaging({ ...w.defaultStartMessaging(), operationId, threadId: unique('reuse-') });
  w.last = x;
  const location = resolveHref(header(x, 'location'), x.url);
  if (x.status === 201 && location && done) w.invitations.set('caller', { role: 'caller', url: location, remembered: {} });
  return x;
}

/** ERR-8, ERR-11, ERR-13: the fixture user signs in, creates an application, starts messaging the callee; the application is deleted again. */
export async function fixtureStartMessaging(w: ConformanceWorld, name: ErrorFixture): Promise<Exchange> {
  const account = w.target.fixtures[name];
  if (!account) throw new Inconclusive(`no fixtures.${name} in the target description`);
  const user = new User(w.client, `fixture ${name}`, account);
  await user.signIn();
  const app = await w.created(() => user.createApplication());
  try {
    w.last = await app.startMessaging({ ...w.defaultStartMessaging(), threadId: unique('fixture-') });
    return w.last;
  } finally {
    await app.delete().catch(() => undefined);
  }
}

// ---- a connecting invitation on both sides and what a refusal must leave unchanged ------------------------------

/** What a refusal must not change: the state and the names of the links. */
function snapshot(body: Record<string, unknown>): { state: unknown; links: string[] } {
  return { state: body.state, links: Object.keys(isObject(body._links) ? body._links : {}).sort() };
}

/** Both sides ready, the caller's invitation received by the callee, both read while Connecting and remembered. */
export async function holdConnectingInvitation(w: ConformanceWorld): Promise<void> {
  await Promise.all([w.ready('caller'), w.ready('callee')]);
  const x = await w.startMessaging(w.defaultStartMessaging());
  expectStatus(x, [201], 'SM-1', 'startMessaging');
  await prerequisite(() => w.receiveIncoming());
  for (const role of ['caller', 'callee'] as const) {
    const b = await prerequisite(() => readBack(w, role, 'MI-1'));
    if (b.state !== 'Connecting') throw new Inconclusive(`prerequisite MI-3 failed: the ${role}'s new invitation is ${show(b.state)}, not Connecting`);
    w.refusals.before.set(role, b);
  }
}

/** Fails `req` unless both invitations read back with the state and link names they had before, and neither completed. */
export async function checkUnchanged(w: ConformanceWorld, req: string): Promise<void> {
  for (const role of ['caller', 'callee'] as const) {
    const before = w.refusals.before.get(role);
    if (!before) throw new Error('suite defect: no earlier representation of the invitations was kept');
    const x = await w.readInvitation(role);
    const b = objectBody(x);
    w.check(req, x.status === 200 && !!b, `200 with the ${role}'s invitation`, `${x.status ?? x.error}`, [x]);
    const [was, is] = [snapshot(before), snapshot(b!)];
    w.check(req, is.state === was.state, `the ${role}'s invitation still in state ${show(was.state)}`, is.state, [x]);
    w.check(req, show(is.links) === show(was.links), `the ${role}'s invitation still linking ${was.links.join(', ')}`, is.links.join(', '), [x]);
    const done = w.channel(role).about(w.invitation(role).url).find((e) => e.type === 'completed');
    w.check(req, !done, `no completed event for the ${role}'s invitation`, show(done?.raw), []);
  }
}

/** The remembered action link (`accept`, `decline`, `cancel`) of a role's invitation, or Inconclusive. */
export function remembered(w: ConformanceWorld, role: Role, name: string): string {
  const href = w.invitation(role).remembered[name];
  if (!href) throw new Inconclusive(`prerequisite ${name === 'cancel' ? 'MI-13' : 'MI-12'} failed: the ${role}'s invitation never offered ${rel(w.prefix, name)}`);
  return href;
}

/** POSTs an action link of `owner`'s invitation as `actor` (the owner, or the other user for ERR-7). Sets `last`. */
export async function tryAction(w: ConformanceWorld, actor: Role, owner: Role, name: string, o: RequestOptions = {}): Promise<Exchange> {
  w.last = await w.app(actor).post(remembered(w, owner, name), o);
  return w.last;
}

/** ERR-7: `actor` reads (GET) the other user's invitation or POSTs one of its remembered action links. Sets `last`. */
export async function crossUser(w: ConformanceWorld, actor: Role, action: string, owner: Role): Promise<Exchange> {
  if (action !== 'read') return tryAction(w, actor, owner, action);
  w.last = await w.app(actor).get(w.invitation(owner).url);
  return w.last;
}

/** A prerequisite answer (accept, decline, cancel) that must succeed with 204. */
export async function answer(w: ConformanceWorld, role: Role, name: string, req: string): Promise<void> {
  const x = await w.app(role).post(remembered(w, role, name));
  expectStatus(x, [204], req, name);
}

/** Waits for the completed event of a role's invitation; a miss makes the scenario inconclusive, naming `req`. */
export async function completedAsPrerequisite(w: ConformanceWorld, role: Role, req: string, timeoutMs = EVENT_WAIT_MS): Promise<ReceivedEvent> {
  const e = await prerequisite(() => w.waitEvent(req, () => w.channel(role).waitForInvitationEvent(w.invitation(role).url, 'completed', timeoutMs)));
  return e;
}

/** The no-answer timeout's upper bound plus a margin, in milliseconds (LC-3). */
export function noAnswerDeadlineMs(w: ConformanceWorld): number {
  return (w.target.timing.noAnswerTimeoutSeconds + w.target.timing.late + 5) * 1000;
}

/** ERR-6: GET the probe URL of the caller's invitation. */
export async function readProbe(w: ConformanceWorld): Promise<Exchange> {
  w.last = await w.app('caller').get(probeUrl(w.invitation('caller').url));
  return w.last;
}

/** ERR-14: a request with `method` on the invitation or on one of its action hrefs (or ⟨startMessaging⟩). Sets `last`. */
export async function tryMethod(w: ConformanceWorld, role: Role, method: string, target: string): Promise<Exchange> {
  const url = target === 'invitation' ? w.invitation(role).url : target === 'startMessaging' ? w.app(role).startMessagingUrl : remembered(w, role, target);
  const o: RequestOptions = method === 'PUT' && target === 'startMessaging' ? { body: { ...w.defaultStartMessaging(), threadId: unique('refused-') } } : {};
  w.last = await w.app(role).user.request(method, url, o);
  return w.last;
}

// ---- ERR-16 ---------------------------------------------------------------------------------------------------

/** Inputs of refused startMessaging requests that carry a threadId of their own. */
const REFUSED_STARTS = ['a subject of 251 × "a"', 'an operationId of 51 characters', 'importance "Critical"', 'no to in the body or the query', 'a to without the sip: scheme', 'a subject that is a number'];

/**
 * ERR-16: several startMessaging requests that must be refused, each with its own threadId (kept in `refusals`).
 * ERR-16 is decided on the requests the target does refuse: one it accepts (its own requirement — ERR-3, ERR-5,
 * ERR-17 — fails in its scenario) is left out, and cancelled at clean-up. Only when it refuses none is the scenario
 * inconclusive, naming the first such prerequisite (blocked, when the deviation ledger lists it).
 */
export async function sendRefusedStarts(w: ConformanceWorld): Promise<void> {
  const cases: { req: string; what: string; o: RequestOptions; threadId: string }[] = REFUSED_STARTS.map((input) => {
    const body = invalidStartMessaging(w, input);
    return { req: INVALID_INPUTS[input]?.req ?? 'ERR-3', what: `startMessaging with ${input}`, o: { body }, threadId: body.threadId as string };
  });
  const plain = { ...w.defaultStartMessaging(), threadId: unique('refused-') };
  cases.push({ req: 'ERR-5', what: 'startMessaging labelled text/plain', o: faultyBody('text/plain', plain), threadId: plain.threadId });
  const accepted: { req: string; what: string; x: Exchange }[] = [];
  for (const c of cases) {
    const x = await rawStartMessaging(w, c.o);
    if ((x.status ?? 0) >= 400) {
      w.refusals.threadIds.push(c.threadId);
      continue;
    }
    accepted.push({ req: c.req, what: c.what, x });
    const url = resolveHref(header(x, 'location'), x.url);
    if (x.status === 201 && url) {
      const t: Tracked = { role: 'caller', url, remembered: {} };
      const b = objectBody(await w.app('caller').get(url));
      if (b) w.observe(t, b);
      w.others.push(t);
    }
  }
  const first = accepted[0];
  if (first && accepted.length === cases.length) throw new Inconclusive(`prerequisite ${first.req} failed: ${first.what} answered ${first.x.status ?? first.x.error} (and every other refusal too)`, first.x);
  if (first) w.log(`ERR-16 decided on the ${w.refusals.threadIds.length} of ${cases.length} requests the target refused; not refused (prerequisite failed): ${accepted.map((a) => `${a.req} ${a.what} → ${a.x.status ?? a.x.error}`).join('; ')}`);
}

/** ERR-16: waits 2 s once, then fails `req` if any refused threadId appeared on the caller's or the callee's channel. */
export async function checkNoStartedForRefused(w: ConformanceWorld, req: string): Promise<void> {
  await sleep(2000);
  for (const role of ['caller', 'callee'] as const) {
    const ch = w.channel(role);
    await ch.settled();
    if (ch.failure) throw new Inconclusive(`the ${role}'s event channel stopped: ${ch.failure}`, ch.failureExchange);
    for (const threadId of w.refusals.threadIds)
      w.check(req, !ch.hasThread(threadId), `no event about an invitation with the refused threadId ${threadId} on the ${role}'s channel within 2 s`, ch.describe(), []);
  }
}

/** ERR-16: accept, decline and cancel requests that must be refused (ERR-2, ERR-4, ERR-5, ERR-7), each checked to be refused. */
export async function sendRefusedAnswers(w: ConformanceWorld): Promise<void> {
  const attempts: [string, () => Promise<Exchange>][] = [
    ['ERR-4', () => tryAction(w, 'callee', 'callee', 'decline', { body: { reason: 'Sideways' } })],
    ['ERR-2', () => tryAction(w, 'callee', 'callee', 'decline', faultyBody('malformed JSON', { reason: 'Local' }))],
    ['ERR-5', () => tryAction(w, 'callee', 'callee', 'decline', faultyBody('text/plain', { reason: 'Local' }))],
    ['ERR-7', () => tryAction(w, 'caller', 'callee', 'accept')],
    ['ERR-7', () => tryAction(w, 'caller', 'callee', 'decline')],
    ['ERR-7', () => tryAction(w, 'callee', 'caller', 'cancel')],
  ];
  for (const [req, send] of attempts) {
    const x = await send();
    if ((x.status ?? 0) < 400) throw new Inconclusive(`prerequisite ${req} failed: ${x.method} ${x.url} answered ${x.status ?? x.error}`, x);
  }
}

// ---- addMessaging (cap) ---------------------------------------------------------------------------------------

async function getObject(w: ConformanceWorld, url: string, req: string, what: string): Promise<Record<string, unknown>> {
  const x = await w.app('caller').get(url);
  const b = objectBody(x);
  if (x.status !== 200 || !b) throw new Inconclusive(`prerequisite ${req} failed: GET ${what} answered ${x.status ?? x.error}`, x);
  return b;
}

/**
 * An accepted invitation whose messaging the caller has stopped (ADD-1): returns the ⟨addMessaging⟩ href offered
 * within 2 s by the Disconnected messaging, and keeps it in `refusals.addMessaging`.
 */
export async function reachAddMessaging(w: ConformanceWorld): Promise<string> {
  await Promise.all([w.ready('caller'), w.ready('callee')]);
  const x = await w.startMessaging(w.defaultStartMessaging());
  expectStatus(x, [201], 'SM-1', 'startMessaging');
  await prerequisite(() => w.receiveIncoming());
  await answer(w, 'callee', 'accept', 'ACC-1');
  await Promise.all([completedAsPrerequisite(w, 'caller', 'ACC-2'), completedAsPrerequisite(w, 'callee', 'ACC-2')]);
  await w.readInvitation('caller');
  const messaging = w.invitation('caller').remembered.messaging;
  if (!messaging) throw new Inconclusive(`prerequisite MI-10 failed: the caller's invitation has no ${rel(w.prefix, 'messaging')}`);
  const stop = await messagingLink(w, messaging, 'stopMessaging', () => true, 'after the accepted invitation completed');
  expectStatus(await w.app('caller').post(stop), [204], 'ADD-1', 'stopMessaging');
  return (w.refusals.addMessaging = await messagingLink(w, messaging, 'addMessaging', (b) => b.state === 'Disconnected', 'after stopMessaging'));
}

/** Polls the messaging resource for 2 s until it links ⟨name⟩ and `ready` holds; its href, or Inconclusive naming ADD-1. */
async function messagingLink(w: ConformanceWorld, messaging: string, name: string, ready: (b: Record<string, unknown>) => boolean, when: string): Promise<string> {
  const deadline = performance.now() + 2000;
  for (;;) {
    const b = await getObject(w, messaging, 'MI-15', 'messaging');
    const href = link({ url: messaging, body: b }, w.prefix, name);
    if (href && ready(b)) return href;
    if (performance.now() > deadline)
      throw new Inconclusive(`prerequisite ADD-1 failed: 2 s ${when} the messaging is ${show(b.state)} with links ${Object.keys(isObject(b._links) ? b._links : {}).join(', ')}, not ${rel(w.prefix, name)}`);
    await sleep(100);
  }
}

/** POSTs ⟨addMessaging⟩ (JSON body, or a raw one); a 201 becomes the caller's tracked invitation. Sets `last`. */
export async function addMessaging(w: ConformanceWorld, o: RequestOptions = { body: { operationId: unique() } }): Promise<Exchange> {
  const href = w.refusals.addMessaging;
  if (!href) throw new Error('suite defect: no ⟨addMessaging⟩ href was reached');
  const x = await w.app('caller').post(href, o);
  w.last = x;
  const location = resolveHref(header(x, 'location'), x.url);
  if (x.status === 201 && location) w.invitations.set('caller', { role: 'caller', url: location, remembered: {} });
  return x;
}

/** Whether a received incoming invitation belongs to this scenario's conversation: same threadId, conversation or caller. */
function sameConversation(w: ConformanceWorld, first: Tracked, e: ReceivedEvent): boolean {
  const b = e.embeddedInvitation ?? e.fetched;
  if (!b || !e.linkHref || e.linkHref === first.url) return false;
  const from = embedded(b, w.prefix, 'from');
  return (
    b.threadId === w.threadId ||
    (!!first.remembered.conversation && link({ url: e.linkHref, body: b }, w.prefix, 'conversation') === first.remembered.conversation) ||
    (isObject(from) && typeof from.uri === 'string' && from.uri.toLowerCase() === w.pair.caller.uri.toLowerCase())
  );
}

/** ERR-10: the caller adds messaging (201), and with `accepted` the callee accepts the new invitation and both complete. */
export async function addedMessaging(w: ConformanceWorld, accepted: boolean): Promise<void> {
  expectStatus(await addMessaging(w), [201], 'ADD-2', 'addMessaging');
  if (!accepted) return;
  const first = w.invitation('callee');
  const e = await prerequisite(() =>
    w.waitEvent('ADD-3', () => w.channel('callee').waitFor((ev) => ev.linkRel === 'messagingInvitation' && ev.type === 'started' && sameConversation(w, first, ev), EVENT_WAIT_MS, 'started event of the added invitation')),
  );
  const t: Tracked = { role: 'callee', url: e.linkHref as string, remembered: {} };
  w.invitations.set('callee', t);
  const copy = e.embeddedInvitation ?? e.fetched;
  if (copy) w.observe(t, copy);
  if (!t.remembered.accept) await w.readInvitation('callee');
  await answer(w, 'callee', 'accept', 'ADD-3');
  await completedAsPrerequisite(w, 'caller', 'ADD-3');
}
