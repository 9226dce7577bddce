/**
 * Fault switches: named, deliberate deviations of the reference server, each one a mistake a real implementation
 * plausibly makes, each declaring the requirement IDs (features/requirements.json) it breaks. They exist only so the
 * suite can prove itself: run against each variant, it must fail a scenario tagged with one of the declared IDs.
 *
 * Reachable only through `createApp({ faults })` and the standalone server's `--fault NAME` developer flag; no
 * environment variable or default enables them. With no faults the server is exactly the faithful one.
 */

export interface Fault {
  /** kebab-case, unique. */
  readonly name: string;
  /** What the variant does differently, in one sentence. */
  readonly description: string;
  /** Requirement IDs the deviation breaks (every one exists in features/requirements.json). */
  readonly breaks: readonly string[];
}

const PVF_USERS = ['ERR-3', 'ERR-4', 'ERR-18', 'APP-5', 'ADD-4', 'OPT-1'] as const;

export const FAULTS = [
  // ── §5 startMessaging: limits and echo ────────────────────────────────────────────────────────────────────────────
  { name: 'subject-limit-249', description: 'subject is limited to 249 code units, so 250 is refused', breaks: ['SM-6'] },
  { name: 'subject-limit-251', description: 'subject is limited to 251 code units, so 251 is accepted', breaks: ['ERR-3'] },
  { name: 'subject-counts-code-points', description: 'the subject limit counts code points, so 126 × U+1F600 (252 units) is accepted', breaks: ['ERR-3'] },
  { name: 'operation-id-limit-49', description: 'operationId is limited to 49 code units, so 50 is refused', breaks: ['SM-6'] },
  { name: 'operation-id-limit-51', description: 'operationId is limited to 51 code units (startMessaging and addMessaging)', breaks: ['ERR-3', 'ADD-4'] },
  { name: 'thread-id-limit-249', description: 'threadId is limited to 249 code units, so 250 is refused', breaks: ['SM-6'] },
  { name: 'thread-id-unlimited', description: 'threadId has no length limit, so 251 is accepted', breaks: ['ERR-3'] },
  { name: 'subject-trimmed-on-callee', description: 'the callee sees the subject with surrounding white space trimmed', breaks: ['MI-5'] },
  { name: 'subject-html-escaped-on-callee', description: 'the callee sees the subject HTML-escaped (&amp; &lt; &gt; &quot;)', breaks: ['MI-5'] },
  { name: 'subject-truncated-on-callee', description: 'the callee sees the subject cut to 100 code units', breaks: ['SM-6', 'MI-5'] },
  { name: 'importance-normal-on-callee', description: 'the callee always sees importance Normal', breaks: ['MI-4', 'SM-7'] },
  { name: 'importance-emergency-refused', description: 'importance Emergency is refused with 400 ParameterValidationFailure', breaks: ['SM-7'] },
  { name: 'importance-omitted-when-normal', description: 'importance is left out of both invitations when it is Normal', breaks: ['MI-4', 'SM-5'] },
  { name: 'thread-id-differs-on-callee', description: 'the callee\'s invitation carries a threadId of its own', breaks: ['MI-6', 'LC-2'] },
  { name: 'no-default-thread-id', description: 'without a threadId in the request the invitations have none', breaks: ['SM-5', 'MI-6'] },
  { name: 'operation-id-replaced', description: 'the outgoing invitation shows a server-chosen operationId instead of the client\'s', breaks: ['MI-8', 'SM-6', 'EV-9'] },
  { name: 'to-query-ignored', description: '`to` as a query parameter is ignored (400 naming `to`)', breaks: ['SM-4'] },
  { name: 'conversation-shared-while-connecting', description: 'a startMessaging to a participant already being invited joins that conversation', breaks: ['SM-3'] },
  { name: 'unknown-member-rejected', description: 'an unknown startMessaging member is refused with 400 ParameterValidationFailure', breaks: ['WIRE-6'] },
  { name: 'message-shown-when-none-sent', description: 'the callee\'s invitation shows an empty ⟨message⟩ link although the caller sent no first message', breaks: ['MI-9'] },
  { name: 'message-missing-on-callee', description: 'the callee\'s invitation does not show the first message', breaks: ['MI-9', 'SM-8'] },

  // ── §10 errors: status, code, subcode, parameters ──────────────────────────────────────────────────────────────────
  { name: 'invalid-parameter-subcode-none', description: 'parameter violations are 400 BadRequest without the ParameterValidationFailure subcode', breaks: PVF_USERS },
  { name: 'invalid-parameter-without-parameters', description: 'ParameterValidationFailure bodies have no `parameters`', breaks: PVF_USERS },
  { name: 'invalid-parameter-names-wrong-member', description: '`parameters` names members PascalCase (`Subject`), not as sent', breaks: PVF_USERS },
  { name: 'not-found-code-gone', description: 'an unknown invitation of one\'s own application answers 404 with code Gone (another user\'s still NotFound)', breaks: ['ERR-1', 'ERR-6', 'SEC-1'] },
  { name: 'operation-id-conflict-subcode-none', description: 'a reused operationId of a Connecting invitation gets 409 Conflict/None', breaks: ['ERR-9'] },
  { name: 'operation-id-reuse-accepted', description: 'a reused operationId of a Connecting invitation is accepted (201)', breaks: ['ERR-9'] },
  { name: 'operation-id-reuse-refused-after-completion', description: 'an operationId stays taken after its invitation completed', breaks: ['ERR-15'] },
  { name: 'operation-id-unique-server-wide', description: 'an operationId clashes with Connecting invitations of every application', breaks: ['ERR-15'] },
  { name: 'operation-id-conflict-cancels-first', description: 'the refused (409) operationId reuse cancels the first invitation', breaks: ['ERR-9', 'ERR-16'] },
  { name: 'unsupported-media-status-swapped', description: 'unsupported media types get 415 when 410 is declared (410 when 415 is)', breaks: ['ERR-5'] },
  { name: 'unsupported-accept-served', description: 'an unsupported Accept is ignored and the resource served', breaks: ['ERR-5'] },
  { name: 'text-plain-body-parsed', description: 'a text/plain body is parsed as JSON', breaks: ['ERR-5'] },
  { name: 'method-not-allowed-without-allow', description: '405 responses carry no Allow header', breaks: ['ERR-14'] },
  { name: 'method-not-allowed-as-not-found', description: 'an unsupported method answers 404 NotFound', breaks: ['ERR-14'] },
  { name: 'exchange-fixture-succeeds', description: 'the InvalidExchangeServerVersion fixture user\'s startMessaging succeeds (201)', breaks: ['ERR-8'] },
  { name: 'exchange-fixture-subcode-none', description: 'the InvalidExchangeServerVersion fixture gets 500 ServiceFailure without subcode', breaks: ['ERR-8'] },
  { name: 'too-many-groups-subcode-none', description: 'the TooManyGroups fixture gets 409 Conflict/None', breaks: ['ERR-11'] },
  { name: 'cannot-redirect-subcode-none', description: 'the CannotRedirect fixture gets 410 Gone/None', breaks: ['ERR-13'] },
  { name: 'malformed-json-500', description: 'a malformed JSON body gets 500 ServiceFailure', breaks: ['ERR-2'] },
  { name: 'non-object-json-accepted', description: 'JSON that is not an object is read as an empty object', breaks: ['ERR-2'] },
  { name: 'wrong-json-type-coerced', description: 'members of the wrong JSON type are converted to strings and accepted', breaks: ['ERR-17'] },
  { name: 'non-data-uri-message-accepted', description: 'a message href that is not a data URI is accepted', breaks: ['ERR-18'] },
  { name: 'error-body-text-plain', description: 'error bodies are labelled text/plain', breaks: ['ERR-1', 'WIRE-1'] },
  { name: 'invitation-content-type-text-plain', description: 'the invitation GET labels its JSON body text/plain', breaks: ['WIRE-1'] },
  { name: 'second-accept-204', description: 'accept on an already accepted invitation answers 204 (idempotent accept)', breaks: ['ACC-3', 'ERR-12'] },
  { name: 'cancel-after-completion-204', description: 'cancel on a completed invitation answers 204 and changes nothing', breaks: ['CAN-3', 'ERR-12'] },
  { name: 'cancel-after-completion-stops-messaging', description: 'cancel on a Connected invitation is refused (409) but stops messaging', breaks: ['CAN-3', 'ERR-16'] },
  { name: 'decline-reason-global-refused', description: 'decline with reason Global is refused with 400', breaks: ['DEC-1'] },
  { name: 'refused-decline-marks-answered', description: 'a decline refused for its reason still marks the invitation answered (links vanish)', breaks: ['ERR-4', 'ERR-16'] },
  { name: 'refused-start-messaging-creates-invitation', description: 'a startMessaging refused for a member still creates and reports the invitation', breaks: ['ERR-16'] },

  // ── §6 links, §9 states ────────────────────────────────────────────────────────────────────────────────────────────
  { name: 'cancel-link-missing-while-connecting', description: 'the outgoing invitation never shows ⟨cancel⟩', breaks: ['MI-13', 'EV-9'] },
  { name: 'cancel-link-after-completion', description: 'the outgoing invitation keeps ⟨cancel⟩ after completion', breaks: ['MI-13', 'EV-9', 'LC-6'] },
  { name: 'answer-links-kept-after-completion', description: 'the incoming invitation keeps ⟨accept⟩ and ⟨decline⟩ after answering and completion', breaks: ['MI-12', 'ACC-3', 'DEC-3', 'EV-9', 'LC-6'] },
  { name: 'accept-link-on-outgoing', description: 'the outgoing invitation shows ⟨accept⟩ while Connecting', breaks: ['MI-12', 'EV-9'] },
  { name: 'decline-link-missing', description: 'the incoming invitation never shows ⟨decline⟩', breaks: ['MI-12', 'EV-9'] },
  { name: 'conversation-link-missing-after-completion', description: 'completed invitations have no ⟨conversation⟩ link', breaks: ['MI-10', 'EV-9', 'LC-6'] },
  { name: 'messaging-link-missing-after-completion', description: 'completed invitations have no ⟨messaging⟩ link', breaks: ['MI-10', 'EV-9', 'LC-6'] },
  { name: 'from-link-missing-on-outgoing', description: 'the outgoing invitation has no ⟨from⟩ link', breaks: ['MI-11', 'EV-9'] },
  { name: 'from-is-callee-on-incoming', description: 'the incoming invitation embeds the callee (local participant) as ⟨from⟩', breaks: ['MI-11', 'EV-9'] },
  { name: 'accepted-by-participant-missing', description: 'a successful outgoing invitation does not embed ⟨acceptedByParticipant⟩', breaks: ['MI-14', 'ACC-2'] },
  { name: 'accepted-by-participant-after-failure', description: 'a failed outgoing invitation embeds ⟨acceptedByParticipant⟩', breaks: ['MI-14'] },
  { name: 'accepted-by-participant-is-caller', description: '⟨acceptedByParticipant⟩ embeds the caller instead of the callee', breaks: ['MI-14'] },
  { name: 'connected-after-decline', description: 'a declined invitation ends in state Connected on both sides', breaks: ['MI-3', 'DEC-2', 'LC-1'] },
  { name: 'failed-after-accept', description: 'an accepted invitation ends in state Failed on both sides', breaks: ['MI-3', 'ACC-2', 'LC-1'] },
  { name: 'state-expires-to-failed', description: 'a completed invitation reads state Failed from 1 s after completion', breaks: ['MI-3', 'LC-1', 'LC-6'] },
  { name: 'disconnected-instead-of-failed', description: 'failed invitations end in state "Disconnected"', breaks: ['MI-3', 'LC-1', 'WIRE-7', 'DEC-2', 'CAN-2', 'LC-3'] },
  { name: 'messaging-state-missing', description: 'the messaging resource has no `state`', breaks: ['MI-15'] },

  // ── §9.2 completion reasons and timing ─────────────────────────────────────────────────────────────────────────────
  { name: 'caller-declined-local-failure', description: 'the caller\'s declined invitation completes LocalFailure/Declined', breaks: ['DEC-2', 'LC-2'] },
  { name: 'cancel-reasons-swapped', description: 'cancel completes the caller RemoteFailure/Canceled and the callee LocalFailure/Canceled', breaks: ['CAN-2', 'LC-2', 'LC-7'] },
  { name: 'timeout-reported-as-declined', description: 'the no-answer timeout completes both sides with the Declined reasons', breaks: ['LC-3', 'LC-2'] },
  { name: 'failure-without-reason', description: 'Failure completions carry no `reason`', breaks: ['EV-8', 'DEC-2', 'CAN-2', 'LC-2', 'LC-3', 'LC-4', 'LC-5', 'LC-7'] },
  { name: 'status-failed-spelling', description: 'failure completions say status "Failed" instead of "Failure"', breaks: ['EV-8', 'WIRE-7', 'DEC-2', 'CAN-2', 'LC-2', 'LC-3', 'LC-4', 'LC-5', 'LC-7'] },
  { name: 'reason-on-success', description: 'Success completions carry a `reason`', breaks: ['ACC-2', 'EV-8'] },
  { name: 'unknown-target-temporarily-unavailable', description: 'an unknown target fails RemoteFailure/TemporarilyUnavailable', breaks: ['LC-4'] },
  { name: 'unavailable-target-destination-not-found', description: 'an unavailable target fails NotFound/DestinationNotFound', breaks: ['LC-5'] },
  { name: 'unknown-target-times-out', description: 'an unknown target fails only after the no-answer timeout, as RemoteFailure/Timeout', breaks: ['LC-4'] },
  { name: 'no-answer-timeout-never-fires', description: 'an unanswered invitation stays Connecting for ever', breaks: ['LC-3'] },
  { name: 'no-answer-timeout-early', description: 'the no-answer timeout fires at N/3', breaks: ['LC-3'] },
  { name: 'no-answer-timeout-late', description: 'the no-answer timeout fires at N + 15 s (outside the default late tolerance of 10 s)', breaks: ['LC-3'] },

  // ── §8 events ──────────────────────────────────────────────────────────────────────────────────────────────────────
  { name: 'started-duplicated', description: 'the caller\'s channel reports `started` twice', breaks: ['EV-7'] },
  { name: 'callee-completed-missing', description: 'the callee\'s channel never reports `completed`', breaks: ['EV-7', 'LC-2'] },
  { name: 'completed-before-started-unreachable', description: 'for an unknown or unavailable target `completed` is reported before `started`', breaks: ['EV-7', 'LC-4', 'LC-5'] },
  { name: 'updated-after-completed', description: 'an `updated` event follows `completed`', breaks: ['EV-7'] },
  { name: 'invitation-events-delayed', description: 'invitation events reach the channel 1.5 s late', breaks: ['EV-10'] },
  { name: 'pget-not-replaced', description: 'a replaced P-GET is left hanging instead of 409 PGetReplaced', breaks: ['EV-4'] },
  { name: 'pget-replaced-answered-200', description: 'a replaced P-GET is answered 200 with an empty batch', breaks: ['EV-4'] },
  { name: 'deleted-application-events-subcode-none', description: 'the events href of a deleted application answers 404 without ApplicationNotFound', breaks: ['EV-5', 'APP-6'] },
  { name: 'batch-without-next', description: 'event batches carry no `next` link', breaks: ['EV-1', 'EV-2'] },
  { name: 'sender-rel-conversation', description: 'invitation events sit under a ⟨conversation⟩ sender block', breaks: ['EV-6'] },
  { name: 'event-link-href-conversation', description: 'an invitation event\'s link.href is the conversation, not the invitation', breaks: ['EV-6', 'EV-9'] },
  { name: 'completed-embeds-connecting-state', description: 'the copy embedded in `completed` still says state Connecting', breaks: ['EV-9'] },
  { name: 'completed-leaks-to-callee-channel', description: 'the caller\'s `completed` is also delivered on the callee\'s channel', breaks: ['SEC-2'] },

  // ── §3, §11 access control ─────────────────────────────────────────────────────────────────────────────────────────
  { name: 'foreign-invitation-403', description: 'another user\'s invitation answers 403 Forbidden', breaks: ['ERR-7', 'SEC-1'] },
  { name: 'foreign-invitation-409', description: 'another user\'s invitation answers 409 Conflict', breaks: ['ERR-7', 'SEC-1'] },
  { name: 'foreign-cancel-takes-effect', description: 'another user\'s cancel answers 404 but cancels the invitation', breaks: ['ERR-7', 'ERR-16'] },
  { name: 'foreign-application-readable', description: 'another user\'s application answers GET with 200', breaks: ['SEC-3'] },
  { name: 'foreign-events-pollable', description: 'another user can P-GET an application\'s events, replacing the owner\'s P-GET', breaks: ['SEC-3'] },
  { name: 'media-type-checked-before-auth', description: 'an unauthenticated POST with an unsupported Content-Type gets 410/415, not 401', breaks: ['AUTH-5'] },
  { name: 'unknown-token-accepted', description: 'a bearer token the server never issued authenticates as the last signed-in user', breaks: ['AUTH-4'] },
  { name: 'unauthenticated-cancel-takes-effect', description: 'an unauthenticated cancel answers 401 but cancels the invitation', breaks: ['AUTH-4', 'ERR-16'] },

  // ── §2 wire conventions ────────────────────────────────────────────────────────────────────────────────────────────
  { name: 'cancel-link-key-unprefixed', description: 'the ⟨cancel⟩ link key is spelled without the dialect prefix', breaks: ['WIRE-3', 'MI-13', 'EV-9'] },
  { name: 'invitation-rel-unprefixed', description: 'the invitation\'s `rel` property is spelled without the dialect prefix', breaks: ['WIRE-3', 'MI-1', 'EV-9'] },
  { name: 'invitation-self-prefixed', description: 'the invitation\'s `self` link key carries the dialect prefix', breaks: ['WIRE-2', 'WIRE-3', 'MI-1', 'MI-10', 'EV-9'] },
  { name: 'discovery-user-prefixed', description: 'the discovery root spells its `user` link with a prefix', breaks: ['WIRE-3', 'DISC-1'] },
  { name: 'data-uri-plus-kept', description: 'a `+` in a percent-encoded data URI is kept as a plus, not read as a space', breaks: ['WIRE-5', 'SM-8', 'MI-9'] },
  { name: 'data-uri-double-encoded', description: 'data URIs are re-emitted with their bytes read as Latin-1 and encoded again as UTF-8', breaks: ['WIRE-5', 'SM-8', 'MI-9', 'OPT-3'] },
  { name: 'user-document-redirect', description: 'the user document read with a valid token answers 200 with a `redirect` link instead of `applications`', breaks: ['DISC-3'] },
  { name: 'error-echoes-authorization', description: 'error bodies echo the request\'s Authorization header in `debugInfo`', breaks: ['SEC-4'] },
  { name: 'caller-completes-late', description: 'the caller\'s side completes 400 ms after the callee\'s accept, and a cancel in that window answers 204 (caller Canceled, callee Success)', breaks: ['LC-7'] },
  { name: 'cancel-link-on-incoming', description: 'the incoming invitation carries ⟨cancel⟩ in every state', breaks: ['MI-13', 'MI-12'] },
  { name: 'custom-content-prefixed', description: 'the customContent link key carries the dialect prefix', breaks: ['WIRE-3', 'OPT-3'] },

  // ── §3, §4 sign-in and application ─────────────────────────────────────────────────────────────────────────────────
  { name: 'token-type-mac', description: 'the token response says token_type "MAC"', breaks: ['AUTH-1'] },
  { name: 'token-expires-in-zero', description: 'the token response says expires_in 0', breaks: ['AUTH-1'] },
  { name: 'wrong-password-accepted', description: 'a wrong password is answered 200 with a token', breaks: ['AUTH-2'] },
  { name: 'challenge-without-password-grant', description: 'the MsRtcOAuth challenge does not offer grant_type password', breaks: ['DISC-2'] },
  { name: 'unknown-grant-type-invalid-request', description: 'an unknown grant_type gets error invalid_request', breaks: ['AUTH-3'] },
  { name: 'make-me-available-200-with-body', description: 'makeMeAvailable answers 200 with the me resource', breaks: ['APP-4'] },
  { name: 'application-without-events-link', description: 'the application has no ⟨events⟩ link', breaks: ['APP-1'] },
  { name: 'me-uri-without-scheme', description: 'me.uri lacks the sip: scheme', breaks: ['APP-2'] },
  { name: 'application-missing-culture-accepted', description: 'creating an application without `culture` is accepted', breaks: ['APP-5'] },
  { name: 'delete-application-200', description: 'DELETE on an application answers 200 with a body', breaks: ['APP-6'] },

  // ── §7.4, §11.2 optional capabilities (all declared by the reference server) ──────────────────────────────────────
  { name: 'add-messaging-duplicate-accepted', description: 'a second addMessaging while messaging is Connecting is accepted (201)', breaks: ['ADD-4', 'ERR-10'] },
  { name: 'stop-messaging-keeps-connected', description: 'stopMessaging answers 204 but messaging stays Connected', breaks: ['ADD-1'] },
  { name: 'add-messaging-new-conversation', description: 'addMessaging puts the new invitation in a new conversation', breaks: ['ADD-2'] },
  { name: 'accept-and-bridge-missing-uri-accepted', description: 'acceptAndBridge without onlineMeetingUri accepts the invitation (204)', breaks: ['OPT-1'] },
  { name: 'accept-and-bridge-leaves-connecting', description: 'acceptAndBridge answers 204 but the invitation stays Connecting', breaks: ['OPT-1'] },
  { name: 'start-adhoc-meeting-without-location', description: 'startAdhocMeeting answers 201 without Location', breaks: ['OPT-2'] },
  { name: 'custom-content-missing-on-callee', description: 'the callee\'s invitation does not show customContent', breaks: ['OPT-3'] },
  { name: 'application-link-to-collection', description: 'the invitation\'s ⟨application⟩ link names the applications collection', breaks: ['OPT-4'] },
] as const satisfies readonly Fault[];

export type FaultName = (typeof FAULTS)[number]['name'];

/** The faults a server runs with; `has` only takes a known name, so a misspelt switch does not compile. */
export type FaultSet = ReadonlySet<FaultName>;

export const NO_FAULTS: FaultSet = new Set<FaultName>();

const KNOWN = new Set<string>(FAULTS.map((f) => f.name));

/** Checks fault names, throwing a TypeError that lists every unknown one. */
export function faultSet(names: readonly string[] | undefined): FaultSet {
  if (names === undefined || names.length === 0) return NO_FAULTS;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new TypeError('faults must be an array of fault names');
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    throw new TypeError(`unknown fault${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (see reference/faults.ts)`);
  }
  return new Set(names as FaultName[]);
}
