import type { Application } from './client';
import { Inconclusive, objectBody } from './client';
import { bareName, canonicalize, type RelPrefix } from './dialect';
import type { Exchange } from './exchange';
import { embedded, isObject, link, resolveHref } from './links';
import { validate } from './schemas';
import { RequirementFailure } from './expect';

/** One event as received on a channel, with its hrefs resolved against the batch URL. */
export interface ReceivedEvent {
  seq: number;
  batch: number;
  /** performance.now() when the batch holding it was complete */
  receivedAt: number;
  senderRel: string;
  senderHref?: string;
  type: string;
  /** the bare name of `link.rel` (`?…` when spelled for another dialect) */
  linkRel: string;
  linkHref?: string;
  status?: unknown;
  reason?: unknown;
  /** the embedded invitation (`_embedded[⟨messagingInvitation⟩]`), raw */
  embeddedInvitation?: Record<string, unknown>;
  /** for link-only invitation events: the body of a GET on `link.href` made on arrival (for correlation) */
  fetched?: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface ReceivedBatch {
  seq: number;
  url: string;
  exchange: Exchange;
  receivedAt: number;
  /** EV-1: what is wrong with the batch's shape, [] when it is right (callbacks: CB-1 is judged by the steps) */
  problems: string[];
  /** the batch arrived as a callback (TAA) rather than as the answer to a P-GET */
  callback?: boolean;
}

export const EVENT_BATCH_SCHEMA = 'urn:ucwa-conformance:event-batch:1';

/** Thrown when an awaited event does not arrive before its deadline. */
export class EventWaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly seen: string,
  ) {
    super(`no ${what} within ${Math.round(waitedMs)} ms; the channel carried: ${seen || 'nothing'}`);
    this.name = 'EventWaitTimeout';
  }
}

interface Waiter {
  match(e: ReceivedEvent): boolean;
  resolve(e: ReceivedEvent): void;
  reject(e: Error): void;
}

/**
 * What every event stream offers the steps, whatever the transport (PROFILE.md §15, D37): the P-GET `EventChannel`
 * of a UCWA application and the `CallbackChannel` of a TAA endpoint (steps/support/callbacks/channel.ts). Resource-level
 * steps wait on this and never branch on the transport.
 */
export interface EventSource {
  readonly batches: ReceivedBatch[];
  readonly events: ReceivedEvent[];
  /** why the stream stopped on its own */
  readonly failure?: string;
  readonly failureExchange?: Exchange;
  /** performance.now() when the current P-GET was sent; always undefined for callbacks (nothing is pending) */
  readonly pendingSince?: number;
  readonly who: string;
  stop(): void;
  describe(): string;
  waitFor(match: (e: ReceivedEvent) => boolean, timeoutMs: number, what: string): Promise<ReceivedEvent>;
  about(url: string): ReceivedEvent[];
  waitForInvitationEvent(url: string, type: string, timeoutMs: number): Promise<ReceivedEvent>;
  waitForStartedWithThread(threadId: string, timeoutMs: number): Promise<ReceivedEvent>;
  hasThread(threadId: string): boolean;
  settled(): Promise<void>;
}

/**
 * The record and the waiting of an event stream: batches and events with their hrefs resolved, waiters with
 * deadlines, and the GET of a link-only `started` for correlation. Subclasses feed it batches.
 */
export abstract class EventStream implements EventSource {
  readonly batches: ReceivedBatch[] = [];
  readonly events: ReceivedEvent[] = [];
  /** why the channel stopped on its own (transport error, unexpected status, no next link) */
  failure?: string;
  failureExchange?: Exchange;
  /** the requirement the target broke when it stopped the channel (undefined: a transport failure) */
  failureRequirement?: string | undefined;
  /** performance.now() when the current P-GET was sent; undefined when none is pending */
  pendingSince?: number;
  private readonly waiters = new Set<Waiter>();
  private readonly fetches: Promise<void>[] = [];

  protected abstract get prefix(): RelPrefix;
  abstract get who(): string;
  abstract stop(): void;
  /** GET with the owner's credentials (the link-only `started`) */
  protected abstract getAsOwner(url: string): Promise<Exchange>;
  /** the secrets to redact from a failure's exchanges */
  protected abstract secrets(): string[];

