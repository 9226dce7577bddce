/**
 * The named seams of the reference server: the only places where its behaviour can be changed from outside. Each seam
 * is an object of small typed hooks; the faithful server's hooks are identities (or the plain profile decision), so a
 * server without faults pays one function call per hook and nothing else.
 *
 * | seam        | what it decides or transforms                                                                   |
 * |-------------|--------------------------------------------------------------------------------------------------|
 * | `behaviour` | the profile's decisions (reference/behaviour.ts): limits, allowed values, completions, conflicts  |
 * | `represent` | each representation, by resource kind, after it is built and before it is sent or embedded        |
 * | `events`    | each event on its way to an application (whatever delivers it), and a replaced P-GET             |
 * | `lifecycle` | the no-answer and unreachable-target timers, each action on an invitation, each side's completion |
 * | `replies`   | every reply (2xx, 201/Location, the 401 challenge, token answers) and every error body, with the request |
 * | `access`    | who a request is from, the password check, unauthenticated requests, other users' applications    |
 * | `taa`       | the Trusted Application API transport (reference/taa/hooks.ts): tokens, endpoints, callbacks       |
 *
 * The fault layer (reference/faults/) is the only code that replaces hooks; nothing here knows a fault exists.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account } from './accounts';
import { passwordMatches } from './auth';
import { type Behaviour, defaultBehaviour, type Outcome, type RelPrefix } from './behaviour';
import type { ErrorBody } from './errors';
import type { ChannelEvent } from './events';
import type { Application, Conversation, Invitation, MeetingInvitation, Participant } from './model';
import { FAITHFUL_TAA, type TaaHooks } from './taa/hooks';
import type { TokenStore } from './tokens';

export type { TaaHooks } from './taa/hooks';

export type Json = Record<string, unknown>;

/** The invitation as it stood at some moment: used for the embedded copy in a `started` event (EV-9). */
export interface InvitationView {
  state: Invitation['state'];
  answered: boolean;
  final: boolean;
}

/** What a handler answers; undefined when it wrote the response itself (the P-GET). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An error answer as it is about to be written. */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** One authenticated application-API request. */
export interface Rq {
  req: IncomingMessage;
  res: ServerResponse;
  account: Account;
  query: URLSearchParams;
  /** The parsed JSON body, once a handler has read it. */
  body?: Record<string, unknown>;
}

/** One request as the replies seam sees it: what is known about it when it is answered. */
export interface Exchange {
  req: IncomingMessage;
  /** The path without the query. */
  path: string;
  /** The authenticated account, once known. */
  account?: Account;
  /** The caller's own application the path names, once found. */
  app?: Application;
  /** The application-API request, once built (its parsed body included). */
  rq?: Rq;
}

type Handler = () => Reply | undefined | Promise<Reply | undefined>;
/** Each method's handler for one resource. */
export type Route = Partial<Record<string, Handler>>;

/** Representation transforms, by resource kind: each gets the representation built and what it represents. */
export interface RepresentHooks {
  discovery(rep: Json): Json;
  user(rep: Json): Json;
  token(rep: Json, account: Account): Json;
  application(rep: Json, app: Application): Json;
  me(rep: Json, app: Application): Json;
  communication(rep: Json, app: Application): Json;
  /** `view` is set for the copy embedded in an event (the invitation as it stood then). */
  invitation(rep: Json, inv: Invitation, view: InvitationView | undefined): Json;
  conversation(rep: Json, conv: Conversation): Json;
  messaging(rep: Json, conv: Conversation): Json;
  participant(rep: Json, conv: Conversation, p: Participant): Json;
  meeting(rep: Json, meeting: MeetingInvitation): Json;
  /** One event of a batch, as rendered. */
  event(rep: Json, event: ChannelEvent): Json;
  /** A sender block of a batch. */
  sender(rep: Json, app: Application): Json;
  /** A whole batch (its `_links` and `sender`). */
  batch(rep: Json, app: Application): Json;
}

/** Queues an event for an application (the faithful delivery). */
export type Deliver = (app: Application, event: ChannelEvent) => void;

/** A pending P-GET that a newer one replaces. */
export interface ReplacedPoll {
  res: ServerResponse;
  /** The batch href the replaced P-GET asked for, and the one to poll next. */
  self: string;
  next: string;
}

