/** startMessaging, the messagingInvitation resource and its actions (§5–§7, OPT-1…OPT-3). */
import { isSipUri, ONLINE_MEETING_URI, sipKey } from './accounts';
import { type Ctx, newId, type Reply, type Rq } from './context';
import { conflict, invalidParameters, notFound } from './errors';
import { readBody, readJsonObject } from './http';
import { type InvitationInput, newConversation, settle, startOutgoing } from './lifecycle';
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
  const body: Body = (await readJsonObject(rq, ctx.behaviour)) ?? {};
  return startFromBody(ctx, app, rq, body);
}

/** What a transport adds to startMessaging (the TAA inputs of PROFILE.md §15.5): its members, a check, the conversation. */
export interface StartExtras {
  /** Member names it reads (not unknown even when the behaviour refuses unknown members). */
  readonly members: ReadonlySet<string>;
  /** Reads its members into the same ParameterValidationFailure (before the check). */
  read(members: Members): void;
  /** After every check, before anything is created; may refuse (e.g. an unreachable callback URL). */
  before?(): Promise<void>;
  /** The input as it will be sent, to add to. */
  input?(values: InvitationInput): void;
  /** The caller's conversation, before `started` is reported. */
  conversation?(conv: Conversation): void;
}

/** startMessaging on a parsed body (SM-1…SM-9, ERR-2…ERR-17), with a transport's extras. */
export async function startFromBody(ctx: Ctx, app: Application, rq: Rq, body: Body, extras?: StartExtras): Promise<Reply> {
  const b = ctx.behaviour;
  const members = new Members(body, b);
  const to = members.sipUri('to', b.queryTo(rq.query), true);
  const first = readFirstMessage(ctx, members);
  const subject = members.string('subject', b.limits.subject);
  const importance = members.oneOf('importance', b.importanceValues);
  const threadId = members.string('threadId', b.limits.threadId);
  extras?.read(members);
  if (b.unknownMembers === 'refused') {
    for (const name of Object.keys(body)) {
      if (!START_MESSAGING_MEMBERS.has(name) && !extras?.members.has(name)) members.problems[name] = 'unknown member';
    }
  }
  members.check();
  const failure = b.startMessagingFailure(rq.account);
  if (failure) throw failure;
  if (b.operationIdInUse(app, first.operationId, ctx.apps)) {
    const refusal = b.operationIdClash(app, first.operationId!);
    if (refusal) throw refusal;
  }
  if (extras?.before) await extras.before();
  const values: InvitationInput = {
    ...first,
    to: to!,
    subject: subject ?? '',
    importance: importance ?? 'Normal',
    threadId: threadId || b.defaultThreadId(),
  };
  extras?.input?.(values);
  const conv = b.conversationFor(app, values.to, undefined) ?? newConversation(ctx, app, values.to, values);
  extras?.conversation?.(conv);
  const inv = startOutgoing(ctx, conv, values);
  return { status: 201, headers: { Location: inv.href } };
}

/** The members startMessaging knows (WIRE-6: others are ignored unless the behaviour refuses them). */
export const START_MESSAGING_MEMBERS: ReadonlySet<string> = new Set(['to', 'operationId', 'subject', 'importance', 'threadId', '_links']);

/** The application's invitation with this id, or the behaviour's answer for an unknown one (404 NotFound/None, D7). */
export function findInvitation(ctx: Ctx, app: Application, id: string): Invitation {
  const inv = app.invitations.get(id);
  if (!inv) throw ctx.behaviour.unknownInvitation();
  return inv;
}

/** GET on an invitation (MI-1). */
export const getInvitation = (ctx: Ctx, inv: Invitation): Reply => ({ status: 200, body: ctx.rep.invitation(inv) });

/** Ignores whatever body came with a body-less action (bounded by the size limit). */
async function drain(rq: Rq): Promise<void> {
  await readBody(rq.req);
}

/** Answers an incoming invitation (409 Conflict/None when the state forbids it); both sides complete at once. */
export function answer(ctx: Ctx, inv: Invitation, outcome: 'accepted' | 'declined'): void {
  if (!ctx.behaviour.canAnswer(inv) || !inv.peer) throw conflict();
  inv.answered = true;
  settle(ctx, inv.peer, outcome);
}

/** POST on ⟨accept⟩ (ACC-1…ACC-3). */
export async function accept(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  await drain(rq);
  ctx.lifecycle.act({ kind: 'accept', inv }, () => answer(ctx, inv, 'accepted'));
  return { status: 204 };
}

/** POST on ⟨decline⟩ (DEC-1…DEC-3, ERR-4). */
export async function decline(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq, ctx.behaviour)) ?? {};
  const members = new Members(body, ctx.behaviour);
  members.oneOf('reason', ctx.behaviour.declineReasons);
  members.check();
  ctx.lifecycle.act({ kind: 'decline', inv }, () => answer(ctx, inv, 'declined'));
  return { status: 204 };
}

/** POST on ⟨cancel⟩ (CAN-1…CAN-3). */
export async function cancel(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  await drain(rq);
  ctx.lifecycle.act({ kind: 'cancel', inv }, () => {
    if (!ctx.behaviour.canCancel(inv)) throw conflict();
    settle(ctx, inv, 'canceled');
  });
  return { status: 204 };
}

const KNOWN_MEETINGS = new Set([sipKey(ONLINE_MEETING_URI)]);

/** POST on ⟨acceptAndBridge⟩ (OPT-1): only meetings this server knows can be bridged into. */
export async function acceptAndBridge(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  const body = (await readJsonObject(rq, ctx.behaviour)) ?? {};
  const members = new Members(body, ctx.behaviour);
  const meeting = members.required('onlineMeetingUri');
  members.string('localUserDisplayName', 256);
  members.check();
  if (meeting !== undefined) {
    if (!isSipUri(meeting)) throw invalidParameters({ onlineMeetingUri: 'not a SIP URI' });
    if (!KNOWN_MEETINGS.has(sipKey(meeting))) throw invalidParameters({ onlineMeetingUri: 'no such meeting' });
  }
  ctx.lifecycle.act({ kind: 'acceptAndBridge', inv }, () => answer(ctx, inv, 'accepted'));
  return { status: 204 };
}

/** POST on ⟨startAdhocMeeting⟩ (OPT-2): a new online-meeting invitation; the messaging invitation is untouched. */
export async function startAdhocMeeting(ctx: Ctx, inv: Invitation, rq: Rq): Promise<Reply> {
  const b = ctx.behaviour;
  const body = (await readJsonObject(rq, b)) ?? {};
  const members = new Members(body, b);
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
  return { status: 201, body: ctx.rep.meeting(meeting), headers: { Location: meeting.href } };
}

/** GET on an online-meeting invitation created by startAdhocMeeting. */
export function getMeeting(ctx: Ctx, app: Application, id: string): Reply {
  const meeting = app.meetings.get(id);
  if (!meeting) throw notFound();
  return { status: 200, body: ctx.rep.meeting(meeting) };
}
