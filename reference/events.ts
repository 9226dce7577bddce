/** The pending-GET event channel of one application (PROFILE.md §8, D10). */
import type { ServerResponse } from 'node:http';
import { conflict, HttpError, notFound } from './errors';
import { sendJson } from './http';
import type { Conversation, Invitation } from './model';
import type { Representer } from './represent';
import type { ReplacedPoll } from './seams';

export type EventType = 'started' | 'updated' | 'completed';

export interface ChannelEvent {
  inv: Invitation;
  type: EventType;
}

/**
 * An event of the messaging modality in a conversation's own sender block (outside PROFILE.md, as the public captures
 * show): `conversation`/`participant`/`messaging`/`message`/`typingParticipants` added, updated or completed. Rendered
 * when the batch is sent; no fault reaches these (they bypass the events seam).
 */
export interface ConversationEvent {
  conv: Conversation;
  /** The unprefixed rel of the linked resource and its href. */
  rel: string;
  href: string;
  type: 'added' | 'updated' | 'deleted' | 'completed';
  status?: 'Success' | 'Failure';
  /** The resource to embed, built by the representer when the batch is rendered (so it shows the state then). */
  embed?: (rep: Representer) => Record<string, unknown>;
}

export type QueuedEvent = ChannelEvent | ConversationEvent;

export const isConversationEvent = (e: QueuedEvent): e is ConversationEvent => 'conv' in e;

/** What a channel needs from its server: rendering batches, answering errors, the replaced-P-GET seam. */
export interface ChannelEnv {
  /** A batch body for its links and events. */
  batch(links: Record<string, { href: string }>, events: readonly QueuedEvent[]): unknown;
  /** Answers a P-GET with an error (through the replies seam). */
  fail(res: ServerResponse, error: HttpError): void;
  /** What happens to a replaced P-GET (the events seam); `refuse` answers it 409 PGetReplaced. */
  replaced(poll: ReplacedPoll, refuse: () => void): void;
}

interface PendingGet {
  ack: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

/** Events waiting beyond this many are dropped and the next batch says `resync` instead of `next`. */
const MAX_QUEUED_EVENTS = 10_000;

export class EventChannel {
  private nextAck = 1;
  /** The last answered batch, re-delivered if its ack is requested again before the next one. */
  private last: { ack: number; body: string } | undefined;
  private queue: QueuedEvent[] = [];
  private lost = false;
  private pending: PendingGet | undefined;
  private flushScheduled = false;
  private closed = false;
  /** Replaced P-GETs the events seam left open; cut by close(). */
  private orphans: ServerResponse[] = [];

  constructor(private readonly baseHref: string, private readonly env: ChannelEnv) {}

  /** The href a client should poll next. */
  get href(): string {
    return this.hrefFor(this.nextAck);
  }

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Handles a P-GET for `ack` (undefined: the expected one), holding it up to timeoutMs when nothing is queued. */
  poll(ack: number | undefined, timeoutMs: number, res: ServerResponse): void {
    const requested = ack ?? this.nextAck;
    if (this.last !== undefined && requested === this.last.ack) {
      sendJson(res, 200, this.last.body);
      return;
    }
    if (requested !== this.nextAck) {
      sendJson(res, 200, { _links: { self: { href: this.hrefFor(requested) }, resync: { href: this.href } }, sender: [] });
      return;
    }
    this.last = undefined;
    if (this.queue.length > 0 || this.closed) {
      this.answer(requested, res);
      return;
    }
    if (this.pending !== undefined) {
      const replaced = this.pending;
      this.pending = undefined;
      clearTimeout(replaced.timer);
      this.env.replaced({ res: replaced.res, self: this.hrefFor(replaced.ack), next: this.href },
        () => this.env.fail(replaced.res, conflict('PGetReplaced', 'The pending GET was replaced by a newer one.')));
      if (!replaced.res.writableEnded) this.orphans.push(replaced.res);
    }
    const pending: PendingGet = {
      ack: requested,
      res,
      timer: setTimeout(() => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        this.answer(pending.ack, pending.res);
      }, timeoutMs),
    };
    pending.timer.unref();
    this.pending = pending;
    res.on('close', () => {
      if (this.pending === pending) {
        clearTimeout(pending.timer);
        this.pending = undefined;
      }
    });
  }

  /** Queues an event; a pending P-GET is answered at once (High priority, EV-10). */
  push(event: QueuedEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (this.queue.length > MAX_QUEUED_EVENTS) {
      this.queue.shift();
      this.lost = true;
    }
    if (this.pending !== undefined && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Ends the channel: a pending P-GET is answered with `error` (or an empty batch when none is given). */
  close(error?: HttpError): void {
    this.closed = true;
    this.queue = [];
    for (const res of this.orphans.splice(0)) res.destroy();
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (error) this.env.fail(pending.res, error);
    else this.answer(pending.ack, pending.res);
  }

  /** Ends the channel of a deleted application (EV-5). */
  delete(): void {
    this.close(notFound('ApplicationNotFound'));
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    if (pending === undefined || this.queue.length === 0) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.answer(pending.ack, pending.res);
  }

  private answer(ack: number, res: ServerResponse): void {
    const events = this.queue;
    this.queue = [];
    const follow = this.lost ? 'resync' : 'next';
    this.lost = false;
    const links = { self: { href: this.hrefFor(ack) }, [follow]: { href: this.hrefFor(ack + 1) } };
    const body = JSON.stringify(this.env.batch(links, events));
    this.nextAck = ack + 1;
    this.last = { ack, body };
    sendJson(res, 200, body);
  }

  private hrefFor(ack: number): string {
    return `${this.baseHref}?ack=${ack}`;
  }
}