export interface EventHooks {
  /** Each event on its way to `app`, whatever delivers it: `deliver` queues it (faithful: once, at once, as it is). */
  queue(app: Application, event: ChannelEvent, deliver: Deliver): void;
  /** A replaced P-GET: `refuse` answers it 409 PGetReplaced (EV-4). A response left open is cut when the channel closes. */
  replaced(poll: ReplacedPoll, refuse: () => void): void;
}

/** An action on an invitation or a conversation. */
export type Action =
  | { kind: 'accept' | 'decline' | 'acceptAndBridge' | 'cancel'; inv: Invitation }
  | { kind: 'stopMessaging'; conv: Conversation };

export interface LifecycleHooks {
  /** When an unanswered invitation times out, given the configured no-answer timeout; undefined: never (LC-3). */
  noAnswerDelayMs(configuredMs: number): number | undefined;
  /** How and when an invitation to an unknown or unavailable target fails (LC-4, LC-5). */
  unreachable(outcome: 'unknownTarget' | 'unavailableTarget', noAnswerMs: number): { outcome: Outcome; delayMs: number };
  /** An action, once its request is checked: `apply` does it, throwing its refusal (409 for the state). */
  act(action: Action, apply: () => void): void;
  /** One side's completion for `outcome`: `finish` moves it to its final state and reports `completed` (§9). */
  complete(inv: Invitation, outcome: Outcome, finish: () => void): void;
}

export interface ReplyHooks {
  /** Every reply written from a handler's answer (2xx, 201 with Location, the 401 challenge, token errors). */
  reply(reply: Reply, ex: Exchange): Reply;
  /** Every error answer, before it is written. */
  error(error: ErrorAnswer, ex: Exchange): ErrorAnswer;
}

export interface AccessHooks {
  /** The account an `Authorization` header authenticates, if any (AUTH-4). */
  authenticate(authorization: string | undefined): Account | undefined;
  /** Whether a password grant's password is the account's (AUTH-2). */
  passwordMatches(given: string, account: Account): boolean;
  /** An unauthenticated request about to get its 401 challenge; may throw another answer (AUTH-5). */
  unauthenticated(req: IncomingMessage, path: string): void;
  /** Another user's application: a route to use instead of the faithful 404 (undefined: 404) (SEC-1, SEC-3). */
  foreign(rq: Rq, app: Application, rest: readonly string[]): Route | undefined;
}

export interface Seams {
  behaviour: Behaviour;
  represent: RepresentHooks;
  events: EventHooks;
  lifecycle: LifecycleHooks;
  replies: ReplyHooks;
  access: AccessHooks;
  taa: TaaHooks;
}

export type SeamName = keyof Seams;

const same = <T>(rep: T): T => rep;

export const FAITHFUL_REPRESENT: RepresentHooks = {
  discovery: same, user: same, token: same, application: same, me: same, communication: same, invitation: same,
  conversation: same, messaging: same, participant: same, meeting: same, event: same, sender: same, batch: same,
};

const deliverAsIs = (app: Application, event: ChannelEvent, deliver: Deliver): void => deliver(app, event);

export const FAITHFUL_EVENTS: EventHooks = {
  queue: deliverAsIs,
  replaced: (_poll, refuse) => refuse(),
};

/** Delay before an unknown or unavailable target fails the invitation (LC-4, LC-5). */
export const UNREACHABLE_DELAY_MS = 100;

export const FAITHFUL_LIFECYCLE: LifecycleHooks = {
  noAnswerDelayMs: (configuredMs) => configuredMs,
  unreachable: (outcome) => ({ outcome, delayMs: UNREACHABLE_DELAY_MS }),
  act: (_action, apply) => apply(),
  complete: (_inv, _outcome, finish) => finish(),
};

export const FAITHFUL_REPLIES: ReplyHooks = { reply: same, error: same };

/** The faithful server's seams for a dialect, the declared unsupported-media status and its token store. */
export function faithfulSeams(relPrefix: RelPrefix, unsupportedMediaStatus: 410 | 415, tokens: TokenStore): Seams {
  return {
    behaviour: defaultBehaviour(relPrefix, unsupportedMediaStatus),
    represent: FAITHFUL_REPRESENT,
    events: FAITHFUL_EVENTS,
    lifecycle: FAITHFUL_LIFECYCLE,
    replies: FAITHFUL_REPLIES,
    access: {
      authenticate: (authorization) => tokens.authenticate(authorization),
      passwordMatches,
      unauthenticated: () => undefined,
      foreign: () => undefined,
    },
    taa: FAITHFUL_TAA,
  };
}
