/**
 * What the callback receiver (PROFILE.md §15.7) records and what its tap exchanges with the worker processes. The
 * coordinator's receiver and the workers' client share these shapes; nothing here does I/O.
 */

/** Environment variable naming the tap of the run's receiver (`http://127.0.0.1:<port>/<key>`), for Cucumber workers. */
export const RECEIVER_TAP_VARIABLE = 'UCWA_CONFORMANCE_RECEIVER_TAP';

/** One request the receiver got, as it arrived, with the answer it gave. */
export interface RecordedCallback {
  /** 1, 2, … in arrival order over the whole run */
  seq: number;
  /** epoch milliseconds (performance.timeOrigin + performance.now() in the receiver's process) when the request was complete */
  arrivedAt: number;
  method: string;
  /** the public URL the request addressed: the matched callback or conversation URL's origin + the request's path and query */
  url: string;
  /** the request's path and query, as sent */
  path: string;
  /** request headers, lower-case names (the Authorization value included: redact before showing) */
  headers: Record<string, string>;
  body: string;
  /** what the request addressed: a declared default callback URL, a conversation URL the suite issued, or nothing (404) */
  route?: { kind: 'default' | 'conversation'; url: string; account?: string };
  /** the `callbackContext` query parameter, percent-decoded, when present (CB-7, CB-9) */
  callbackContext?: string;
  answer: { status: number; contentType?: string; body?: string; heldMs?: number; ruleId?: string };
  /** epoch milliseconds when the answer was sent (while a held answer is pending: when it is due) */
  answeredAt: number;
}

/** Which callbacks a rule applies to. */
export type RuleMatch =
  /** any callback */
  | 'any'
  /** a callback carrying a `started` event about a messagingInvitation (CB-7's context answer) */
  | 'invitation-started';

/**
 * An answer rule, registered before the scenario provokes the callbacks it answers (PROFILE.md §15.7: the context
 * answers of CB-7/CB-8, the held answer of CB-10, the 204 answers of CB-12). Rules never depend on a check.
 */
export interface AnswerRule {
  /** the callback or conversation URL (path and query minus callbackContext decide) */
  url: string;
  match?: RuleMatch;
  /** how many callbacks it answers; default 1; 'always' until removed */
  times?: number | 'always';
  /** the status (default 200) */
  status?: number;
  /** a JSON body (sent as application/json), e.g. {"callbackContext": "ctx-…"} */
  json?: unknown;
  /** hold the answer this long (CB-10) */
  holdMs?: number;
}

/** The tap's answer to a read: the callbacks after `since`, and the sequence number to read from next. */
export interface CallbacksPage {
  callbacks: RecordedCallback[];
  last: number;
}

/** The receiver's set-up, for the workers and the reports. */
export interface ReceiverInfo {
  /** the sockets it listens on ("host:port") */
  listening: string[];
  conversationUrlBase?: string;
}
