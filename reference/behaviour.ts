/**
 * Every behaviour decision the profile constrains, as small named functions. The reference server calls only these,
 * so that a later `faults` option can replace exactly one of them to break exactly one requirement.
 */
import type { Account } from './accounts';
import { conflict, gone, HttpError, serviceFailure } from './errors';
import { type FaultSet, NO_FAULTS } from './faults';
import type { Completion, Direction, Invitation, MessagingState } from './model';

export type RelPrefix = 'ms:rtc:saas:' | '' | 'service:';

/** How an invitation ended, from the caller's point of view (§9.2). */
export type Outcome = 'accepted' | 'declined' | 'canceled' | 'noAnswer' | 'unknownTarget' | 'unavailableTarget';

const UNPREFIXED = new Set(['self', 'next', 'resync', 'resume', 'customContent']);

const failure = (code: string, subcode: string, message: string): Completion => ({ status: 'Failure', reason: { code, subcode, message } });

export interface Behaviour {
  /** The dialect's prefix. */
  relPrefix: RelPrefix;
  /** The rel `name` as spelled in the dialect (WIRE-3). */
  rel(name: string): string;
  /** Length limits in UTF-16 code units (SM-6, ERR-3). */
  limits: { operationId: number; subject: number; threadId: number; applicationMember: number };
  /** Accepted `importance` values (SM-7). */
  importanceValues: ReadonlySet<string>;
  /** Accepted decline reasons and the default (DEC-1). */
  declineReasons: ReadonlySet<string>;
  defaultDeclineReason: string;
  /** Completions for the caller's and the callee's invitation (§9.2). */
  completion(outcome: Outcome, direction: Direction): Completion;
  /** Delay before an unknown or unavailable target fails the invitation (LC-4, LC-5). */
  unreachableDelayMs: number;
  /** The synchronous failure of a fixture account's startMessaging (ERR-8, ERR-11, ERR-13). */
  startMessagingFailure(account: Account): HttpError | undefined;
  /** Whether accept / decline / acceptAndBridge / startAdhocMeeting are allowed (D13, ERR-12). */
  canAnswer(inv: Pick<Invitation, 'direction' | 'state' | 'answered'>): boolean;
  /** Whether cancel is allowed (D13, CAN-3). */
  canCancel(inv: Pick<Invitation, 'direction' | 'state'>): boolean;
  /** Whether an operationId clashes with one of the application's Connecting invitations (ERR-9, ERR-15). */
  operationIdInUse(connecting: ReadonlyMap<string, Invitation>, operationId: string | undefined): boolean;
  /** Whether addMessaging is refused with 409 AlreadyExists (ERR-10). */
  addMessagingConflicts(state: MessagingState): boolean;
  /** Whether stopMessaging is allowed (ADD-1). */
  canStopMessaging(state: MessagingState): boolean;
  /** Whether an invitation event carries an embedded copy of the invitation (EV-9). */
  embedsInvitation(type: 'started' | 'updated' | 'completed'): boolean;
}

