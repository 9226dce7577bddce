/**
 * Every behaviour decision the profile constrains, as small named functions and values. The reference server calls
 * only these; the fault layer (reference/faults/) replaces one of them to break exactly one requirement.
 * No decision may use `this`: a fault's replacement is merged over the faithful object.
 */
import type { Account } from './accounts';
import { formatDataUri, parseDataUri } from './datauri';
import { conflict, gone, HttpError, malformed, notFound, serviceFailure } from './errors';
import { isJsonContentType, acceptsJson } from './http';
import { type InvitationInput, newThreadId } from './lifecycle';
import type { Application, Completion, Conversation, Direction, Invitation, InvitationState, MessagingState } from './model';

export type RelPrefix = 'ms:rtc:saas:' | '' | 'service:';

/** How an invitation ended, from the caller's point of view (§9.2). */
export type Outcome = 'accepted' | 'declined' | 'canceled' | 'noAnswer' | 'unknownTarget' | 'unavailableTarget';

export type Body = Record<string, unknown>;

const UNPREFIXED = new Set(['self', 'next', 'resync', 'resume', 'customContent']);

const failure = (code: string, subcode: string, message: string): Completion => ({ status: 'Failure', reason: { code, subcode, message } });

export interface Behaviour {
  /** The dialect's prefix. */
  relPrefix: RelPrefix;
  /** The rel `name` as spelled in the dialect (WIRE-3). */
  rel(name: string): string;
  /** Length limits in UTF-16 code units (SM-6, ERR-3). */
  limits: { operationId: number; subject: number; threadId: number; applicationMember: number };
  /** The length of a string member, as the limits count it (ERR-3: UTF-16 code units). */
  memberLength(name: string, text: string): number;
  /** A member of another JSON type where a string is expected: the string it stands for, or undefined (ERR-17: refused). */
  coerceString(name: string, value: unknown): string | undefined;
  /** A data-URI link href in this server's canonical form, or undefined when it is not one (WIRE-5, ERR-18). */
  dataUri(name: string, href: string): string | undefined;
  /** Whether a member the profile requires must be present (APP-5, OPT-1). */
  isRequired(name: string): boolean;
  /** What startMessaging does with members it does not know (WIRE-6). */
  unknownMembers: 'ignored' | 'refused';
  /** Accepted `importance` values (SM-7). */
  importanceValues: ReadonlySet<string>;
  /** Accepted decline reasons and the default (DEC-1). */
  declineReasons: ReadonlySet<string>;
  defaultDeclineReason: string;
  /** The status for an unsupported Content-Type or Accept, as declared (ERR-5). */
  unsupportedMediaStatus: 410 | 415;
  /** Whether a request body of this Content-Type is read as JSON (ERR-5, WIRE-1). */
  readsContentType(contentType: string | undefined): boolean;
  /** Whether an Accept header lets the server answer with JSON (ERR-5). */
  servesAccept(accept: string | undefined): boolean;
  /** A request body's text as a JSON object; throws 400 None for malformed JSON or a non-object (ERR-2). */
  parseBody(text: string): Body;
  /** startMessaging's `to` from the query, used when the body has none (SM-4). */
  queryTo(query: URLSearchParams): string | undefined;
  /** The threadId of an invitation whose request had none (SM-5, MI-6). */
  defaultThreadId(): string;
  /** The existing conversation a new outgoing invitation joins (undefined: a new one) (SM-3, ADD-2). */
  conversationFor(app: Application, to: string, current: Conversation | undefined): Conversation | undefined;
  /** What the callee's invitation is created from: the caller's input as sent (MI-4…MI-9, OPT-3). */
  delivered(input: InvitationInput): InvitationInput;
  /** Completions for the caller's and the callee's invitation (§9.2). */
  completion(outcome: Outcome, direction: Direction): Completion;
  /** The final state an invitation takes for its completion (MI-3, LC-1). */
  finalState(completion: Completion): InvitationState;
  /** The synchronous failure of a fixture account's startMessaging (ERR-8, ERR-11, ERR-13). */
  startMessagingFailure(account: Account): HttpError | undefined;
  /** Whether accept / decline / acceptAndBridge / startAdhocMeeting are allowed (D13, ERR-12). */
  canAnswer(inv: Pick<Invitation, 'direction' | 'state' | 'answered'>): boolean;
  /** Whether cancel is allowed (D13, CAN-3). */
  canCancel(inv: Pick<Invitation, 'direction' | 'state'>): boolean;
  /** Whether an operationId is taken for a new invitation of `app` (ERR-9, ERR-15). */
  operationIdInUse(app: Application, operationId: string | undefined, apps: ReadonlyMap<string, Application>): boolean;
  /** The answer to a startMessaging whose operationId is taken (ERR-9); undefined: go ahead. */
  operationIdClash(app: Application, operationId: string): HttpError | undefined;
  /** The answer for an unknown invitation of one's own application (ERR-6). */
  unknownInvitation(): HttpError;
  /** Whether addMessaging is refused with 409 AlreadyExists (ERR-10). */
  addMessagingConflicts(state: MessagingState): boolean;
  /** Whether stopMessaging is allowed (ADD-1). */
  canStopMessaging(state: MessagingState): boolean;
  /** Whether an invitation event carries an embedded copy of the invitation (EV-9). */
  embedsInvitation(type: 'started' | 'updated' | 'completed'): boolean;
}

