/** §10 errors: status, code, subcode, parameters; refusals that must change nothing (ERR-16). */
import { isSipUri } from '../accounts';
import { conflict, gone, notFound, serviceFailure } from '../errors';
import { type InvitationInput, newConversation, settle, startOutgoing, stopMessaging } from '../lifecycle';
import type { ErrorAnswer, ReplyHooks } from '../seams';
import { fault } from './fault';
import { invitationOf, isAction, restOf } from './util';

const PVF_USERS = ['ERR-3', 'ERR-4', 'ERR-18', 'APP-5', 'ADD-4', 'OPT-1'] as const;

const isPvf = (e: ErrorAnswer): boolean => e.status === 400 && e.body.subcode === 'ParameterValidationFailure';

/** A replies hook that edits the body of ParameterValidationFailure answers (a copy; other errors pass unchanged). */
function editPvf(edit: (body: ErrorAnswer['body']) => void) {
  return (r: ReplyHooks): Partial<ReplyHooks> => ({
    error(e, ex) {
      const out = r.error(e, ex);
      if (!isPvf(out)) return out;
      const body = { ...out.body };
      edit(body);
      return { ...out, body };
    },
  });
}

export const ERRORS = [
  fault({
    name: 'invalid-parameter-subcode-none', description: 'parameter violations are 400 BadRequest without the ParameterValidationFailure subcode', breaks: PVF_USERS,
    seam: 'replies', hook: editPvf((body) => delete body.subcode),
  }),
  fault({
    name: 'invalid-parameter-without-parameters', description: 'ParameterValidationFailure bodies have no `parameters`', breaks: PVF_USERS,
    seam: 'replies', hook: editPvf((body) => delete body.parameters),
  }),
  fault({
    name: 'invalid-parameter-names-wrong-member', description: '`parameters` names members PascalCase (`Subject`), not as sent', breaks: PVF_USERS,
    seam: 'replies',
    hook: editPvf((body) => {
      if (body.parameters) {
        body.parameters = Object.fromEntries(Object.entries(body.parameters).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]));
      }
    }),
  }),
  fault({
    name: 'not-found-code-gone', description: 'an unknown invitation of one\'s own application answers 404 with code Gone (another user\'s still NotFound)', breaks: ['ERR-1', 'ERR-6', 'SEC-1'],
    seam: 'behaviour',
    hook: (b) => ({
      unknownInvitation() {
        const error = b.unknownInvitation();
        error.body.code = 'Gone';
        return error;
      },
    }),
  }),
  fault({
    name: 'operation-id-conflict-subcode-none', description: 'a reused operationId of a Connecting invitation gets 409 Conflict/None', breaks: ['ERR-9'],
    seam: 'behaviour',
    hook: (b) => ({
      operationIdClash(app, operationId) {
        const refusal = b.operationIdClash(app, operationId);
        return refusal && conflict(undefined, refusal.message);
      },
    }),
  }),
  fault({
    name: 'operation-id-reuse-accepted', description: 'a reused operationId of a Connecting invitation is accepted (201)', breaks: ['ERR-9'],
    seam: 'behaviour', hook: () => ({ operationIdClash: () => undefined }),
  }),
  fault({
    name: 'operation-id-reuse-refused-after-completion', description: 'an operationId stays taken after its invitation completed', breaks: ['ERR-15'],
    seam: 'behaviour',
    hook: (b) => ({
      operationIdInUse: (app, operationId, apps) => b.operationIdInUse(app, operationId, apps)
        || (operationId !== undefined && [...app.invitations.values()].some((i) => i.direction === 'Outgoing' && i.operationId === operationId)),
    }),
  }),
  fault({
    name: 'operation-id-unique-server-wide', description: 'an operationId clashes with Connecting invitations of every application', breaks: ['ERR-15'],
    seam: 'behaviour',
    hook: (b) => ({ operationIdInUse: (_app, operationId, apps) => [...apps.values()].some((other) => b.operationIdInUse(other, operationId, apps)) }),
  }),
  fault({
    name: 'operation-id-conflict-cancels-first', description: 'the refused (409) operationId reuse cancels the first invitation', breaks: ['ERR-9', 'ERR-16'],
    seam: 'behaviour',
    hook: (b, ctx) => ({
      operationIdClash(app, operationId) {
        const earlier = app.connectingOperations.get(operationId);
        if (earlier) settle(ctx, earlier, 'canceled');
        return b.operationIdClash(app, operationId);
      },
    }),
  }),
  fault({
    name: 'unsupported-media-status-swapped', description: 'unsupported media types get 415 when 410 is declared (410 when 415 is)', breaks: ['ERR-5'],
    seam: 'behaviour', hook: (b) => ({ unsupportedMediaStatus: b.unsupportedMediaStatus === 410 ? 415 as const : 410 as const }),
  }),
  fault({
    name: 'unsupported-accept-served', description: 'an unsupported Accept is ignored and the resource served', breaks: ['ERR-5'],
    seam: 'behaviour', hook: () => ({ servesAccept: () => true }),
  }),
  fault({
    name: 'text-plain-body-parsed', description: 'a text/plain body is parsed as JSON', breaks: ['ERR-5'],
    seam: 'behaviour', hook: () => ({ readsContentType: () => true }),
  }),
  fault({
    name: 'method-not-allowed-without-allow', description: '405 responses carry no Allow header', breaks: ['ERR-14'],
    seam: 'replies',
    hook: (r) => ({
      error(e, ex) {
        const out = r.error(e, ex);
        if (out.status !== 405) return out;
        const { Allow: _allow, ...headers } = out.headers;
        return { ...out, headers };
      },
    }),
  }),
  fault({
    name: 'method-not-allowed-as-not-found', description: 'an unsupported method answers 404 NotFound', breaks: ['ERR-14'],
    seam: 'replies', hook: (r) => ({ error: (e, ex) => r.error(e.status === 405 ? notFound() : e, ex) }),
  }),
  fault({
    name: 'exchange-fixture-succeeds', description: 'the InvalidExchangeServerVersion fixture user\'s startMessaging succeeds (201)', breaks: ['ERR-8'],
    seam: 'behaviour',
    hook: (b) => ({ startMessagingFailure: (account) => (account.fault === 'invalidExchangeServerVersion' ? undefined : b.startMessagingFailure(account)) }),
  }),
  fault({
    name: 'exchange-fixture-subcode-none', description: 'the InvalidExchangeServerVersion fixture gets 500 ServiceFailure without subcode', breaks: ['ERR-8'],
    seam: 'behaviour',
    hook: (b) => ({
      startMessagingFailure: (account) => (account.fault === 'invalidExchangeServerVersion'
        ? serviceFailure(undefined, 'The Exchange server version is not supported.') : b.startMessagingFailure(account)),
    }),
  }),
  fault({
    name: 'too-many-groups-subcode-none', description: 'the TooManyGroups fixture gets 409 Conflict/None', breaks: ['ERR-11'],
    seam: 'behaviour',
    hook: (b) => ({
      startMessagingFailure: (account) => (account.fault === 'tooManyGroups'
        ? conflict(undefined, 'The user has too many contact groups.') : b.startMessagingFailure(account)),
    }),
  }),
  fault({
    name: 'cannot-redirect-subcode-none', description: 'the CannotRedirect fixture gets 410 Gone/None', breaks: ['ERR-13'],
    seam: 'behaviour',
    hook: (b) => ({
      startMessagingFailure: (account) => (account.fault === 'cannotRedirect'
        ? gone(undefined, 'The request cannot be redirected.') : b.startMessagingFailure(account)),
    }),
  }),
  fault({
    name: 'malformed-json-500', description: 'a malformed JSON body gets 500 ServiceFailure', breaks: ['ERR-2'],
    seam: 'behaviour',
    hook: (b) => ({
      parseBody(text) {
        try {
          JSON.parse(text);
        } catch {
          throw serviceFailure();
        }
        return b.parseBody(text);
      },
    }),
  }),
  fault({
    name: 'non-object-json-accepted', description: 'JSON that is not an object is read as an empty object', breaks: ['ERR-2'],
    seam: 'behaviour',
    hook: (b) => ({
      parseBody(text) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return b.parseBody(text);
        }
        return value !== null && typeof value === 'object' && !Array.isArray(value) ? b.parseBody(text) : {};
      },
    }),
  }),
  fault({
    name: 'wrong-json-type-coerced', description: 'members of the wrong JSON type are converted to strings and accepted', breaks: ['ERR-17'],
    seam: 'behaviour', hook: (b) => ({ coerceString: (name, value) => b.coerceString(name, value) ?? String(value) }),
  }),
  fault({
    name: 'non-data-uri-message-accepted', description: 'a message href that is not a data URI is accepted', breaks: ['ERR-18'],
    seam: 'behaviour', hook: (b) => ({ dataUri: (name, href) => b.dataUri(name, href) ?? (name === 'message' ? href : undefined) }),
  }),
  fault({
    name: 'error-body-text-plain', description: 'error bodies are labelled text/plain', breaks: ['ERR-1', 'WIRE-1'],
    seam: 'replies',
    hook: (r) => ({
      error(e, ex) {
        const out = r.error(e, ex);
        return { ...out, headers: { ...out.headers, 'Content-Type': 'text/plain; charset=utf-8' } };
      },
    }),
  }),
  fault({
    name: 'invitation-content-type-text-plain', description: 'the invitation GET labels its JSON body text/plain', breaks: ['WIRE-1'],
    seam: 'replies',
    hook: (r) => ({
      reply(reply, ex) {
        const out = r.reply(reply, ex);
        const rest = restOf(ex);
        if (ex.req.method !== 'GET' || out.status !== 200 || rest.length !== 3 || rest[1] !== 'messagingInvitations') return out;
        return { ...out, headers: { ...out.headers, 'Content-Type': 'text/plain; charset=utf-8' } };
      },
    }),
  }),
  fault({
    name: 'second-accept-204', description: 'accept on an already accepted invitation answers 204 (idempotent accept)', breaks: ['ACC-3', 'ERR-12'],
    seam: 'lifecycle',
    hook: (l) => ({
      act(action, apply) {
        if ((action.kind === 'accept' || action.kind === 'acceptAndBridge') && action.inv.answered && action.inv.state === 'Connected') return;
        l.act(action, apply);
      },
    }),
  }),
  fault({
    name: 'cancel-after-completion-204', description: 'cancel on a completed invitation answers 204 and changes nothing', breaks: ['CAN-3', 'ERR-12'],
    seam: 'lifecycle',
    hook: (l) => ({
      act(action, apply) {
        if (action.kind === 'cancel' && action.inv.direction === 'Outgoing' && action.inv.state !== 'Connecting') return;
        l.act(action, apply);
      },
    }),
  }),
  fault({
    name: 'cancel-after-completion-stops-messaging', description: 'cancel on a Connected invitation is refused (409) but stops messaging', breaks: ['CAN-3', 'ERR-16'],
    seam: 'lifecycle',
    hook: (l) => ({
      act(action, apply) {
        if (action.kind === 'cancel' && action.inv.direction === 'Outgoing' && action.inv.state === 'Connected') stopMessaging(action.inv.conversation);
        l.act(action, apply);
      },
    }),
  }),
  fault({
    name: 'decline-reason-global-refused', description: 'decline with reason Global is refused with 400', breaks: ['DEC-1'],
    seam: 'behaviour', hook: (b) => ({ declineReasons: new Set([...b.declineReasons].filter((r) => r !== 'Global')) }),
  }),
  fault({
    name: 'refused-decline-marks-answered', description: 'a decline refused for its reason still marks the invitation answered (links vanish)', breaks: ['ERR-4', 'ERR-16'],
    seam: 'replies',
    hook: (r, ctx) => ({
      error(e, ex) {
        const inv = isPvf(e) && isAction(ex, 'decline') ? invitationOf(ex) : undefined;
        if (inv && ctx.behaviour.canAnswer(inv)) inv.answered = true;
        return r.error(e, ex);
      },
    }),
  }),
  fault({
    name: 'refused-start-messaging-creates-invitation', description: 'a startMessaging refused for a member still creates and reports the invitation', breaks: ['ERR-16'],
    seam: 'replies',
    hook: (r, ctx) => ({
      error(e, ex) {
        const rest = restOf(ex);
        const body = ex.rq?.body;
        if (isPvf(e) && ex.app && body && ex.req.method === 'POST' && rest.length === 2 && rest[1] === 'messagingInvitations') {
          const to = typeof body.to === 'string' ? body.to : ex.rq!.query.get('to');
          if (typeof to === 'string' && isSipUri(to)) {
            const b = ctx.behaviour;
            const subject = typeof body.subject === 'string' && body.subject.length <= b.limits.subject ? body.subject : '';
            const importance = typeof body.importance === 'string' && b.importanceValues.has(body.importance) ? body.importance : 'Normal';
            const sent = body.threadId;
            const threadId = typeof sent === 'string' && sent !== '' && sent.length <= b.limits.threadId ? sent : b.defaultThreadId();
            const input: InvitationInput = { to, subject, importance, threadId };
            startOutgoing(ctx, newConversation(ctx, ex.app, to, input), input);
          }
        }
        return r.error(e, ex);
      },
    }),
  }),
] as const;