/** The faithful behaviour for a dialect, or (with faults) the deliberately broken one of reference/faults.ts. */
export function defaultBehaviour(relPrefix: RelPrefix, faults: FaultSet = NO_FAULTS): Behaviour {
  const rels = new Map<string, string>();
  const f = (name: Parameters<FaultSet['has']>[0]): boolean => faults.has(name);
  const importanceValues = new Set(['Normal', 'Urgent', 'Emergency']);
  if (f('importance-emergency-refused')) importanceValues.delete('Emergency');
  const declineReasons = new Set(['Unknown', 'Local', 'Global', 'MediaAllocationFailure', 'EncryptionMismatch', 'IPv6NotSupported',
    'MediaConnectivityFailure', 'CodecMismatch', 'UnsupportedMedia', 'InvalidMediaOffer', 'InsufficientBandwidth',
    'InsufficientBandwidthRerouteOverPstn', 'ApplicationInitiatedAction']);
  if (f('decline-reason-global-refused')) declineReasons.delete('Global');
  const completion = (outcome: Outcome, direction: Direction): Completion => {
    const outgoing = direction === 'Outgoing';
    switch (outcome) {
      case 'accepted':
        return f('reason-on-success') ? { status: 'Success', reason: { code: 'Success', subcode: 'None', message: 'Accepted.' } }
          : { status: 'Success' };
      case 'declined':
        return outgoing && !f('caller-declined-local-failure') ? failure('RemoteFailure', 'Declined', 'Declined by the recipient.')
          : failure('LocalFailure', 'Declined', 'Declined locally.');
      case 'canceled':
        return outgoing !== f('cancel-reasons-swapped') ? failure('LocalFailure', 'Canceled', 'Canceled locally.')
          : failure('RemoteFailure', 'Canceled', 'Canceled by the sender.');
      case 'noAnswer':
        if (f('timeout-reported-as-declined')) return completion('declined', direction);
        return outgoing ? failure('RemoteFailure', 'Timeout', 'The recipient did not answer.')
          : failure('LocalFailure', 'Timeout', 'The invitation was not answered in time.');
      case 'unknownTarget':
        return f('unknown-target-temporarily-unavailable') ? completion('unavailableTarget', direction)
          : failure('NotFound', 'DestinationNotFound', 'The recipient does not exist.');
      case 'unavailableTarget':
        return f('unavailable-target-destination-not-found') ? failure('NotFound', 'DestinationNotFound', 'The recipient does not exist.')
          : failure('RemoteFailure', 'TemporarilyUnavailable', 'The recipient is not available.');
    }
  };
  const distorted = (c: Completion): Completion => {
    if (c.status !== 'Failure') return c;
    if (f('failure-without-reason')) return { status: 'Failure' };
    if (f('status-failed-spelling')) return { ...c, status: 'Failed' as Completion['status'] };
    return c;
  };
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
    limits: {
      operationId: f('operation-id-limit-49') ? 49 : f('operation-id-limit-51') ? 51 : 50,
      subject: f('subject-limit-249') ? 249 : f('subject-limit-251') ? 251 : 250,
      threadId: f('thread-id-limit-249') ? 249 : f('thread-id-unlimited') ? Number.MAX_SAFE_INTEGER : 250,
      applicationMember: 100,
    },
    importanceValues,
    declineReasons,
    defaultDeclineReason: 'Local',
    completion: faults.size === 0 ? completion : (outcome, direction) => distorted(completion(outcome, direction)),
    unreachableDelayMs: 100,
    startMessagingFailure(account) {
      switch (account.fault) {
        case 'invalidExchangeServerVersion':
          if (f('exchange-fixture-succeeds')) return undefined;
          return serviceFailure(f('exchange-fixture-subcode-none') ? undefined : 'InvalidExchangeServerVersion',
            'The Exchange server version is not supported.');
        case 'tooManyGroups':
          return conflict(f('too-many-groups-subcode-none') ? undefined : 'TooManyGroups', 'The user has too many contact groups.');
        case 'cannotRedirect':
          return f('cannot-redirect-subcode-none') ? gone(undefined, 'The request cannot be redirected.')
            : gone('CannotRedirect', 'The request cannot be redirected.');
        default:
          return undefined;
      }
    },
    canAnswer: (inv) => inv.direction === 'Incoming' && inv.state === 'Connecting' && !inv.answered,
    canCancel: (inv) => inv.direction === 'Outgoing' && inv.state === 'Connecting',
    operationIdInUse: (connecting, operationId) => operationId !== undefined && connecting.has(operationId),
    addMessagingConflicts: (state) => state === 'Connecting' || state === 'Connected',
    canStopMessaging: (state) => state === 'Connected',
    embedsInvitation: (type) => type !== 'updated',
  };
}