const IMPORTANCE = new Set(['Normal', 'Urgent', 'Emergency']);
const DECLINE_REASONS = new Set(['Unknown', 'Local', 'Global', 'MediaAllocationFailure', 'EncryptionMismatch', 'IPv6NotSupported',
  'MediaConnectivityFailure', 'CodecMismatch', 'UnsupportedMedia', 'InvalidMediaOffer', 'InsufficientBandwidth',
  'InsufficientBandwidthRerouteOverPstn', 'ApplicationInitiatedAction']);

function completion(outcome: Outcome, direction: Direction): Completion {
  const outgoing = direction === 'Outgoing';
  switch (outcome) {
    case 'accepted':
      return { status: 'Success' };
    case 'declined':
      return outgoing ? failure('RemoteFailure', 'Declined', 'Declined by the recipient.') : failure('LocalFailure', 'Declined', 'Declined locally.');
    case 'canceled':
      return outgoing ? failure('LocalFailure', 'Canceled', 'Canceled locally.') : failure('RemoteFailure', 'Canceled', 'Canceled by the sender.');
    case 'noAnswer':
      return outgoing ? failure('RemoteFailure', 'Timeout', 'The recipient did not answer.')
        : failure('LocalFailure', 'Timeout', 'The invitation was not answered in time.');
    case 'unknownTarget':
      return failure('NotFound', 'DestinationNotFound', 'The recipient does not exist.');
    case 'unavailableTarget':
      return failure('RemoteFailure', 'TemporarilyUnavailable', 'The recipient is not available.');
  }
}

/** The faithful behaviour for a dialect. */
export function defaultBehaviour(relPrefix: RelPrefix, unsupportedMediaStatus: 410 | 415 = 410): Behaviour {
  const rels = new Map<string, string>();
  return {
    relPrefix,
    rel(name) {
      let spelled = rels.get(name);
      if (spelled === undefined) {
        spelled = UNPREFIXED.has(name) ? name : relPrefix + name;
        rels.set(name, spelled);
      }
      return spelled;
    },
    limits: { operationId: 50, subject: 250, threadId: 250, applicationMember: 100 },
    memberLength: (_name, text) => text.length,
    coerceString: () => undefined,
    dataUri(_name, href) {
      const parsed = parseDataUri(href, true);
      return parsed ? formatDataUri(parsed, false) : undefined;
    },
    isRequired: () => true,
    unknownMembers: 'ignored',
    importanceValues: IMPORTANCE,
    declineReasons: DECLINE_REASONS,
    defaultDeclineReason: 'Local',
    unsupportedMediaStatus,
    readsContentType: isJsonContentType,
    servesAccept: acceptsJson,
    parseBody(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw malformed('The request body is not well-formed JSON.');
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed('The request body is not a JSON object.');
      return value as Body;
    },
    queryTo: (query) => query.get('to') ?? undefined,
    defaultThreadId: newThreadId,
    conversationFor: (_app, _to, current) => current,
    delivered: (input) => input,
    completion,
    finalState: (c) => (c.status === 'Success' ? 'Connected' : 'Failed'),
    startMessagingFailure(account) {
      switch (account.fault) {
        case 'invalidExchangeServerVersion':
          return serviceFailure('InvalidExchangeServerVersion', 'The Exchange server version is not supported.');
        case 'tooManyGroups':
          return conflict('TooManyGroups', 'The user has too many contact groups.');
        case 'cannotRedirect':
          return gone('CannotRedirect', 'The request cannot be redirected.');
        default:
          return undefined;
      }
    },
    canAnswer: (inv) => inv.direction === 'Incoming' && inv.state === 'Connecting' && !inv.answered,
    canCancel: (inv) => inv.direction === 'Outgoing' && inv.state === 'Connecting',
    operationIdInUse: (app, operationId) => operationId !== undefined && app.connectingOperations.has(operationId),
    operationIdClash: () => conflict('AlreadyExists', 'An invitation with this operationId is in progress.'),
    unknownInvitation: () => notFound(),
    addMessagingConflicts: (state) => state === 'Connecting' || state === 'Connected',
    canStopMessaging: (state) => state === 'Connected',
    embedsInvitation: (type) => type !== 'updated',
  };
}