  protected fail(why: string, x: Exchange, requirement?: string): void {
    this.failure = why;
    this.failureExchange = x;
    this.failureRequirement = requirement;
    for (const w of this.waiters) w.reject(this.stopped_());
    this.waiters.clear();
  }

  /** Why waiting on this channel is futile: a failure of the requirement the target broke, or inconclusive. */
  private stopped_(): Error {
    const why = `the ${this.who} channel stopped: ${this.failure}`;
    if (!this.failureRequirement) return new Inconclusive(why, this.failureExchange);
    return new RequirementFailure(this.failureRequirement, 'a 200 event batch linking next, resume or resync, so that the channel can go on', why, this.failureExchange ? [this.failureExchange] : [], this.secrets());
  }

  /**
   * Records one batch: `url` is the base its relative hrefs resolve against (the P-GET URL; a callback's `baseuri`),
   * `problems` what is wrong with its shape for the transport's rule (EV-1; callbacks are judged by CB-1 elsewhere).
   */
  protected receive(url: string, x: Exchange, body: Record<string, unknown>, problems: string[] = validate(EVENT_BATCH_SCHEMA, canonicalize(body, this.prefix)), receivedAt = x.receivedAt, callback = false): void {
    const batch: ReceivedBatch = {
      seq: this.batches.length + 1,
      url,
      exchange: x,
      receivedAt,
      problems,
      ...(callback ? { callback } : {}),
    };
    this.batches.push(batch);
    const senders = Array.isArray(body.sender) ? body.sender : [];
    for (const s of senders) {
      if (!isObject(s) || !Array.isArray(s.events)) continue;
      const senderHref = resolveHref(s.href, url);
      for (const ev of s.events) {
        if (!isObject(ev)) continue;
        const l = isObject(ev.link) ? ev.link : {};
        const e: ReceivedEvent = {
          seq: this.events.length + 1,
          batch: batch.seq,
          receivedAt,
          senderRel: typeof s.rel === 'string' ? s.rel : '',
          ...(senderHref ? { senderHref } : {}),
          type: typeof ev.type === 'string' ? ev.type : '',
          linkRel: typeof l.rel === 'string' ? bareName(this.prefix, l.rel) : '',
          ...(resolveHref(l.href, url) ? { linkHref: resolveHref(l.href, url) as string } : {}),
          ...('status' in ev ? { status: ev.status } : {}),
          ...('reason' in ev ? { reason: ev.reason } : {}),
          raw: ev,
        };
        const copy = embedded(ev, this.prefix, 'messagingInvitation');
        if (isObject(copy)) e.embeddedInvitation = copy;
        this.events.push(e);
        if (e.linkRel === 'messagingInvitation' && e.type === 'started' && !e.embeddedInvitation && e.linkHref) this.fetch(e);
      }
    }
    this.notify();
  }

  /** A link-only `started`: GET the invitation so that it can be correlated by threadId. */
  private fetch(e: ReceivedEvent): void {
    const p = this.getAsOwner(e.linkHref as string).then((x) => {
      const body = objectBody(x);
      if (x.status === 200 && body) e.fetched = body;
      this.notify();
    }, () => this.notify());
    this.fetches.push(p);
  }

  protected notify(): void {
    for (const w of [...this.waiters]) {
      const hit = this.events.find((e) => w.match(e));
      if (hit) {
        this.waiters.delete(w);
        w.resolve(hit);
      }
    }
  }

  /** A short list of what arrived, for failure messages. */
  describe(): string {
    return this.events
      .map((e) => `#${e.batch} ${e.type} ${e.linkRel} ${e.linkHref ?? '?'}${e.status !== undefined ? ` ${JSON.stringify(e.status)}` : ''}`)
      .join('; ');
  }

