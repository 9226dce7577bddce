import type { RelPrefix } from '../dialect';
import { Inconclusive } from '../client';
import { EventStream, EventWaitTimeout, type ReceivedEvent } from '../events';
import type { Exchange } from '../exchange';
import { isObject } from '../links';
import type { Account } from '../target';
import type { ReceiverClient } from './client';
import { routeKey } from './receiver';
import type { RecordedCallback } from './types';

/**
 * A recorded callback as an Exchange, so that failure messages, exchanges.txt and the report's evidence show it
 * like any other exchange (redacted there: the Authorization value with every other secret header). Times are on
 * this process's performance.now() scale; `seq` is 100 000 + the receiver's sequence number.
 */
export function callbackAsExchange(c: RecordedCallback, who: string): Exchange {
  return {
    seq: 100_000 + c.seq,
    who,
    method: c.method,
    url: c.url,
    requestHeaders: { ...c.headers },
    ...(c.body ? { requestBody: c.body } : {}),
    status: c.answer.status,
    responseHeaders: c.answer.contentType ? { 'content-type': c.answer.contentType } : {},
    ...(c.answer.body ? { responseBody: c.answer.body } : {}),
    sentAt: c.arrivedAt - performance.timeOrigin,
    receivedAt: c.answeredAt - performance.timeOrigin,
  };
}

/** What a CallbackChannel needs of its TAA session. */
export interface CallbackOwner {
  readonly role: string;
  readonly account: Account;
  readonly prefix: RelPrefix;
  /** GET with the endpoint's token (a link-only `started`, after it arrived: TAPP-6) */
  get(url: string): Promise<Exchange>;
  secrets(): string[];
  /** where the channel's callbacks go as exchanges (the scenario's record), with the bearer token each carried (to redact) */
  record(x: Exchange, token?: string): void;
}

/** The `who` of the exchanges a role's callback stream records: callbacks the target sent, not requests of the suite. */
export function callbacksWho(role: string): string {
  return `${role} (callbacks)`;
}

/** Whether an exchange is a recorded callback (the target's request to the receiver), not one the suite sent. */
export function isRecordedCallback(x: { who: string }): boolean {
  return x.who.endsWith(' (callbacks)');
}

/**
 * The event stream of a TAA endpoint (PROFILE.md §15.6): the callbacks the run's receiver got on the endpoint's
 * default callback URL and on the conversation URLs its session passed as `callbackUrl`, each a batch whose hrefs
 * resolve against its `baseuri` (CB-2), received at the receiver's arrival time. The same wait API as the P-GET
 * `EventChannel`; no check of a callback's shape happens here (CB-1 and the other per-callback checks are steps').
 */
export class CallbackChannel extends EventStream {
  readonly callbacks: RecordedCallback[] = [];
  private readonly conversationKeys = new Set<string>();
  private unsubscribe?: () => void;
  private from = Number.MAX_SAFE_INTEGER;

  constructor(
    readonly owner: CallbackOwner,
    readonly receiver: ReceiverClient,
  ) {
    super();
  }

  protected get prefix(): RelPrefix {
    return this.owner.prefix;
  }

  get who(): string {
    return callbacksWho(this.owner.role);
  }

  protected getAsOwner(url: string): Promise<Exchange> {
    return this.owner.get(url);
  }

  protected secrets(): string[] {
    return this.owner.secrets();
  }

  /** Starts listening: callbacks the receiver records from now on. */
  async start(): Promise<void> {
    if (this.unsubscribe) return;
    this.from = await this.receiver.mark();
    this.unsubscribe = this.receiver.subscribe((c) => this.take(c));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /**
   * Waits as every event stream does; when the deadline passes and no request at all has reached the receiver during
   * the run, the observation was impossible rather than failed (PROFILE.md §1): CB-3 is the requirement that broke,
   * with the hint to check that the callback URLs reach the receiver.
   */
  override async waitFor(match: (e: ReceivedEvent) => boolean, timeoutMs: number, what: string): Promise<ReceivedEvent> {
    try {
      return await super.waitFor(match, timeoutMs, what);
    } catch (e) {
      if (!(e instanceof EventWaitTimeout)) throw e;
      const total = await this.receiver.mark().catch(() => undefined);
      if (total === 0)
        throw new Inconclusive(
          `prerequisite CB-3 failed: no request reached the callback receiver during the run (waiting for the ${what} on the ${this.who} stream); check that the callback URLs reach the receiver`,
        );
      throw e;
    }
  }

  /** Adds a conversation URL (a startMessaging `callbackUrl`) whose callbacks belong to this endpoint (CB-4). */
  addConversationUrl(url: string): void {
    this.conversationKeys.add(routeKey(url));
  }

  /** Whether a recorded callback is this endpoint's: its default URL, or a conversation URL its session used. */
  owns(c: RecordedCallback): boolean {
    if (c.method !== 'POST' || !c.route) return false;
    if (c.route.kind === 'default') return c.route.account?.toLowerCase() === this.owner.account.uri.toLowerCase();
    return this.conversationKeys.has(routeKey(c.path));
  }

  private take(c: RecordedCallback): void {
    if (c.seq <= this.from || !this.owns(c)) return;
    this.callbacks.push(c);
    const x = callbackAsExchange(c, this.who);
    const bearer = /^Bearer\s+(\S+)/i.exec(c.headers.authorization ?? '')?.[1];
    this.owner.record(x, bearer);
    let body: unknown;
    try {
      body = JSON.parse(c.body);
    } catch {
      body = undefined;
    }
    const doc = isObject(body) ? body : {};
    let base = c.url;
    if (typeof doc.baseuri === 'string')
      try {
        base = new URL(doc.baseuri).href;
      } catch {
        /* not an absolute URL: CB-1 judges it; hrefs resolve against the callback URL meanwhile */
      }
    this.receive(base, x, doc, [], c.arrivedAt - performance.timeOrigin, true);
  }
}
