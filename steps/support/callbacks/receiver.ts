import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigurationError } from '../../../bin/errors';
import { accountsOf, type Target } from '../target';
import { RECEIVER_TAP_VARIABLE, type AnswerRule, type CallbacksPage, type ReceiverInfo, type RecordedCallback } from './types';

/** Largest callback body recorded; the rest is read and dropped. */
const MAX_BODY_BYTES = 1 << 20;

/** Epoch milliseconds with sub-millisecond resolution, comparable across the run's processes. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The key a callback is identified by (PROFILE.md §15.7): the path and the query minus `callbackContext`. Both the
 * declared URLs and the arriving request targets go through the same URL parser, so their spellings compare.
 */
export function routeKey(urlOrPath: string): string {
  const u = new URL(urlOrPath, 'http://receiver.invalid');
  const q = new URLSearchParams(u.search);
  q.delete('callbackContext');
  const rest = q.toString();
  return `${u.pathname}${rest ? `?${rest}` : ''}`;
}

interface Route {
  kind: 'default' | 'conversation';
  url: string;
  account?: string;
}

interface ActiveRule extends AnswerRule {
  id: string;
  key: string;
  left: number;
}

interface LongPoll {
  since: number;
  resolve(page: CallbacksPage): void;
}

export interface ReceiverOptions {
  /** sockets to listen on, "host:port" (IPv6 host in brackets); port 0 picks a free one */
  listen: string[];
  /** TLS for the receiver's own sockets (TARGET.md §12 callbackReceiver.tls) */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

function splitAuthority(a: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(a);
  if (!m) throw new Error(`not host:port: ${a}`);
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

function isStartedInvitation(body: string): boolean {
  try {
    const b = JSON.parse(body) as { sender?: { events?: { type?: unknown; link?: { rel?: unknown } }[] }[] };
    return (b.sender ?? []).some((s) => (s.events ?? []).some((e) => e.type === 'started' && typeof e.link?.rel === 'string' && /(^|:)messagingInvitation$/.test(e.link.rel)));
  } catch {
    return false;
  }
}

/**
 * The suite's callback receiver (PROFILE.md §15.7, normative for the suite). It lives in the coordinator process:
 * it matches a POST by path (and the query minus `callbackContext`) against the declared default callback URLs and
 * the conversation URLs it issued, answers 200 with no body at once unless an answer rule registered beforehand says
 * otherwise (404 for any other path, 405 for any other method), records every request with its arrival time, URL,
 * headers and body, and never fetches a link of a callback. No check runs here: judging is the workers' business,
 * so that an invalid callback is still answered 200 and a failure does not cascade.
 *
 * Cucumber workers are separate processes: they read the record and register rules through the loopback-only tap
 * (`tapUrl`, exported to them in RECEIVER_TAP_VARIABLE).
 */
export class CallbackReceiver {
  readonly records: RecordedCallback[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly rules: ActiveRule[] = [];
  private readonly polls = new Set<LongPoll>();
  private readonly servers: http.Server[] = [];
  private tap?: http.Server;
  private readonly tapKey = randomBytes(16).toString('hex');
  /** "host:port" of each listening socket, ports as bound */
  readonly listening: string[] = [];
  private scheme: 'http' | 'https' = 'http';
  conversationUrlBase?: string;
  tapUrl = '';

  private constructor() {}

  /** Starts the listeners and the tap. A socket it cannot bind throws (the caller names the member). */
  static async start(o: ReceiverOptions): Promise<CallbackReceiver> {
    const r = new CallbackReceiver();
    r.scheme = o.tls ? 'https' : 'http';
    try {
      for (const a of o.listen) {
        const { host, port } = splitAuthority(a);
        const handler: http.RequestListener = (req, res) => r.handle(req, res);
        const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler) : http.createServer(handler);
        server.keepAliveTimeout = 5000;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        r.servers.push(server);
        const bound = (server.address() as AddressInfo).port;
        r.listening.push(`${host.includes(':') ? `[${host}]` : host}:${bound}`);
      }
      const tap = http.createServer((req, res) => r.handleTap(req, res));
      await new Promise<void>((resolve, reject) => {
        tap.once('error', reject);
        tap.listen(0, '127.0.0.1', () => resolve());
      });
      r.tap = tap;
      r.tapUrl = `http://127.0.0.1:${(tap.address() as AddressInfo).port}/${r.tapKey}`;
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  /** The origin of the first listener as the platform would call it without a tunnel (the embedded run). */
  get localOrigin(): string {
    return `${this.scheme}://${this.listening[0] ?? ''}`;
  }

  /** Declares the routes of a target: every TAA account's default callback URL, and the conversation URL base. */
  configure(target: Target): void {
    for (const { account } of accountsOf(target))
      if (account.transport === 'taa' && account.callbackUrl) this.addRoute({ kind: 'default', url: account.callbackUrl, account: account.uri });
    if (target.taa?.callbackReceiver.conversationUrlBase) this.conversationUrlBase = target.taa.callbackReceiver.conversationUrlBase;
  }

  addRoute(route: Route): void {
    this.routes.set(routeKey(route.url), route);
  }

  /**
   * A fresh conversation URL (`conversationUrlBase` + a UUID), registered as a route. With `length`, a `pad` query
   * parameter makes it exactly that many UTF-16 code units long (TSM-1's 1024 case).
   */
  issueConversationUrl(length?: number): string {
    if (!this.conversationUrlBase) throw new Error('no taa.callbackReceiver.conversationUrlBase (and no TAA caller to derive it from)');
    let url = `${this.conversationUrlBase}${randomUUID()}`;
    if (length !== undefined) {
      const room = length - url.length - '?pad='.length;
      if (room < 0) throw new Error(`a conversation URL cannot be ${length} characters long: ${url.length} before padding`);
      url = `${url}?pad=${'x'.repeat(room)}`;
    }
    this.addRoute({ kind: 'conversation', url });
    return url;
  }

  /** Registers an answer rule; returns its id. */
  addRule(rule: AnswerRule): string {
    const id = randomUUID();
    this.rules.push({ ...rule, id, key: routeKey(rule.url), left: rule.times === 'always' ? Infinity : (rule.times ?? 1) });
    return id;
  }

  removeRule(id: string): void {
    const i = this.rules.findIndex((r) => r.id === id);
    if (i >= 0) this.rules.splice(i, 1);
  }

  /** The callbacks after `since`. */
  since(since: number): CallbacksPage {
    const callbacks = this.records.filter((c) => c.seq > since);
    return { callbacks, last: this.records.length };
  }

  info(): ReceiverInfo {
    return { listening: [...this.listening], ...(this.conversationUrlBase ? { conversationUrlBase: this.conversationUrlBase } : {}) };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const arrivedAt = epochNow();
    const path = req.url ?? '/';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const route = this.routes.get(routeKey(path));
    const origin = route ? new URL(route.url).origin : `${this.scheme}://${headers.host ?? this.listening[0] ?? 'receiver'}`;
    let context: string | undefined;
    try {
      context = new URL(path, 'http://receiver.invalid').searchParams.get('callbackContext') ?? undefined;
    } catch {
      context = undefined;
    }
    const record: RecordedCallback = {
      seq: this.records.length + 1,
      arrivedAt,
      method: req.method ?? '',
      url: `${origin}${path}`,
      path,
      headers,
      body,
      ...(route ? { route: { ...route } } : {}),
      ...(context !== undefined ? { callbackContext: context } : {}),
      answer: { status: 200 },
      answeredAt: arrivedAt,
    };
    let status = 200;
    let json: string | undefined;
    let holdMs = 0;
    if (req.method !== 'POST') status = 405;
    else if (!route) status = 404;
    else {
      const key = routeKey(path);
      const rule = this.rules.find((r) => r.key === key && r.left > 0 && (r.match !== 'invitation-started' || isStartedInvitation(body)));
      if (rule) {
        rule.left -= 1;
        if (rule.left <= 0) this.removeRule(rule.id);
        status = rule.status ?? 200;
        if (rule.json !== undefined) json = JSON.stringify(rule.json);
        holdMs = rule.holdMs ?? 0;
        record.answer.ruleId = rule.id;
      }
    }
    record.answer.status = status;
    if (json !== undefined) Object.assign(record.answer, { contentType: 'application/json', body: json });
    if (holdMs) {
      record.answer.heldMs = holdMs;
      record.answeredAt = arrivedAt + holdMs;
    }
    const send = () => {
      const h: Record<string, string | number> = { 'Content-Length': json === undefined ? 0 : Buffer.byteLength(json) };
      if (json !== undefined) h['Content-Type'] = 'application/json';
      if (status === 405) h.Allow = 'POST';
      res.writeHead(status, h);
      res.end(json);
      record.answeredAt = epochNow();
    };
    // Recorded at arrival (the order of arrival is the order of the record, CB-10), the answer it is given included.
    this.records.push(record);
    this.wake();
    // A timer may fire up to a millisecond early; the held answer never goes before arrivedAt + holdMs, the time the
    // record (as workers may already have read it) says it was given (CB-10 compares arrivals with it).
    const sendWhenHeld = () => {
      const left = arrivedAt + holdMs - epochNow();
      if (left > 0) setTimeout(sendWhenHeld, Math.ceil(left));
      else send();
    };
    if (holdMs) setTimeout(sendWhenHeld, holdMs);
    else send();
  }

  private wake(): void {
    for (const p of [...this.polls]) {
      const page = this.since(p.since);
      if (page.callbacks.length) {
        this.polls.delete(p);
        p.resolve(page);
      }
    }
  }

  private handleTap(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (a: TapAnswer) => {
        const text = a.value === undefined ? '' : JSON.stringify(a.value);
        res.writeHead(a.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      const u = new URL(req.url ?? '/', 'http://tap.invalid');
      const prefix = `/${this.tapKey}/`;
      if (!u.pathname.startsWith(prefix)) return reply({ status: 404, value: { error: 'unknown tap path' } });
      const call = this.tapCall(req.method ?? '', `${u.pathname.slice(prefix.length)}${u.search}`, Buffer.concat(chunks).toString('utf8'));
      res.on('close', call.cancel);
      void call.answer.then(reply);
      return undefined;
    });
  }

  /**
   * One operation of the tap, whichever way it came: `what` is the path after the tap's key, with its query
   * (`callbacks?since=3&waitMs=20000`, `rules`, `rules/<id>`, `conversation-url`, `info`), `body` the request's JSON
   * text. The loopback HTTP tap and the workers' IPC relay (tapRelay) both answer through it. `cancel` ends a
   * long-poll whose asker went away.
   */
  tapCall(method: string, what: string, body: string): { answer: Promise<TapAnswer>; cancel: () => void } {
    const done = (status: number, value?: unknown) => ({ answer: Promise.resolve({ status, ...(value !== undefined ? { value } : {}) }), cancel: () => undefined });
    const u = new URL(what, 'http://tap.invalid/');
    const op = u.pathname.slice(1);
    let input: Record<string, unknown> = {};
    try {
      if (body) input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return done(400, { error: 'not JSON' });
    }
    try {
      if (method === 'GET' && op === 'callbacks') {
        const since = Number(u.searchParams.get('since') ?? 0);
        const waitMs = Math.min(Number(u.searchParams.get('waitMs') ?? 0), 30_000);
        const page = this.since(since);
        if (page.callbacks.length || !waitMs) return done(200, page);
        let poll: LongPoll | undefined;
        let timer: NodeJS.Timeout | undefined;
        const answer = new Promise<TapAnswer>((resolve) => {
          const p: LongPoll = { since, resolve: (pg) => resolve({ status: 200, value: pg }) };
          poll = p;
          this.polls.add(p);
          timer = setTimeout(() => {
            if (this.polls.delete(p)) resolve({ status: 200, value: this.since(since) });
          }, waitMs);
        });
        return {
          answer,
          cancel: () => {
            clearTimeout(timer);
            if (poll) this.polls.delete(poll);
          },
        };
      }
      if (method === 'POST' && op === 'rules') return done(201, { id: this.addRule(input as unknown as AnswerRule) });
      if (method === 'DELETE' && op.startsWith('rules/')) {
        this.removeRule(op.slice('rules/'.length));
        return done(204);
      }
      if (method === 'POST' && op === 'conversation-url') return done(201, { url: this.issueConversationUrl(typeof input.length === 'number' ? input.length : undefined) });
      if (method === 'GET' && op === 'info') return done(200, this.info());
      return done(404, { error: `unknown tap operation ${method} ${op}` });
    } catch (e) {
      return done(409, { error: (e as Error).message });
    }
  }

  async close(): Promise<void> {
    for (const p of this.polls) p.resolve(this.since(p.since));
    this.polls.clear();
    const closeOne = (s: http.Server) =>
      new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections?.();
      });
    await Promise.all([...this.servers, ...(this.tap ? [this.tap] : [])].map(closeOne));
  }
}

/**
 * Where the receiver of a target listens (TARGET.md §12): `callbackReceiver.bind`, else the authority of every
 * declared callback URL and of `conversationUrlBase`. Each entry names the member it comes from.
 */
export function receiverSockets(target: Target): { authority: string; member: string }[] {
  const taa = target.taa;
  if (!taa) return [];
  if (taa.callbackReceiver.bind) return [{ authority: taa.callbackReceiver.bind, member: 'taa.callbackReceiver.bind' }];
  const out: { authority: string; member: string }[] = [];
  const add = (url: string, member: string) => {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    const authority = `${u.hostname}:${port}`;
    if (!out.some((o) => o.authority === authority)) out.push({ authority, member });
  };
  for (const { where, account } of accountsOf(target)) if (account.transport === 'taa' && account.callbackUrl) add(account.callbackUrl, `${where}.callbackUrl`);
  if (taa.callbackReceiver.conversationUrlBase) add(taa.callbackReceiver.conversationUrlBase, 'taa.callbackReceiver.conversationUrlBase');
  return out;
}

/**
 * Starts the receiver a target description asks for, or throws a ConfigurationError naming the member whose socket
 * cannot be bound (in use, no permission, not an address of this machine) or whose TLS files cannot be read.
 */
export async function startReceiverFor(target: Target): Promise<CallbackReceiver> {
  const tls = target.taa?.callbackReceiver.tls;
  let pem: { cert: Buffer; key: Buffer } | undefined;
  if (tls) {
    try {
      pem = { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) };
    } catch (e) {
      throw new ConfigurationError(`taa.callbackReceiver.tls: ${(e as NodeJS.ErrnoException).path ?? ''} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const sockets = receiverSockets(target);
  let receiver: CallbackReceiver | undefined;
  const started: string[] = [];
  try {
    for (const s of sockets) started.push(s.authority);
    receiver = await CallbackReceiver.start({ listen: started, ...(pem ? { tls: pem } : {}) });
  } catch (e) {
    // Find which socket failed by binding them one by one (the error of a multi-socket start names no member).
    for (const s of sockets) {
      try {
        const probe = await CallbackReceiver.start({ listen: [s.authority] });
        await probe.close();
      } catch (err) {
        throw new ConfigurationError(`${s.member}: the callback receiver cannot listen on ${s.authority}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    throw new ConfigurationError(`taa.callbackReceiver: the callback receiver cannot start: ${(e as Error).message}`);
  }
  receiver.configure(target);
  return receiver;
}

/** An answer of the tap: status and JSON value. */
export interface TapAnswer {
  status: number;
  value?: unknown;
}

/** Exports the tap's address to the worker processes (they inherit the environment). */
export function exportTap(receiver: CallbackReceiver): () => void {
  process.env[RECEIVER_TAP_VARIABLE] = receiver.tapUrl;
  return () => {
    if (process.env[RECEIVER_TAP_VARIABLE] === receiver.tapUrl) delete process.env[RECEIVER_TAP_VARIABLE];
  };
}
