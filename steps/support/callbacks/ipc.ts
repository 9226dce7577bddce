/**
 * The receiver's tap over the worker's IPC channel: the way a Cucumber worker of the suite's own command line reads
 * callbacks and registers answer rules. The loopback HTTP tap (receiver.ts) does the same for any other process;
 * both ask CallbackReceiver.tapCall, so their answers are the same.
 *
 * Why: a quick run made ~1,200 tap requests (long-polls, and a read before every look at the record), each an HTTP
 * exchange on both sides of loopback, in the two processes that are the run's bottleneck. Over the IPC channel
 * that Cucumber already keeps between them a request is one message each way.
 *
 * The coordinator's adapter (bin/lanes.ts) passes TAP_CALL and TAP_CANCEL messages to `relayTap` and sends the
 * TAP_ANSWER back; Cucumber's worker ignores message types it does not know, so the answers reach `IpcTap` only.
 * The coordinator says the relay is there by setting RECEIVER_IPC_VARIABLE in the workers' environment.
 */
import type { CallbackReceiver, TapAnswer } from './receiver';

export const TAP_CALL = 'UCWA_CONFORMANCE_TAP_CALL';
export const TAP_CANCEL = 'UCWA_CONFORMANCE_TAP_CANCEL';
export const TAP_ANSWER = 'UCWA_CONFORMANCE_TAP_ANSWER';
/** Set (to "1") in a worker's environment when its coordinator relays tap messages. */
export const RECEIVER_IPC_VARIABLE = 'UCWA_CONFORMANCE_RECEIVER_IPC';

export interface TapCallMessage {
  type: typeof TAP_CALL;
  id: number;
  method: string;
  what: string;
  body?: string;
}

export interface TapAnswerMessage {
  type: typeof TAP_ANSWER;
  id: number;
  status: number;
  /** the answer's value itself: the channel serializes it once (as JSON text inside the message it was escaped and parsed twice) */
  value?: unknown;
}

/** A tap's answer as a worker receives it: the value itself (over IPC), or its JSON as text (the HTTP tap). */
export type TapReply = TapAnswer & { text?: string };

/** How a worker's receiver client reaches the tap: `what` is the operation with its query, `body` JSON text. */
export interface TapTransport {
  call(method: string, what: string, body: string | undefined, signal?: AbortSignal): Promise<TapReply>;
}

/** The worker side: tap requests as messages to the coordinator, answers matched by id. */
export class IpcTap implements TapTransport {
  private seq = 0;
  private readonly waiting = new Map<number, (a: TapReply) => void>();

  constructor(private readonly send: (m: unknown) => void = (m) => void process.send?.(m)) {
    process.on('message', (m: Partial<TapAnswerMessage>) => {
      if (m?.type !== TAP_ANSWER || typeof m.id !== 'number') return;
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.({ status: m.status ?? 0, ...('value' in m ? { value: m.value } : {}) });
    });
  }

  call(method: string, what: string, body: string | undefined, signal?: AbortSignal): Promise<TapReply> {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    if (process.connected === false) return Promise.reject(new Error('the channel to the coordinator is closed'));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      // the long-poll loop passes one signal to every call: its listener goes with the answer
      const onAbort = () => {
        if (!this.waiting.delete(id)) return;
        this.send({ type: TAP_CANCEL, id });
        reject(new Error('aborted'));
      };
      this.waiting.set(id, (a) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(a);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.send({ type: TAP_CALL, id, method, what, ...(body !== undefined ? { body } : {}) } satisfies TapCallMessage);
      } catch (e) {
        this.waiting.delete(id);
        signal?.removeEventListener('abort', onAbort);
        reject(e as Error);
      }
    });
  }
}

/**
 * The coordinator side, one per worker process: answers its TAP_CALL messages from the receiver, ends a long-poll
 * on TAP_CANCEL. Returns whether the message was a tap message.
 */
export function tapRelay(receiver: CallbackReceiver, send: (m: TapAnswerMessage) => void): (message: { type?: string; id?: number }) => boolean {
  const open = new Map<number, () => void>();
  return (message) => {
    if (message.type === TAP_CANCEL) {
      open.get(message.id ?? -1)?.();
      open.delete(message.id ?? -1);
      return true;
    }
    if (message.type !== TAP_CALL) return false;
    const m = message as TapCallMessage;
    const call = receiver.tapCall(m.method, m.what, m.body ?? '');
    open.set(m.id, call.cancel);
    void call.answer.then((a) => {
      if (!open.delete(m.id)) return;
      send({ type: TAP_ANSWER, id: m.id, status: a.status, ...(a.value !== undefined ? { value: a.value } : {}) });
    });
    return true;
  };
}
