import { Agent as HttpAgent, type RequestListener, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import supertest from 'supertest';
import type { Exchange } from './exchange';

export interface HttpRequest {
  who: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** time to wait for the complete answer; default the transport's */
  timeoutMs?: number;
}

export interface TransportOptions {
  /** an in-process app to serve requests for `appOrigin` instead of the network */
  app?: RequestListener;
  appOrigin?: string;
  /** default time for one exchange */
  timeoutMs?: number;
  /** largest response body read; the rest is dropped and the exchange marked truncated */
  maxBodyBytes?: number;
  onExchange?: (x: Exchange) => void;
  /** TLS: a private CA (PEM) to trust besides the system's, or certificate checks switched off */
  tls?: TlsOptions;
}

/** How https targets are verified: against the system CAs (default), plus a private CA, or not at all. */
export interface TlsOptions {
  ca?: string;
  insecure?: boolean;
}

interface RawBody {
  text: string;
  truncated: boolean;
}

type Pending = { who: string; abort(): void };

/**
 * Circuit breaker of the whole run. The target is taken to have stopped answering, and every further request of
 * the run fails at once (its scenario inconclusive), when
 *  - a request with the normal deadline got no complete answer in time and no authenticated request of the run got
 *    one while it waited (the application API answered nothing for a whole deadline), or
 *  - this many exchanges in a row ended without a complete answer in time, with no authenticated request answered
 *    between them.
 * Answers to anonymous requests (discovery, the 401 probe) do not count: they often come from another origin that
 * keeps answering while the application API hangs.
 * Cucumber workers are separate processes: the run shares the state through files in the directory named by
 * BREAKER_DIR_VARIABLE (`answered`: its modification time is the last complete answer; `tripped`: the reason),
 * and the coordinator watches `tripped` to end the run. Without that variable the state is this process's own.
 */
export const STOPPED_ANSWERING_AFTER = 3;
export const BREAKER_DIR_VARIABLE = 'UCWA_CONFORMANCE_BREAKER_DIR';
const health: { timeoutsInARow: number; lastAnswerAt: number; tripped?: string } = { timeoutsInARow: 0, lastAnswerAt: 0 };

function breakerDir(): string | undefined {
  return process.env[BREAKER_DIR_VARIABLE] || undefined;
}

/** Prepares the run-wide breaker in `dir` (the coordinator calls this before the workers start). */
export function initBreaker(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'tripped'), { force: true });
  fs.writeFileSync(path.join(dir, 'answered'), '');
}

/**
 * How stale the shared files may be: another process's trip is seen, and this process's last answer is written, at
 * most this long after it happened (reading or touching a file on every request cost a quick run about 1 s of CPU).
 */
export const BREAKER_SHARE_MS = 100;
let trippedCheckedAt = -Infinity;

