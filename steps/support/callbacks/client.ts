import { Agent, request } from 'node:http';
import { IpcTap, RECEIVER_IPC_VARIABLE, type TapReply, type TapTransport } from './ipc';
import { routeKey } from './receiver';
import { RECEIVER_TAP_VARIABLE, type AnswerRule, type CallbacksPage, type ReceiverInfo, type RecordedCallback } from './types';

/** Which recorded callbacks a step asks for. */
export interface CallbackFilter {
  /** callbacks whose path and query (minus callbackContext) are those of this URL */
  url?: string;
  /** only callbacks after this sequence number (ReceiverClient.mark()) */
  since?: number;
  /** only callbacks that matched no route (answered 404) or a non-POST (405): `unmatched` */
  unmatched?: boolean;
}

/** An answer rule as registered: `remove()` takes it back (a rule with `times: 'always'` stays until then). */
export interface RuleHandle {
  id: string;
  remove(): Promise<void>;
}

/** A receiver is not reachable or refused an operation: the scenario cannot observe callbacks. */
export class ReceiverUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReceiverUnavailable';
  }
}

/**
 * The worker-side client of the run's callback receiver (steps/support/callbacks/receiver.ts), over its loopback
 * tap. One per worker process: it keeps the callbacks read so far and a long-poll running while anyone listens.
 */
export class ReceiverClient {
  /** every callback read so far, by sequence number order */
  readonly recorded: RecordedCallback[] = [];
  private last = 0;
  private readonly listeners = new Set<(c: RecordedCallback) => void>();
  private polling?: AbortController;
  private initialised?: Promise<void>;

  /** `transport`: the loopback HTTP tap at `tapUrl` unless given (the IPC relay of the suite's own workers, ipc.ts) */
  constructor(
    readonly tapUrl: string,
    private readonly transport: TapTransport = new HttpTap(tapUrl),
  ) {}

  /**
   * The client of the tap named by RECEIVER_TAP_VARIABLE, shared by the process; undefined without a receiver. In a
   * worker whose coordinator relays the tap (RECEIVER_IPC_VARIABLE) it goes over the IPC channel.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ReceiverClient | undefined {
    const url = env[RECEIVER_TAP_VARIABLE];
    if (!url) return undefined;
    if (!shared || shared.tapUrl !== url) shared = new ReceiverClient(url, env[RECEIVER_IPC_VARIABLE] === '1' && process.send ? (ipcTap ??= new IpcTap()) : undefined);
    return shared;
  }

  private async call<T>(method: string, what: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let res: TapReply;
    try {
      res = await this.transport.call(method, what, body === undefined ? undefined : JSON.stringify(body), signal);
    } catch (e) {
      throw new ReceiverUnavailable(`the callback receiver's tap did not answer ${method} ${what}: ${(e as Error).message}`);
    }
    if (res.status < 200 || res.status > 299) throw new ReceiverUnavailable(`the callback receiver refused ${method} ${what}: ${res.status} ${res.text ?? JSON.stringify(res.value) ?? ''}`);
    if ('value' in res) return res.value as T;
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }

  private take(page: CallbacksPage): void {
    for (const c of page.callbacks) {
      if (c.seq <= this.last) continue;
      this.recorded.push(c);
      this.last = c.seq;
      for (const l of [...this.listeners]) l(c);
    }
  }

  /**
   * The first use in a process starts reading at the receiver's newest callback: a worker sees what arrives while it
   * runs scenarios, not the run's earlier history.
   */
  private async init(): Promise<void> {
    this.initialised ??= this.call<CallbacksPage>('GET', `callbacks?since=${Number.MAX_SAFE_INTEGER}`).then((page) => {
      if (this.last < page.last) this.last = page.last;
    });
    await this.initialised;
  }

  /** Reads what arrived since the last read (no waiting). */
  async refresh(): Promise<void> {
    await this.init();
    this.take(await this.call<CallbacksPage>('GET', `callbacks?since=${this.last}`));
  }

