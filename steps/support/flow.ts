import { Inconclusive, objectBody } from './client';
import { EventWaitTimeout, type ReceivedEvent } from './events';
import type { Exchange } from './exchange';
import { link, resolveHref } from './links';
import type { ConformanceWorld, Role, Tracked } from './world';
import { EVENT_WAIT_MS } from './timing';

const ROLES: readonly Role[] = ['caller', 'callee'];

/** Awaits a set-up step; a missed event deadline or failed check becomes Inconclusive naming the prerequisite. */
export async function prerequisite<T>(requirement: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof Inconclusive) throw e;
    const why = e instanceof EventWaitTimeout ? e.message : e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Inconclusive(`prerequisite ${requirement} failed: ${why}`);
  }
}

/** startMessaging as the caller; Inconclusive (SM-1) unless it answers 201 with a Location. */
export async function started(w: ConformanceWorld, body: Record<string, unknown> = w.defaultStartMessaging()): Promise<Exchange> {
  const x = await w.startMessaging(body);
  if (x.status !== 201 || !w.invitations.has('caller')) throw new Inconclusive(`prerequisite SM-1 failed: startMessaging answered ${x.status ?? x.error}`, x);
  return x;
}

/**
 * Waits on the callee's channel for the `started` of this scenario's threadId and tracks the incoming invitation; a
 * missed deadline fails `requirement` (the requirement under test when the threadId itself is what is checked).
 */
export async function receiveFor(w: ConformanceWorld, requirement: string, timeoutMs = EVENT_WAIT_MS): Promise<ReceivedEvent> {
  const e = await w.receiveIncoming(requirement, timeoutMs);
  await w.channel('caller').waitForInvitationEvent(w.invitation('caller').url, 'started', EVENT_WAIT_MS).catch(() => undefined);
  return e;
}

/** The callee POSTs ⟨accept⟩ or ⟨decline⟩ (no body); Inconclusive (ACC-1 / DEC-1) unless 204. */
export async function answer(w: ConformanceWorld, how: 'accept' | 'decline'): Promise<Exchange> {
  const href = w.invitation('callee').remembered[how];
  if (!href) throw new Inconclusive(`prerequisite MI-12 failed: the callee's invitation offers no ${how} link`);
  const x = await w.app('callee').post(href);
  w.last = x;
  if (x.status !== 204) throw new Inconclusive(`prerequisite ${how === 'accept' ? 'ACC-1' : 'DEC-1'} failed: ${how} answered ${x.status ?? x.error}`, x);
  return x;
}

/** GETs every resource a role's application and invitation link (application, me, communication, conversation, messaging, from). */
export async function readLinkedResources(w: ConformanceWorld, role: Role): Promise<Exchange[]> {
  const app = w.app(role);
  const t = w.invitation(role);
  const urls = new Set<string>([app.url]);
  for (const [part, name] of [['me', 'self'], ['communication', 'self']] as const) {
    const u = app.linkOf(part, name);
    if (u) urls.add(u);
  }
  if (t.body) for (const name of ['conversation', 'messaging', 'from']) {
    const u = link({ url: t.url, body: t.body }, w.prefix, name);
    if (u) urls.add(u);
  }
  return Promise.all([...urls].map((u) => app.get(u)));
}

/**
 * A whole accepted invitation, read on both sides on the way: both sign in and open their channels, the caller starts
 * messaging, the callee receives it, both read their invitation and every linked resource, the callee accepts, both
 * complete, and both read everything again. Every failure on the way is Inconclusive naming its requirement.
 */
export async function acceptedFlow(w: ConformanceWorld): Promise<void> {
  await Promise.all(ROLES.map((r) => w.ready(r)));
  // With the capability declared the invitations carry customContent too, so that WIRE-3 sees its (never prefixed) key.
  const body = w.defaultStartMessaging();
  if (w.target.capabilities.customContent)
    body._links = { ...(body._links as object), customContent: { href: `data:application/json;base64,${Buffer.from('{"kind":"conformance"}').toString('base64')}` } };
  await started(w, body);
  await prerequisite('LC-2', () => receiveFor(w, 'LC-2'));
  for (const round of ['before', 'after']) {
    await Promise.all(ROLES.map((r) => w.readInvitation(r)));
    await Promise.all(ROLES.map((r) => readLinkedResources(w, r)));
    if (round === 'before') {
      await answer(w, 'accept');
      await prerequisite('EV-7', () => Promise.all(ROLES.map((r) => w.completed(r))));
    }
  }
}

/** Every representation of a role's invitation seen so far: each 200 GET of its URL and each copy embedded in an event. */
export function allRepresentations(w: ConformanceWorld, role: Role): { what: string; body: Record<string, unknown>; exchange?: Exchange }[] {
  const t = w.invitation(role);
  const out: { what: string; body: Record<string, unknown>; exchange?: Exchange }[] = [];
  for (const x of w.client.exchanges) {
    if (x.method !== 'GET' || x.status !== 200 || x.url !== t.url) continue;
    const b = objectBody(x);
    if (b) out.push({ what: `GET #${x.seq}`, body: b, exchange: x });
  }
  const ch = w.app(role).channel;
  for (const e of ch?.about(t.url) ?? [])
    if (e.embeddedInvitation) out.push({ what: `embedded in the ${e.type} event`, body: e.embeddedInvitation, ...(ch?.batches[e.batch - 1] ? { exchange: ch.batches[e.batch - 1]!.exchange } : {}) });
  return out;
}

/** The resolved href of `name` on the last representation of a tracked invitation. */
export function invitationLink(w: ConformanceWorld, t: Tracked, name: string): string | undefined {
  return t.body ? link({ url: t.url, body: t.body }, w.prefix, name) : undefined;
}

/** GETs a tracked invitation with the caller's application, records it, and returns the body (undefined unless 200). */
export async function readTracked(w: ConformanceWorld, t: Tracked): Promise<Record<string, unknown> | undefined> {
  const x = await w.app(t.role).get(t.url);
  const b = objectBody(x);
  if (x.status === 200 && b) w.observe(t, b);
  return x.status === 200 ? b : undefined;
}

/** The Location of a 201, resolved against the request URL. */
export function locationOf(x: Exchange): string | undefined {
  const v = x.responseHeaders.location;
  return resolveHref(Array.isArray(v) ? v[0] : v, x.url);
}