/** Why the run's breaker tripped, or undefined while the target answers. */
export function breakerTripped(dir = breakerDir()): string | undefined {
  if (health.tripped !== undefined) return health.tripped;
  if (!dir) return undefined;
  try {
    return (health.tripped = fs.readFileSync(path.join(dir, 'tripped'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** breakerTripped for every request: the shared file is read at most every BREAKER_SHARE_MS. */
function trippedBeforeSending(): string | undefined {
  if (health.tripped !== undefined || !breakerDir()) return health.tripped;
  const now = performance.now();
  if (now - trippedCheckedAt < BREAKER_SHARE_MS) return undefined;
  trippedCheckedAt = now;
  return breakerTripped();
}

function trip(reason: string): void {
  health.tripped ??= reason;
  const dir = breakerDir();
  if (!dir) return;
  try {
    // 'wx': the first process to trip names the reason; the others keep it
    fs.writeFileSync(path.join(dir, 'tripped'), reason, { flag: 'wx' });
  } catch {
    /* already tripped by another worker */
  }
}

let touchedAt = 0;
let touchTimer: NodeJS.Timeout | undefined;

function touchAnswered(): void {
  touchTimer = undefined;
  const dir = breakerDir();
  if (!dir) return;
  touchedAt = Date.now();
  try {
    const now = new Date(health.lastAnswerAt);
    fs.utimesSync(path.join(dir, 'answered'), now, now);
  } catch {
    /* the run's temporary directory is gone: the run is ending */
  }
}

function answered(): void {
  health.lastAnswerAt = Date.now();
  health.timeoutsInARow = 0;
  if (!breakerDir()) return;
  // the file's time is the last answer, written at most BREAKER_SHARE_MS after it
  if (health.lastAnswerAt - touchedAt >= BREAKER_SHARE_MS) touchAnswered();
  else touchTimer ??= setTimeout(touchAnswered, BREAKER_SHARE_MS - (health.lastAnswerAt - touchedAt)).unref();
}

/** When an authenticated request of the run last got a complete answer (ms since the epoch). */
function lastAnswerAt(): number {
  const dir = breakerDir();
  if (!dir) return health.lastAnswerAt;
  try {
    return Math.max(health.lastAnswerAt, fs.statSync(path.join(dir, 'answered')).mtimeMs);
  } catch {
    return health.lastAnswerAt;
  }
}

/** Forget earlier time-outs (for the suite's own tests and the self-test's variants). */
export function resetTargetHealth(): void {
  health.timeoutsInARow = 0;
  health.lastAnswerAt = 0;
  delete health.tripped;
  trippedCheckedAt = -Infinity;
  touchedAt = 0;
  if (touchTimer) clearTimeout(touchTimer);
  touchTimer = undefined;
}

/**
 * Connections are kept open and reused between requests of this process (superagent's default is a new TCP
 * connection per request: connection set-up was the largest single CPU cost of a worker). An idle connection is
 * closed after 2 s, well before the usual server keep-alive timeouts (5 s for Node, more for IIS), so that a request
 * never goes out on a connection the server is closing. The TLS options of a request (CA, verification) are part of
 * the pool's key, so connections verified differently are never shared.
 */
const IDLE_CONNECTION_MS = 2000;
const agents = { http: new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS, scheduling: 'lifo' }), https: new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS, scheduling: 'lifo' }) };

/**
 * supertest's request factory per origin: a supertest(url) call makes a closure for each of the ~30 HTTP methods,
 * and the suite called it for every request. The factory holds nothing but the origin.
 */
const bases = new Map<string, ReturnType<typeof supertest>>();
function originBase(origin: string): ReturnType<typeof supertest> {
  let b = bases.get(origin);
  if (!b) {
    if (bases.size >= 1000) bases.clear();
    bases.set(origin, (b = supertest(origin)));
  }
  return b;
}

/**
 * Sends HTTP requests with supertest, to a URL or to an in-process app, never following redirects, and returns
 * every answer (any status) or transport error as an Exchange. Each request is bounded in time and read size.
 */
export class HttpTransport {
  private seq = 0;
  /** supertest's request factory for the in-process app (each supertest(app) call creates an http.Server) */
  private inProcessBase?: ReturnType<typeof supertest>;
  private readonly pending = new Set<Pending>();
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: TransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  }

  /** Called whenever a request stops being in flight (settled() waits on them). */
  private readonly onEnded = new Set<() => void>();

  private ended(p: Pending): void {
    if (!this.pending.delete(p)) return;
    for (const f of [...this.onEnded]) f();
  }

  /** Aborts every request still in flight (their exchanges end with the error "aborted"). */
  abortAll(): void {
    this.abortWho(() => true);
  }

  /** Aborts the requests in flight made for `who` (e.g. the pending P-GETs). */
  abortWho(test: (who: string) => boolean): void {
    for (const p of [...this.pending])
      if (test(p.who)) {
        p.abort();
        this.ended(p);
      }
  }

  /** How many requests are in flight (those made for a `who` that `which` accepts). */
  inFlight(which: (who: string) => boolean = () => true): number {
    let n = 0;
    for (const p of this.pending) if (which(p.who)) n++;
    return n;
  }

  /**
   * Resolves as soon as no request (made for a `who` that `which` accepts) is in flight any more, or after `ms`.
   * It is woken by each request's end rather than polling: a scenario's clean-up waits here while it holds its pair.
   */
  async settled(ms: number, which: (who: string) => boolean = () => true): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.inFlight(which) > 0) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.onEnded.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.onEnded.add(done);
      });
    }
  }

  async send(req: HttpRequest): Promise<Exchange> {
    const stopped = trippedBeforeSending();
    if (stopped !== undefined) {
      const now = performance.now();
      const x: Exchange = {
        seq: ++this.seq,
        who: req.who,
        method: req.method.toUpperCase(),
        url: req.url,
        requestHeaders: { ...(req.headers ?? {}) },
        responseHeaders: {},
        sentAt: now,
        receivedAt: now,
        error: `not sent: the target stopped answering (${stopped})`,
      };
      this.options.onExchange?.(x);
      return x;
    }
    const url = new URL(req.url);
    const inProcess = Boolean(this.options.app && url.origin === this.options.appOrigin);
    const base = inProcess && this.options.app ? (this.inProcessBase ??= supertest(this.options.app)) : originBase(url.origin);
    const method = req.method.toLowerCase() as 'get';
    const headers = { ...(req.headers ?? {}) };
    const x: Exchange = {
      seq: ++this.seq,
      who: req.who,
      method: req.method.toUpperCase(),
      url: url.href,
      requestHeaders: headers,
      ...(req.body !== undefined ? { requestBody: req.body } : {}),
      responseHeaders: {},
      sentAt: performance.now(),
      receivedAt: 0,
    };
    const maxBytes = this.maxBodyBytes;
    const timeout = req.timeoutMs ?? this.timeoutMs;
    const request = base[method](url.pathname + url.search);
    if (!inProcess) request.agent(url.protocol === 'https:' ? agents.https : agents.http);
    if (this.options.tls?.ca) request.ca([...tls.rootCertificates, this.options.tls.ca]);
    if (this.options.tls?.insecure) request.disableTLSCerts();
    const test = request
      .redirects(0)
      .ok(() => true)
      // one timer for the whole exchange: a separate time-to-first-byte timer of the same length never fired first
      .timeout({ deadline: timeout })
      .buffer(true)
      .parse(((res: IncomingMessage, done: (err: Error | null, body: RawBody) => void) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (c: Buffer) => {
          if (truncated) return;
          if (size + c.length > maxBytes) {
            chunks.push(c.subarray(0, maxBytes - size));
            size = maxBytes;
            truncated = true;
            res.destroy();
            done(null, { text: Buffer.concat(chunks).toString('utf8'), truncated });
            return;
          }
          chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          if (!truncated) done(null, { text: Buffer.concat(chunks).toString('utf8'), truncated: false });
        });
        res.on('error', (e) => {
          if (!truncated) done(e, { text: '', truncated: false });
        });
      }) as unknown as (str: string) => unknown);
    for (const [k, v] of Object.entries(headers)) test.set(k, v);
    const pending: Pending = { who: req.who, abort: () => test.abort() };
    const sentWall = Date.now();
    const authenticated = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
    this.pending.add(pending);
    try {
      const res = await (req.body !== undefined ? test.send(req.body) : test);
      const raw = res.body as RawBody | undefined;
      x.status = res.status;
      x.responseHeaders = res.headers as Record<string, string | string[]>;
      if (raw && raw.text) x.responseBody = raw.text;
      if (raw?.truncated) x.truncated = true;
      // Only an answer to an authenticated request shows that the application API still works: anonymous discovery
      // documents often sit on another origin (or a cache) that keeps answering while the API hangs.
      if (authenticated) answered();
    } catch (e) {
      const err = e as Error & { code?: string; timeout?: number };
      x.error = err.timeout ? `no complete answer within ${timeout} ms` : err.code ? `${err.code}: ${err.message}` : err.message || String(e);
      if (err.timeout) {
        health.timeoutsInARow++;
        const why = `${x.method} ${x.url} had no complete answer within ${timeout} ms`;
        // another process's answers reach the shared file up to BREAKER_SHARE_MS late
        if (req.timeoutMs === undefined) await new Promise((r) => setTimeout(r, 2 * BREAKER_SHARE_MS));
        if (req.timeoutMs === undefined && lastAnswerAt() < sentWall) trip(`${why}, and no authenticated request was answered meanwhile`);
        else if (health.timeoutsInARow >= STOPPED_ANSWERING_AFTER) trip(`${health.timeoutsInARow} requests in a row had no complete answer in time, the last ${why}`);
      }
    } finally {
      this.ended(pending);
      x.receivedAt = performance.now();
    }
    this.options.onExchange?.(x);
    return x;
  }
}