  /** The sequence number of the newest callback read: callbacks recorded later have a greater `seq`. */
  async mark(): Promise<number> {
    await this.refresh();
    return this.last;
  }

  /** The recorded callbacks that pass `filter`, after reading what arrived meanwhile. */
  async callbacks(filter: CallbackFilter = {}): Promise<RecordedCallback[]> {
    await this.refresh();
    const key = filter.url !== undefined ? routeKey(filter.url) : undefined;
    return this.recorded.filter(
      (c) => (filter.since === undefined || c.seq > filter.since) && (key === undefined || routeKey(c.path) === key) && (filter.unmatched === undefined || filter.unmatched === (!c.route || c.method !== 'POST')),
    );
  }

  /** Calls `fn` for every callback recorded from now on (a long-poll runs while there is a listener). */
  subscribe(fn: (c: RecordedCallback) => void): () => void {
    this.listeners.add(fn);
    this.poll();
    return () => {
      this.listeners.delete(fn);
      if (!this.listeners.size) {
        this.polling?.abort();
        this.polling = undefined;
      }
    };
  }

  private poll(): void {
    if (this.polling) return;
    const ctl = new AbortController();
    this.polling = ctl;
    const loop = async () => {
      await this.init().catch(() => undefined);
      while (!ctl.signal.aborted) {
        try {
          this.take(await this.call<CallbacksPage>('GET', `callbacks?since=${this.last}&waitMs=20000`, undefined, ctl.signal));
        } catch {
          if (ctl.signal.aborted) break;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    void loop();
  }

  /** Waits for the first callback (already read or arriving before the deadline) that passes `match`. */
  waitFor(match: (c: RecordedCallback) => boolean, timeoutMs: number): Promise<RecordedCallback | undefined> {
    const hit = this.recorded.find(match);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const stop = this.subscribe((c) => {
        if (!match(c)) return;
        clearTimeout(timer);
        stop();
        resolve(c);
      });
      const timer = setTimeout(() => {
        stop();
        resolve(undefined);
      }, timeoutMs);
    });
  }

  /** Registers an answer rule before the scenario provokes the callbacks it answers (PROFILE.md §15.7). */
  async rule(rule: AnswerRule): Promise<RuleHandle> {
    const { id } = await this.call<{ id: string }>('POST', 'rules', rule);
    return { id, remove: () => this.call<void>('DELETE', `rules/${id}`) };
  }

  /** A fresh conversation URL (`conversationUrlBase` + UUID; `length` pads it with a query to that many code units). */
  async conversationUrl(o: { length?: number } = {}): Promise<string> {
    return (await this.call<{ url: string }>('POST', 'conversation-url', o)).url;
  }

  info(): Promise<ReceiverInfo> {
    return this.call<ReceiverInfo>('GET', 'info');
  }
}

let shared: ReceiverClient | undefined;
let ipcTap: IpcTap | undefined;

/** The loopback HTTP tap (receiver.ts): for processes without the coordinator's IPC relay. */
class HttpTap implements TapTransport {
  constructor(private readonly tapUrl: string) {}

  call(method: string, what: string, body: string | undefined, signal?: AbortSignal): Promise<TapReply> {
    const send = () => tapRequest(`${this.tapUrl}/${what}`, method, body, signal);
    // a kept-alive connection the tap closed as idle just then: "socket hang up" / ECONNRESET; sent once more
    return send().catch((e: NodeJS.ErrnoException) => {
      if (signal?.aborted || (e.code !== 'ECONNRESET' && !/socket hang up/.test(e.message))) throw e;
      return send();
    });
  }
}

/** Kept-alive loopback connections to the tap (fetch cost about 1 ms of CPU a call: a quick run makes over a thousand). */
const tapAgent = new Agent({ keepAlive: true });

function tapRequest(url: string, method: string, body: string | undefined, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: tapAgent, ...(signal ? { signal } : {}), headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
