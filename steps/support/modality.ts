import { header, Inconclusive, objectBody } from './client';
import { fromParticipant, participantProblem, SCHEMA, sameUri } from './checks';
import { rel } from './dialect';
import type { ReceivedEvent } from './events';
import type { Exchange } from './exchange';
import { show } from './expect';
import { decodeDataUri, hasLink, link, rawHref, resolveHref } from './links';
import { linkKeys } from './outcomes';
import { unique } from './values';
import { type ConformanceWorld, type Role, type Tracked } from './world';
import { EVENT_WAIT_MS } from './timing';

/** The resolved href of ⟨name⟩ on a role's invitation (remembered, else read now); Inconclusive naming MI-10. */
export async function invitationLink(w: ConformanceWorld, role: Role, name: string): Promise<string> {
  const t = w.invitation(role);
  if (!t.remembered[name]) await w.readInvitation(role);
  const href = t.remembered[name];
  if (!href) throw new Inconclusive(`prerequisite MI-10 failed: the ${role}'s invitation has no ${rel(w.prefix, name)} link (links: ${linkKeys(t.body)})`);
  return href;
}

/** GET on the messaging resource of a role's invitation: the exchange and its body (undefined unless 200 JSON). */
export async function readMessaging(w: ConformanceWorld, role: Role): Promise<{ x: Exchange; url: string; body?: Record<string, unknown> }> {
  const url = await invitationLink(w, role, 'messaging');
  const x = await w.app(role).get(url);
  const body = x.status === 200 ? objectBody(x) : undefined;
  return body ? { x, url, body } : { x, url };
}

/** The messaging state of a role's conversation; Inconclusive naming MI-15 when it cannot be read. */
export async function messagingState(w: ConformanceWorld, role: Role): Promise<{ state: unknown; x: Exchange }> {
  const m = await readMessaging(w, role);
  if (!m.body) throw new Inconclusive(`prerequisite MI-15 failed: GET on the ${role}'s messaging answered ${m.x.status ?? m.x.error}`, m.x);
  return { state: m.body.state, x: m.x };
}

/** POSTs ⟨stopMessaging⟩ of the caller's messaging (reached through the invitation's ⟨messaging⟩); undefined when there is no such link. */
export async function stopMessaging(w: ConformanceWorld): Promise<{ x?: Exchange; messaging: Exchange }> {
  const m = await readMessaging(w, 'caller');
  if (!m.body) throw new Inconclusive(`prerequisite MI-15 failed: GET on the caller's messaging answered ${m.x.status ?? m.x.error}`, m.x);
  const href = link({ url: m.url, body: m.body }, w.prefix, 'stopMessaging');
  if (!href) return { messaging: m.x };
  const x = await w.app('caller').post(href);
  w.last = x;
  w.labelled.set('stopMessaging', x);
  return { x, messaging: m.x };
}

