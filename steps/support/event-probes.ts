import { SCHEMA } from './checks';
import { Application, Inconclusive, User, header, objectBody } from './client';
import { EventChannel, type EventSource, type ReceivedBatch, type ReceivedEvent } from './events';
import type { Exchange } from './exchange';
import { show } from './expect';
import { isObject, link, resolveHref } from './links';
import type { Account } from './target';
import type { ConformanceWorld } from './world';

/** An invitation started from an extra application, cancelled after the scenario when still Connecting. */
export interface ExtraInvitation {
  app: Application;
  url: string;
  threadId: string;
}

/** What a scenario keeps besides the World's caller and callee: extra applications and their probes. */
export interface Extras {
  /** applications created besides the caller's and the callee's, deleted after the scenario */
  apps: Application[];
  /** the caller's throw-away application of the scenario */
  throwaway?: Application;
  invitations: ExtraInvitation[];
  /** EV-3: the first parked P-GET of an idle-channel check and the href it was parked on */
  parked?: { href: string; answer: Promise<Exchange> };
  /** EV-4: the two P-GETs on one href (the second is the reader's first) */
  replaced?: { first?: Exchange };
  /** SEC-3: the foreign request and how many batches the owner's channel had when it was sent */
  foreign?: { exchange: Exchange; batchesBefore: number };
  /** the fixture users' channels (SEC-2) */
  fixtureChannels: { name: string; channel: EventChannel }[];
}

declare module './world' {
  interface ConformanceWorld {
    extras?: Extras;
  }
}

/** The scenario's extras, created on first use. */
export function extras(w: ConformanceWorld): Extras {
  if (!w.extras) {
    w.extras = { apps: [], invitations: [], fixtureChannels: [] };
    // Part of the World's clean-up, so that an interrupted run removes these applications too.
    w.atCleanUp(() => disposeExtras(w));
  }
  return w.extras;
}

/** The resolved `next`, `resume` or `resync` href of a batch body received from `url`, or undefined. */
export function continuation(body: Record<string, unknown>, url: string): string | undefined {
  const doc = { url, body };
  return link(doc, '', 'next') ?? link(doc, '', 'resume') ?? link(doc, '', 'resync');
}

/** How many events a batch body carries, over all its sender blocks. */
export function eventCount(body: Record<string, unknown>): number {
  const senders = Array.isArray(body.sender) ? body.sender : [];
  return senders.reduce((n: number, s) => n + (isObject(s) && Array.isArray(s.events) ? s.events.length : 0), 0);
}

/** The href the reader requested next after the batches seen so far: ⟨events⟩, then each batch's continuation. */
export function currentHref(ch: EventChannel): string | undefined {
  const last = ch.batches[ch.batches.length - 1];
  if (!last) return ch.app.eventsUrl;
  const body = objectBody(last.exchange);
  return body ? continuation(body, last.url) : undefined;
}

/** EV-2: where the reader did not request exactly the continuation href of the previous batch; [] when it always did. */
export function continuationProblems(ch: EventChannel): { problem: string; batch: ReceivedBatch }[] {
  const out: { problem: string; batch: ReceivedBatch }[] = [];
  let expected: string | undefined = ch.app.eventsUrl;
  for (const b of ch.batches) {
    if (b.url !== expected) out.push({ problem: `batch #${b.seq} was requested at ${b.url}, the previous batch said ${expected ?? '(no continuation)'}`, batch: b });
    const body = objectBody(b.exchange);
    expected = body ? continuation(body, b.url) : undefined;
  }
  return out;
}