  /** Resolves with the first event (already received or arriving before the deadline) that matches. */
  waitFor(match: (e: ReceivedEvent) => boolean, timeoutMs: number, what: string): Promise<ReceivedEvent> {
    const hit = this.events.find(match);
    if (hit) return Promise.resolve(hit);
    if (this.failure) return Promise.reject(this.stopped_());
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new EventWaitTimeout(`${what} on the ${this.who} channel`, performance.now() - started, this.describe()));
      }, timeoutMs);
      const w: Waiter = {
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(w);
    });
  }

  /** The events about the invitation at `url`, in arrival order. */
  about(url: string): ReceivedEvent[] {
    return this.events.filter((e) => e.linkRel === 'messagingInvitation' && e.linkHref === url);
  }

  /** Waits for an event of `type` about the invitation at `url`. */
  waitForInvitationEvent(url: string, type: string, timeoutMs: number): Promise<ReceivedEvent> {
    return this.waitFor((e) => e.linkRel === 'messagingInvitation' && e.linkHref === url && e.type === type, timeoutMs, `${type} event for ${url}`);
  }

  /** Waits for the `started` of an invitation whose threadId is `threadId` (embedded copy or a GET of its link). */
  waitForStartedWithThread(threadId: string, timeoutMs: number): Promise<ReceivedEvent> {
    return this.waitFor(
      (e) => e.linkRel === 'messagingInvitation' && e.type === 'started' && (e.embeddedInvitation ?? e.fetched)?.threadId === threadId,
      timeoutMs,
      `started event of an invitation with threadId ${threadId}`,
    );
  }

  /** Whether any event about an invitation with this threadId has arrived (for "nothing appears" checks). */
  hasThread(threadId: string): boolean {
    return this.events.some((e) => (e.embeddedInvitation ?? e.fetched)?.threadId === threadId);
  }

  /** Waits until the link-only GETs started so far have completed. */
  async settled(): Promise<void> {
    await Promise.all(this.fetches);
  }
}

/**
 * The event channel of one application (PROFILE.md §8): keeps one P-GET pending, follows `next` (or `resume` /
 * `resync`) unchanged, records every batch and event, and lets a step wait for an event with a deadline.
 */
export class EventChannel extends EventStream {
  private running = false;
  private stopped = false;

  constructor(readonly app: Application) {
    super();
  }

  protected get prefix(): RelPrefix {
    return this.app.user.client.prefix;
  }

  get who(): string {
    return `${this.app.user.role} (events)`;
  }

  protected getAsOwner(url: string): Promise<Exchange> {
    return this.app.get(url);
  }

  protected secrets(): string[] {
    return [...this.app.user.client.target.secrets, ...(this.app.user.token ? [this.app.user.token] : [])];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop(this.app.eventsUrl);
  }

  /** Starts the reader at `href` (an href the application's channel gave) instead of its ⟨events⟩ link. */
  startAt(href: string): void {
    if (this.running) return;
    this.running = true;
    void this.loop(href);
  }

  /** Stops re-issuing the P-GET; the pending one is left to the transport's abort. */
  stop(): void {
    this.stopped = true;
    this.pendingSince = undefined;
  }

  private async loop(first: string): Promise<void> {
    let url = first;
    while (!this.stopped) {
      this.pendingSince = performance.now();
      let x: Exchange;
      try {
        x = await this.app.get(url, { who: this.who, timeoutMs: 200_000 });
      } catch (e) {
        // not sent (an events link on an untrusted origin): the waiters learn why instead of an unhandled rejection
        this.pendingSince = undefined;
        this.fail(`the P-GET was not sent: ${(e as Error).message}`, { seq: 0, who: this.who, method: 'GET', url, requestHeaders: {}, responseHeaders: {}, sentAt: performance.now(), receivedAt: performance.now(), error: (e as Error).message });
        break;
      }
      this.pendingSince = undefined;
      if (this.stopped) break;
      const body = objectBody(x);
      if (x.error || x.status !== 200 || !body) {
        // Inconclusive for the scenario: some scenarios provoke such answers on purpose (EV-4's 409 PGetReplaced).
        this.fail(
          x.error ? `the P-GET failed: ${x.error}` : x.status !== 200 ? `the P-GET was answered ${x.status}` : 'the P-GET answer is not a JSON object',
          x,
        );
        break;
      }
      this.receive(url, x, body);
      const doc = { url, body };
      const next = link(doc, '', 'next') ?? link(doc, '', 'resume') ?? link(doc, '', 'resync');
      if (!next) {
        // A batch the channel cannot go on from breaks EV-1 whatever the scenario was waiting for.
        this.fail('the batch has no next, resume or resync link', x, 'EV-1');
        break;
      }
      url = next;
    }
    this.running = false;
  }

}
