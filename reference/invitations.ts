/** startMessaging, the messagingInvitation resource and its actions (§5–§7, OPT-1…OPT-3). */
import { isSipUri, ONLINE_MEETING_URI, sipKey } from './accounts';
import { type Ctx, newId, type Reply, type Rq } from './context';
import { conflict, invalidParameters, notFound } from './errors';
import { readBody, readJsonObject } from './http';
import { type InvitationInput, newConversation, newThreadId, settle, startOutgoing, stopMessaging as stopBoth } from './lifecycle';
import type { Application, Conversation, Invitation, MeetingInvitation } from './model';
import { communicationHref } from './represent';
import { type Body, Members } from './validate';

/** Reads the members shared by startMessaging and addMessaging; the caller adds the rest. */
export function readFirstMessage(ctx: Ctx, members: Members): Pick<InvitationInput, 'operationId' | 'message' | 'customContent'> {
  const input: Pick<InvitationInput, 'operationId' | 'message' | 'customContent'> = {};
  const operationId = members.string('operationId', ctx.behaviour.limits.operationId);
  const message = members.dataLink('message');
  const customContent = members.dataLink('customContent');
  if (operationId !== undefined) input.operationId = operationId;
  if (message !== undefined) input.message = message;
  if (customContent !== undefined) input.customContent = customContent;
  return input;
}

/** POST on ⟨startMessaging⟩ (SM-1…SM-9, ERR-2…ERR-17). */
export async function startMessaging(ctx: Ctx, app: Application, rq: Rq): Promise<Reply> {
  const b = ctx.behaviour;
  const body: Body = (await readJsonObject(rq.req, ctx.settings.unsupportedContentTypeStatus, ctx.faults)) ?? {};
  const f = ctx.faults;
  const members = new Members(body, f);
  const to = members.sipUri('to', f.has('to-query-ignored') ? undefined : rq.query.get('to') ?? undefined, true);
  const first = readFirstMessage(ctx, members);
  const subject = members.string('subject', b.limits.subject);
  const importance = members.oneOf('importance', b.importanceValues);
  const threadId = members.string('threadId', b.limits.threadId);
  if (f.has('unknown-member-rejected')) {
    for (const name of Object.keys(body)) if (!START_MESSAGING_MEMBERS.has(name)) members.problems[name] = 'unknown member';
  }
  const input = (): InvitationInput => ({
    ...first,
    to: to!,
    subject: subject ?? '',
    importance: importance ?? 'Normal',
    threadId: threadId || (f.has('no-default-thread-id') ? '' : newThreadId()),
  });
  if (f.has('refused-start-messaging-creates-invitation') && to !== undefined && Object.keys(members.problems).length > 0) {
    startOutgoing(ctx, newConversation(ctx, app, to, input()), input());
  }
  members.check();
  const failure = b.startMessagingFailure(rq.account);
  if (failure) throw failure;
  const clash = f.has('operation-id-unique-server-wide')
    ? [...ctx.apps.values()].some((other) => b.operationIdInUse(other.connectingOperations, first.operationId))
    : b.operationIdInUse(app.connectingOperations, first.operationId);
  if (clash && !f.has('operation-id-reuse-accepted')) {
    if (f.has('operation-id-conflict-cancels-first')) {
      const earlier = app.connectingOperations.get(first.operationId!);
      if (earlier) settle(ctx, earlier, 'canceled');
    }
    throw conflict(f.has('operation-id-conflict-subcode-none') ? undefined : 'AlreadyExists',
      'An invitation with this operationId is in progress.');
  }
  const values = input();
  const conv = (f.has('conversation-shared-while-connecting') && connectingConversationWith(app, values.to))
    || newConversation(ctx, app, values.to, values);
  const inv = startOutgoing(ctx, conv, values);
  return { status: 201, headers: { Location: inv.href } };
}

const START_MESSAGING_MEMBERS = new Set(['to', 'operationId', 'subject', 'importance', 'threadId', '_links']);

/** A conversation of `app` with `uri` whose messaging is still Connecting (only the conversation-sharing fault looks). */
function connectingConversationWith(app: Application, uri: string): Conversation | undefined {
  const key = sipKey(uri);
  for (const conv of app.conversations.values()) {
    if (conv.messagingState === 'Connecting' && sipKey(conv.remote.uri) === key) return conv;
  }
  return undefined;
}

/** The application's invitation with this id, or 404 NotFound/None (D7). */
export function findInvitation(ctx: Ctx, app: Application, id: string): Invitation {
  const inv = app.invitations.get(id);
  if (!inv) {
    const error = notFound();
    if (ctx.faults.has('not-found-code-gone')) error.body.code = 'Gone';
    throw error;
  }
  return inv;
}

/** GET on an invitation (MI-1). */
export const getInvitation = (ctx: Ctx, inv: Invitation): Reply => (ctx.faults.has('invitation-content-type-text-plain')
  ? { status: 200, body: ctx.rep.invitation(inv), headers: { 'Content-Type': 'text/plain; charset=utf-8' } }
  : { status: 200, body: ctx.rep.invitation(inv) });

