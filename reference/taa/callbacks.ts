/**
 * Callback delivery of a TAA endpoint (PROFILE.md §15.6): each endpoint's events, whatever reported them (the events
 * seam, the messaging modality), become EV-1 batches plus `baseuri`, POSTed with a signed `Authorization: Bearer` JWS
 * to the conversation's `callbackUrl` or the endpoint's default URL (with the conversation's `callbackContext`), one
 * at a time per conversation: the next batch leaves only after the previous one is answered or timed out (CB-10).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { Ctx } from '../context';
import { notFound } from '../errors';
import { isConversationEvent, type QueuedEvent } from '../events';
import { sendError } from '../http';
import type { Application, Channel, Conversation } from '../model';
import { TENANT, type Endpoint } from './directory';
import { decorate, endpointQueryValue } from './hrefs';
import type { SigningKey } from './keys';

export interface DeliveryEnv {
  /** The origin hrefs resolve against (`baseuri`) and the issuer (`<origin>/<tenant>/`). */
  origin(): string;
  issuer(): string;
  /** `appid` of callback tokens. */
  appId: string;
  /** How long an answer is awaited before the next callback of the conversation leaves. */
  timeoutMs: number;
  key: SigningKey;
}

interface ConversationState {
  /** The conversation's `callbackUrl` (CB-4); absent: the endpoint's default URL. */
  url?: string;
  /** The context added to callbacks on the default URL (CB-7, CB-9). */
  context?: string;
  queue: QueuedEvent[];
  busy: boolean;
  scheduled: boolean;
  ack: number;
  /** A fault's `goesOn` said no: nothing more is delivered for it. */
  stopped: boolean;
}

/** What a callback POST got back: the status (undefined: no answer) and the JSON body, if any. */
interface Answer {
  status?: number;
  body?: unknown;
}

const MAX_ANSWER_BYTES = 64 * 1024;
const TOKEN_REUSE_MS = 60_000;

/** The callbacks of all TAA endpoints: signing, sending, the per-conversation order. */
export class Delivery {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly tokens = new Map<string, { token: string; at: number }>();
  private closed = false;
  /** Callbacks sent and not yet answered (for clean-up checks). */
  inFlight = 0;

  constructor(readonly ctx: Ctx, readonly env: DeliveryEnv) {}

  /** The `Authorization` value of a callback to an endpoint: claims of CB-5, reused for a minute per audience. */
  async authorization(ep: Endpoint): Promise<string> {
    const aud = ep.aad.appIdUri;
    const now = Date.now();
    const cached = this.tokens.get(aud);
    if (cached && now - cached.at < TOKEN_REUSE_MS) return cached.token;
    const iat = Math.floor(now / 1000) - 5;
    const hooks = this.ctx.taa;
    const claims = hooks.claims({ aud, iss: this.env.issuer(), tid: TENANT, appid: this.env.appId, iat, nbf: iat, exp: iat + 3600 });
    const token = `Bearer ${await this.env.key.sign(claims, hooks.signingKey(await this.env.key.privateKey()))}`;
    this.tokens.set(aud, { token, at: now });
    return token;
  }

  /** A batch body for an endpoint: its links and events, `baseuri`, `endpointId` on every href, the callback hook. */
  body(ep: Endpoint, links: Record<string, { href: string }>, events: readonly QueuedEvent[]): string {
    const batch = { ...this.ctx.rep.batch(ep.app, links, events), baseuri: this.env.origin() };
    return JSON.stringify(this.ctx.taa.callbackBody(decorate(batch, endpointQueryValue(ep.account.uri)) as Record<string, unknown>));
  }

  /**
   * Probes a `callbackUrl` with an empty batch (TSM-3): reachable when anything answers. `.invalid` names never
   * resolve (RFC 6761 §6.4), so they are unreachable at once.
   */
  async probe(ep: Endpoint, url: string): Promise<boolean> {
    const body = this.body(ep, { self: { href: `${ep.app.href}/events?probe=1` } }, []);
    const answer = await this.post(url, body, await this.authorization(ep), Math.min(this.env.timeoutMs, 5000));
    return answer.status !== undefined;
  }