/** Waits `ms` so that late deliveries (a repeated event, an event after completed) have time to arrive. */
export function linger(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** EV-2: what is wrong with the delivery of an invitation's events (duplicates, order); undefined when it is right. */
export function deliveryProblem(events: readonly ReceivedEvent[]): string | undefined {
  const started = events.filter((e) => e.type === 'started');
  const completed = events.filter((e) => e.type === 'completed');
  const list = events.map((e) => `${e.type} (batch #${e.batch})`).join(', ') || 'none';
  if (started.length !== 1 || completed.length !== 1) return `${started.length} started and ${completed.length} completed: ${list}`;
  if (started[0]!.seq > completed[0]!.seq) return `completed delivered before started: ${list}`;
  return undefined;
}

/** A new application of the caller's account (signed in on first use), outside the World's caller/callee pair. */
export async function throwawayApplication(w: ConformanceWorld): Promise<Application> {
  const x = extras(w);
  if (x.throwaway) return x.throwaway;
  const user = w.user('caller');
  if (!user.token) await user.signIn();
  const app = await w.created(() => user.createApplication());
  x.apps.push(app);
  x.throwaway = app;
  return app;
}

/** The scenario's throw-away application, or Inconclusive when a step did not create it. */
export function throwaway(w: ConformanceWorld): Application {
  const app = w.extras?.throwaway;
  if (!app) throw new Inconclusive('the scenario has no throw-away application');
  return app;
}

/** Resolves with the exchange when `p` settles within `ms`, else with undefined. */
export async function within(p: Promise<Exchange>, ms: number): Promise<Exchange | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * EV-4: parks a P-GET on `app`'s channel, waits until it has been pending for `settleMs`, then starts a reader on
 * the same href (the second P-GET). A P-GET answered with events before the second was sent is followed to its
 * continuation and the attempt repeated. Returns the first P-GET's answer (up to `answerMs` after the second).
 */
export async function parkTwice(app: Application, settleMs = 1000, answerMs = 5000): Promise<{ first?: Exchange; second: EventChannel; href: string }> {
  let href = app.eventsUrl;
  for (let attempt = 0; attempt < 5; attempt++) {
    const first = app.get(href, { who: `${app.user.role} (first P-GET)`, timeoutMs: 60_000 });
    const early = await within(first, settleMs);
    if (!early) {
      const second = new EventChannel(app);
      app.channel = second;
      second.startAt(href);
      return { first: await within(first, answerMs), second, href };
    }
    href = followEarly(early, href);
  }
  throw new Inconclusive("the suite's own P-GET was not pending: the fresh application's channel kept delivering events");
}

/** The continuation of a P-GET answered before the suite meant it to be; Inconclusive when that answer is not a batch with events. */
function followEarly(x: Exchange, href: string): string {
  const body = objectBody(x);
  if (x.status !== 200 || !body) throw new Inconclusive(`prerequisite EV-1 failed: the P-GET was answered ${x.status ?? x.error}`, x);
  if (eventCount(body) === 0) throw new Inconclusive('prerequisite EV-3 failed: an idle P-GET was answered at once with an empty batch', x);
  const next = continuation(body, href);
  if (!next) throw new Inconclusive('prerequisite EV-1 failed: the batch has no next, resume or resync link', x);
  return next;
}

/** The outcome of watching an idle channel: the empty answer (a violation) or how long the last P-GET stayed open. */
export interface IdleOutcome {
  /** a 200 answer without events, and how long after its P-GET was issued it came */
  empty?: { exchange: Exchange; afterMs: number };
  /** how long the last P-GET stayed open without an answer */
  openMs: number;
  exchanges: Exchange[];
}

/**
 * EV-3: follows an idle channel from a parked P-GET. An answer with events (other resources' events are legal)
 * is followed to its continuation; the watch ends at the first answer without events or when one P-GET has stayed
 * open `windowMs`. Gives up (Inconclusive) when events keep coming for `overallMs`.
 */
export async function watchIdle(app: Application, parked: { href: string; answer: Promise<Exchange> }, windowMs: number, overallMs: number): Promise<IdleOutcome> {
  const exchanges: Exchange[] = [];
  const end = performance.now() + overallMs;
  let href = parked.href;
  let answer = parked.answer;
  let issuedAt = performance.now();
  while (performance.now() < end) {
    const x = await within(answer, Math.max(0, issuedAt + windowMs - performance.now()));
    if (!x) return { openMs: performance.now() - issuedAt, exchanges };
    exchanges.push(x);
    const body = objectBody(x);
    if (x.status !== 200 || !body) throw new Inconclusive(`prerequisite EV-1 failed: the idle P-GET was answered ${x.status ?? x.error}`, x);
    if (eventCount(body) === 0) return { empty: { exchange: x, afterMs: x.receivedAt - x.sentAt }, openMs: x.receivedAt - x.sentAt, exchanges };
    const next = continuation(body, href);
    if (!next) throw new Inconclusive('prerequisite EV-1 failed: the batch has no next, resume or resync link', x);
    href = next;
    issuedAt = performance.now();
    answer = app.get(href, { who: `${app.user.role} (idle P-GET)`, timeoutMs: windowMs + 60_000 });
  }
  throw new Inconclusive(`the idle channel kept delivering events for ${overallMs} ms: its P-GET never stayed open`);
}

/** Parks the first P-GET of an idle-channel check on the application's ⟨events⟩ href. */
export function park(app: Application, timeoutMs: number): { href: string; answer: Promise<Exchange> } {
  const href = app.eventsUrl;
  return { href, answer: app.get(href, { who: `${app.user.role} (idle P-GET)`, timeoutMs }) };
}

/** EV-10: how long after its cause (the later of the cause's response and the issue of its P-GET) an event's batch came. */
export function delayAfter(ch: EventSource, e: ReceivedEvent, cause: Exchange): { ms: number; batch: ReceivedBatch } {
  const batch = ch.batches[e.batch - 1]!;
  // a callback is not requested: its delay runs from the cause; a P-GET batch's from its issue when that was later
  return { ms: batch.receivedAt - (batch.callback ? cause.receivedAt : Math.max(cause.receivedAt, batch.exchange.sentAt)), batch };
}

/** EV-10: fails unless the batch holding `e` came within 1 s of its cause (or of its P-GET's issue, when later). */
export function checkEventDelay(w: ConformanceWorld, role: 'caller' | 'callee', e: ReceivedEvent, cause: Exchange, what: string): void {
  const { ms, batch } = delayAfter(w.channel(role), e, cause);
  if (w.isTaa(role)) {
    // EV-10 on callbacks: the arrival at the receiver within timing.callbackLatencySeconds of the cause (D48)
    const bound = w.target.timing.callbackLatencySeconds * 1000;
    w.check('EV-10', ms <= bound, `the ${role}'s ${e.type} callback within ${bound / 1000} s of the ${what} response`, `${Math.round(ms)} ms`, [cause, batch.exchange]);
    return;
  }
  w.check('EV-10', ms <= 1000, `the ${role}'s ${e.type} within 1 s of the ${what} response (or of the issue of its P-GET, when later)`, `${Math.round(ms)} ms`, [cause, batch.exchange]);
}

/** Signs in each fixture user the target declares, creates an application and opens its channel (SEC-2). */
export async function openFixtureChannels(w: ConformanceWorld): Promise<number> {
  const x = extras(w);
  const fixtures = Object.entries(w.target.fixtures).filter((e): e is [string, Account] => isObject(e[1]));
  await Promise.all(
    fixtures.map(async ([name, account]) => {
      const user = new User(w.client, `fixture ${name}`, account);
      await user.signIn();
      const app = await w.created(() => user.createApplication());
      x.apps.push(app);
      x.fixtureChannels.push({ name, channel: app.openChannel() });
    }),
  );
  return fixtures.length;
}

/** Starts messaging the callee from an extra application with a new threadId; tracks the invitation for clean-up. */
export async function startFrom(w: ConformanceWorld, app: Application, threadId: string): Promise<{ exchange: Exchange; url?: string }> {
  const exchange = await app.startMessaging({ ...w.defaultStartMessaging(), threadId });
  const url = resolveHref(header(exchange, 'location'), exchange.url);
  if (exchange.status === 201 && url) extras(w).invitations.push({ app, url, threadId });
  return { exchange, ...(url ? { url } : {}) };
}

/** Cancels the extra invitations still Connecting, stops the extra channels and deletes the extra applications. */
export async function disposeExtras(w: ConformanceWorld): Promise<void> {
  const x = w.extras;
  if (!x) return;
  for (const inv of x.invitations) {
    const r = await inv.app.get(inv.url).catch(() => undefined);
    const body = r && objectBody(r);
    const cancel = body && body.state === 'Connecting' ? link({ url: inv.url, body }, w.prefix, 'cancel') : undefined;
    if (cancel) await inv.app.post(cancel).catch(() => undefined);
  }
  for (const app of x.apps) app.channel?.stop();
  await Promise.all(x.apps.filter((a) => !a.deleted).map((a) => a.delete().catch(() => undefined)));
  w.transport.abortAll();
}

const FINAL = ['Connected', 'Failed'];

/**
 * EV-9: checks each event about a role's invitation. An embedded copy passes the MI checks of its direction (schema
 * and the values sent), its `self` equals `link.href`, its `state` is Connecting for started/updated and final for
 * completed. A link-only event is accepted: the suite GETs `link.href` instead (final after completed).
 */
export async function checkInvitationCopies(w: ConformanceWorld, role: 'caller' | 'callee'): Promise<void> {
  const ch = w.channel(role);
  const t = w.invitation(role);
  const events = ch.about(t.url);
  w.check('EV-9', events.length > 0, `events about the ${role}'s invitation ${t.url}`, ch.describe(), []);
  const schema = role === 'caller' ? SCHEMA.outgoing : SCHEMA.incoming;
  const sent = w.sent ?? {};
  for (const e of events) {
    const batch = ch.batches[e.batch - 1]!;
    const what = `the ${role}'s ${e.type} event (batch #${batch.seq})`;
    let copy = e.embeddedInvitation;
    let base = batch.url;
    let xs: Exchange[] = [batch.exchange];
    if (!copy) {
      const x = await w.app(role).get(e.linkHref ?? t.url);
      const body = objectBody(x);
      w.check('EV-9', x.status === 200 && !!body, `a GET on link.href of the link-only ${what} answering 200 with the invitation`, `${x.status ?? x.error}`, [x]);
      copy = body as Record<string, unknown>;
      base = x.url;
      xs = [x];
    }
    const form = e.embeddedInvitation ? `the copy embedded in ${what}` : `the invitation read after the link-only ${what}`;
    w.checkSchema('EV-9', schema, copy, xs);
    const self = link({ url: base, body: copy }, w.prefix, 'self');
    w.check('EV-9', self === e.linkHref, `_links.self of ${form} equal to link.href ${e.linkHref}`, `self ${show(self)}`, xs);
    for (const k of ['threadId', 'subject', 'importance', ...(role === 'caller' ? ['operationId'] : [])])
      w.check('EV-9', copy[k] === sent[k], `${k} ${show(sent[k])} on ${form}`, show(copy[k]), xs);
    if (e.embeddedInvitation && e.type !== 'completed') w.check('EV-9', copy.state === 'Connecting', `state Connecting on ${form}`, show(copy.state), xs);
    if (e.type === 'completed') w.check('EV-9', FINAL.includes(copy.state as string), `a final state (Connected or Failed) on ${form}`, show(copy.state), xs);
  }
}

/** Resolves once the channel's P-GET has been pending for `minMs`; Inconclusive when it is not within `maxMs`. */
export async function awaitPending(ch: EventChannel, minMs = 200, maxMs = 3000): Promise<void> {
  const end = performance.now() + maxMs;
  while (performance.now() < end) {
    if (ch.pendingSince !== undefined && performance.now() - ch.pendingSince >= minMs) return;
    await linger(25);
  }
  throw new Inconclusive(`the suite's own P-GET was not pending on the ${ch.who} channel${ch.failure ? `: ${ch.failure}` : ''}`, ch.failureExchange);
}