/** Ignores whatever body came with a body-less action (bounded by the size limit). */
async function drain(rq: Rq): Promise<void> {
  await readBody(rq.req);
}

/** Answers an incoming invitation (409 Conflict/None when the state forbids it); both sides complete at once. */
function answer(ctx: Ctx, inv: Invitation, outcome: 'accepted' | 'declined'): void {
  if (outcome === 'accepted' && inv.answered && inv.state === 'Connected' && ctx.faults.has('second-accept-204')) return;
  if (!ctx.behaviour.canAnswer(inv) || !inv.peer) throw conflict();
  inv.answered = true;
  settle(ctx, inv.peer, outcome);
}

/** POST on ⟨accept⟩ (ACC-1…ACC-3). */
export async function accept(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  await drain(rq);
  answer(ctx, inv, 'accepted');
  return { status: 204 };
}

/** POST on ⟨decline⟩ (DEC-1…DEC-3, ERR-4). */
export async function decline(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq.req, ctx.settings.unsupportedContentTypeStatus, ctx.faults)) ?? {};
  const members = new Members(body, ctx.faults);
  members.oneOf('reason', ctx.behaviour.declineReasons);
  if (ctx.faults.has('refused-decline-marks-answered') && ctx.behaviour.canAnswer(inv)) inv.answered = true;
  members.check();
  answer(ctx, inv, 'declined');
  return { status: 204 };
}

/** POST on ⟨cancel⟩ (CAN-1…CAN-3). */
export async function cancel(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  await drain(rq);
  if (!ctx.behaviour.canCancel(inv)) {
    if (inv.direction === 'Outgoing' && inv.state !== 'Connecting') {
      if (ctx.faults.has('cancel-after-completion-204')) return { status: 204 };
      if (ctx.faults.has('cancel-after-completion-stops-messaging') && inv.state === 'Connected') stopBoth(inv.conversation);
    }
    throw conflict();
  }
  settle(ctx, inv, 'canceled');
  return { status: 204 };
}

const KNOWN_MEETINGS = new Set([sipKey(ONLINE_MEETING_URI)]);

/** POST on ⟨acceptAndBridge⟩ (OPT-1): only meetings this server knows can be bridged into. */
export async function acceptAndBridge(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq.req, ctx.settings.unsupportedContentTypeStatus, ctx.faults)) ?? {};
  const members = new Members(body, ctx.faults);
  const lenient = ctx.faults.has('accept-and-bridge-missing-uri-accepted');
  const meeting = lenient ? members.string('onlineMeetingUri') : members.required('onlineMeetingUri');
  members.string('localUserDisplayName', 256);
  members.check();
  if (meeting === undefined) {
    answer(ctx, inv, 'accepted');
    return { status: 204 };
  }
  if (!isSipUri(meeting!)) throw invalidParameters({ onlineMeetingUri: 'not a SIP URI' });
  if (!KNOWN_MEETINGS.has(sipKey(meeting!))) throw invalidParameters({ onlineMeetingUri: 'no such meeting' });
  if (ctx.faults.has('accept-and-bridge-leaves-connecting')) {
    if (!ctx.behaviour.canAnswer(inv)) throw conflict();
    return { status: 204 };
  }
  answer(ctx, inv, 'accepted');
  return { status: 204 };
}

/** POST on ⟨startAdhocMeeting⟩ (OPT-2): a new online-meeting invitation; the messaging invitation is untouched. */
export async function startAdhocMeeting(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  const b = ctx.behaviour;
  const body = (await readJsonObject(rq.req, ctx.settings.unsupportedContentTypeStatus, ctx.faults)) ?? {};
  const members = new Members(body, ctx.faults);
  const subject = members.string('subject', b.limits.subject);
  const operationId = members.string('operationId', b.limits.operationId);
  members.check();
  if (!b.canAnswer(inv)) throw conflict();
  const app = inv.app;
  const id = newId();
  const meeting: MeetingInvitation = {
    id,
    href: `${communicationHref(app)}/onlineMeetingInvitations/${id}`,
    subject: subject ?? inv.subject,
    onlineMeetingUri: `${app.account.uri};gruu;opaque=app:conf:focus:id:${id}`,
  };
  if (operationId !== undefined) meeting.operationId = operationId;
  app.meetings.set(id, meeting);
  if (ctx.faults.has('start-adhoc-meeting-without-location')) return { status: 201, body: ctx.rep.meeting(meeting) };
  return { status: 201, body: ctx.rep.meeting(meeting), headers: { Location: meeting.href } };
}

/** GET on an online-meeting invitation created by startAdhocMeeting. */
export function getMeeting(ctx: Ctx, app: Application, id: string): Reply {
  const meeting = app.meetings.get(id);
  if (!meeting) throw notFound();
  return { status: 200, body: ctx.rep.meeting(meeting) };
}