/** Reads the caller's messaging until it is Disconnected and offers ⟨addMessaging⟩, or `ms` have passed; returns the last reading. */
export async function awaitAddMessaging(w: ConformanceWorld, ms = 2000): Promise<{ x: Exchange; url: string; body?: Record<string, unknown>; href?: string }> {
  const deadline = performance.now() + ms;
  for (;;) {
    const m = await readMessaging(w, 'caller');
    const href = m.body && m.body.state === 'Disconnected' ? link({ url: m.url, body: m.body }, w.prefix, 'addMessaging') : undefined;
    if (href || performance.now() >= deadline) return href ? { ...m, href } : m;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** ADD-1: the conversation still answers 200 ⟨conversation⟩, and within 2 s messaging is Disconnected with ⟨addMessaging⟩. */
export async function checkStopped(w: ConformanceWorld, req: string): Promise<void> {
  const conv = await w.app('caller').get(await invitationLink(w, 'caller', 'conversation'));
  const body = objectBody(conv);
  w.check(req, conv.status === 200 && body?.rel === rel(w.prefix, 'conversation'), `the conversation still answers 200 with rel ${rel(w.prefix, 'conversation')}`, `${conv.status ?? conv.error} rel ${show(body?.rel)}`, [conv]);
  const m = await awaitAddMessaging(w);
  w.check(req, !!m.body, 'GET on messaging answers 200', `${m.x.status ?? m.x.error}`, [m.x]);
  w.check(req, m.body!.state === 'Disconnected', 'messaging state Disconnected within 2 s', m.body!.state, [m.x]);
  w.check(req, !!m.href, `messaging offers ${rel(w.prefix, 'addMessaging')} within 2 s`, `links ${linkKeys(m.body)}`, [m.x]);
}

/** Stops messaging and waits for ⟨addMessaging⟩, as a prerequisite (ADD-1); returns the href. */
export async function stoppedWithAddMessaging(w: ConformanceWorld): Promise<string> {
  const stop = await stopMessaging(w);
  if (!stop.x || stop.x.status !== 204) throw new Inconclusive(`prerequisite ADD-1 failed: stopMessaging ${stop.x ? `answered ${stop.x.status ?? stop.x.error}` : 'is not offered'}`, stop.x ?? stop.messaging);
  const m = await awaitAddMessaging(w);
  if (!m.href) throw new Inconclusive(`prerequisite ADD-1 failed: messaging does not offer ${rel(w.prefix, 'addMessaging')} within 2 s (state ${show(m.body?.state)}, links ${linkKeys(m.body)})`, m.x);
  w.labelled.set('addMessaging link', m.x);
  return m.href;
}

/** The ⟨addMessaging⟩ href offered after stopMessaging: from the messaging read by the prerequisite step, else stopping now. */
export async function addMessagingHref(w: ConformanceWorld): Promise<string> {
  const x = w.labelled.get('addMessaging link');
  const body = x ? objectBody(x) : undefined;
  const href = x && body ? link({ url: x.url, body }, w.prefix, 'addMessaging') : undefined;
  return href ?? stoppedWithAddMessaging(w);
}

/** The addMessaging body: a fresh operationId and a first message unique to this scenario. */
export function addMessagingBody(): Record<string, unknown> {
  return {
    operationId: unique(),
    _links: { message: { href: `data:text/plain;charset=utf-8,Added%20messaging%20${unique()}` } },
  };
}

/** The body sent with the labelled addMessaging request. */
export function addedBody(w: ConformanceWorld): Record<string, unknown> {
  const x = w.labelled.get('addMessaging');
  const b = x?.requestBody ? (JSON.parse(x.requestBody) as unknown) : undefined;
  return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {};
}

/** POSTs addMessaging; on 201 the caller's tracked invitation becomes the new one (the old one moves to `earlier`). */
export async function addMessaging(w: ConformanceWorld, href: string, body: Record<string, unknown>): Promise<Exchange> {
  const x = await w.app('caller').post(href, { body });
  w.last = x;
  w.labelled.set('addMessaging', x);
  const location = resolveHref(header(x, 'location'), x.url);
  if (x.status === 201 && location) {
    const old = w.invitation('caller');
    if (!old.remembered.conversation) await w.readInvitation('caller').catch(() => undefined);
    w.earlier.push(old);
    w.invitations.set('caller', { role: 'caller', url: location, remembered: {} });
  }
  return x;
}

/** The earlier tracked invitation of a role (before addMessaging). */
export function original(w: ConformanceWorld, role: Role): Tracked {
  const t = w.earlier.find((e) => e.role === role);
  if (!t) throw new Inconclusive(`the ${role} had no earlier invitation in this scenario`);
  return t;
}

/** ADD-2: 201 + Location of a new outgoing invitation in the same conversation, addressed to the callee. */
export async function checkAdded(w: ConformanceWorld, req: string): Promise<void> {
  const x = w.labelled.get('addMessaging');
  if (!x) throw new Error('suite defect: no addMessaging request was made');
  const location = resolveHref(header(x, 'location'), x.url);
  w.check(req, x.status === 201 && !!location, '201 Created with a Location', `${x.status ?? x.error}, Location ${show(header(x, 'location'))}`, [x]);
  const created = objectBody(x);
  if (x.responseBody && x.responseBody.trim() !== '') {
    const self = created ? link({ url: x.url, body: created }, w.prefix, 'self') : undefined;
    w.check(req, self === location, `an empty body or the invitation whose _links.self is ${location}`, x.responseBody, [x]);
  }
  const before = original(w, 'caller');
  w.check(req, location !== before.url, 'a new invitation, not the original one', location, [x]);
  const g = await w.readInvitation('caller');
  const b = objectBody(g);
  w.check(req, g.status === 200 && !!b, '200 with the new invitation', `${g.status ?? g.error}`, [g]);
  const inv = b as Record<string, unknown>;
  w.check(req, inv.rel === rel(w.prefix, 'messagingInvitation'), `rel ${rel(w.prefix, 'messagingInvitation')}`, inv.rel, [g]);
  w.check(req, inv.direction === 'Outgoing', 'direction Outgoing', inv.direction, [g]);
  w.check(req, ['Connecting', 'Connected', 'Failed'].includes(inv.state as string), 'state Connecting (or final)', inv.state, [g]);
  const conv = link({ url: location!, body: inv }, w.prefix, 'conversation');
  w.check(req, !!before.remembered.conversation && conv === before.remembered.conversation, `${rel(w.prefix, 'conversation')} of the original invitation ${show(before.remembered.conversation)}`, show(conv), [g]);
  w.check(req, sameUri(inv.to, w.pair.callee.uri), `to ${w.pair.callee.uri} (the remote participant)`, inv.to, [g]);
  const sent = addedBody(w).operationId;
  w.check(req, inv.operationId === sent, `operationId ${show(sent)}`, inv.operationId, [g]);
  w.checkSchema(req, SCHEMA.outgoing, inv, [g]);
}

/** ADD-2: the new invitation's `started` on the caller's channel, from ⟨communication⟩, any embedded copy Connecting with its self. */
export async function checkAddedStarted(w: ConformanceWorld, req: string): Promise<void> {
  const url = w.invitation('caller').url;
  const e = await w.waitEvent(req, () => w.channel('caller').waitForInvitationEvent(url, 'started', EVENT_WAIT_MS));
  const x = w.channel('caller').batches[e.batch - 1]?.exchange;
  w.check(req, e.senderRel === rel(w.prefix, 'communication') && e.senderHref === w.app('caller').communicationUrl, `the started event in the ${rel(w.prefix, 'communication')} sender block of ${w.app('caller').communicationUrl}`, `${e.senderRel} ${show(e.senderHref)}`, [x]);
  const copy = e.embeddedInvitation;
  if (copy) {
    w.check(req, copy.state === 'Connecting', 'the embedded copy in state Connecting', copy.state, [x]);
    w.check(req, link({ url, body: copy }, w.prefix, 'self') === url, `the embedded copy's self ${url}`, show(copy._links), [x]);
  }
}

/** Whether a started event is the callee's side of the added invitation: not the original, same threadId or the unique message. */
function isAdded(w: ConformanceWorld, e: ReceivedEvent, originalUrl: string, message: Buffer | undefined): boolean {
  if (e.linkRel !== 'messagingInvitation' || e.type !== 'started' || e.linkHref === originalUrl) return false;
  const copy = e.embeddedInvitation ?? e.fetched;
  if (!copy) return false;
  const shown = rawHref(copy, w.prefix, 'message');
  return copy.threadId === w.threadId || (!!message && shown !== undefined && !!decodeDataUri(shown)?.equals(message));
}

/** ADD-3: waits for the callee's new incoming invitation and tracks it as the callee's (the old one moves to `earlier`). */
export async function receiveAdded(w: ConformanceWorld, req: string): Promise<Record<string, unknown>> {
  const old = w.invitation('callee');
  const m = (addedBody(w)._links as { message?: { href?: string } } | undefined)?.message?.href;
  const message = m ? decodeDataUri(m) : undefined;
  const e = await w.waitEvent(req, () => w.channel('callee').waitFor((ev) => isAdded(w, ev, old.url, message), EVENT_WAIT_MS, 'started event of the added incoming invitation'));
  w.earlier.push(old);
  const t: Tracked = { role: 'callee', url: e.linkHref!, remembered: {} };
  w.invitations.set('callee', t);
  const copy = (e.embeddedInvitation ?? e.fetched)!;
  w.observe(t, copy);
  return copy;
}

/** ADD-3: the added incoming invitation is Incoming, offers accept and decline, and names the caller as ⟨from⟩. */
export async function checkAddedIncoming(w: ConformanceWorld, req: string): Promise<void> {
  const started = w.channel('callee').about(w.invitation('callee').url).find((e) => e.type === 'started');
  const copy = started?.embeddedInvitation ?? started?.fetched;
  if (!copy) throw new Inconclusive("the callee's added invitation was not received");
  w.check(req, copy.direction === 'Incoming', 'direction Incoming', copy.direction, []);
  for (const name of ['accept', 'decline'])
    w.check(req, hasLink(copy, w.prefix, name), `${rel(w.prefix, name)} on the added incoming invitation`, `links ${linkKeys(copy)}`, []);
  const problem = participantProblem(w, await fromParticipant(w, 'callee', copy), w.pair.caller.uri);
  w.check(req, !problem, `${rel(w.prefix, 'from')} naming the caller ${w.pair.caller.uri}`, problem ?? '', []);
}