  /** POSTs one callback; resolves (never rejects) with the answer, or without a status when none came in time. */
  post(url: string, body: string, authorization: string, timeoutMs = this.env.timeoutMs): Promise<Answer> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({});
        return;
      }
      if (this.closed || target.hostname.toLowerCase().endsWith('.invalid') || !/^https?:$/.test(target.protocol)) {
        resolve({});
        return;
      }
      let done = false;
      const finish = (answer: Answer): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight--;
        resolve(answer);
      };
      this.inFlight++;
      const secure = target.protocol === 'https:';
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: {
          Authorization: authorization,
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
          } catch {
            parsed = undefined;
          }
          finish({ status: res.statusCode, body: parsed });
        });
        res.on('error', () => finish({ status: res.statusCode }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({});
      }, timeoutMs);
      timer.unref();
      req.on('error', () => finish({}));
      req.end(body);
    });
  }

  close(): void {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** The channel of a TAA endpoint's application: events go out as callbacks, per conversation, in order. */
export class CallbackChannel implements Channel {
  readonly href = '';
  readonly hasPending = false;
  /** Set once the endpoint exists (it holds this channel's application). */
  endpoint!: Endpoint;
  private readonly states = new WeakMap<Conversation, ConversationState>();
  private closed = false;

  constructor(private readonly delivery: Delivery) {}

  /** A conversation's callback settings from its startMessaging (CB-4, CB-9). */
  configure(conv: Conversation, settings: { url?: string; context?: string }): void {
    const state = this.state(conv);
    if (settings.url !== undefined) state.url = settings.url;
    if (settings.context !== undefined) state.context = settings.context;
  }

  poll(_ack: number | undefined, _timeoutMs: number, res: ServerResponse): void {
    sendError(res, notFound());
  }

  push(event: QueuedEvent): void {
    if (this.closed) return;
    const state = this.state(isConversationEvent(event) ? event.conv : event.inv.conversation);
    if (state.stopped) return;
    state.queue.push(event);
    this.schedule(state);
  }

  close(): void {
    this.closed = true;
  }

  delete(): void {
    this.closed = true;
  }

  private state(conv: Conversation): ConversationState {
    let state = this.states.get(conv);
    if (state === undefined) {
      state = { queue: [], busy: false, scheduled: false, ack: 1, stopped: false };
      this.states.set(conv, state);
    }
    return state;
  }

  private schedule(state: ConversationState): void {
    if (state.busy || state.scheduled) return;
    state.scheduled = true;
    // events reported in one turn (e.g. a completion and its conversation updates) leave as one batch
    setImmediate(() => {
      state.scheduled = false;
      void this.flush(state);
    });
  }

  private async flush(state: ConversationState): Promise<void> {
    if (this.closed || state.busy || state.stopped || state.queue.length === 0) return;
    const hooks = this.delivery.ctx.taa;
    const serial = hooks.serial();
    const events = state.queue.splice(0);
    if (serial) state.busy = true;
    try {
      const ep = this.endpoint;
      const app: Application = ep.app;
      const ack = state.ack++;
      const key = `${app.id}~${ack}`;
      const links = {
        self: { href: `${app.href}/events?ack=${ack}&key=${key}` },
        next: { href: `${app.href}/events?ack=${ack + 1}&key=${key}` },
      };
      const target = hooks.target(state.url, ep.callbackUrl);
      const url = target.isDefault && state.context !== undefined ? hooks.withContext(target.url, state.context) : target.url;
      const answer = await this.delivery.post(url, this.delivery.body(ep, links, events), await this.delivery.authorization(ep));
      if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) {
        const context = hooks.contextFromAnswer(answer.body);
        if (context !== undefined) state.context = context;
      }
      if (!hooks.goesOn(answer.status)) {
        state.stopped = true;
        state.queue = [];
      }
    } finally {
      if (serial) {
        state.busy = false;
        if (state.queue.length > 0) this.schedule(state);
      }
    }
  }
}
