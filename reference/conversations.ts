/** Conversation, messaging and participant resources; stopMessaging and addMessaging (MI-15, ADD-1…ADD-4). */
import type { Ctx, Reply, Rq } from './context';
import { conflict, notFound } from './errors';
import { readJsonObject } from './http';
import { readFirstMessage } from './invitations';
import { newConversation, startOutgoing, stopMessaging as stop } from './lifecycle';
import type { Application, Conversation } from './model';
import { Members } from './validate';

/** The application's conversation with this id, or 404 NotFound/None. */
export function findConversation(app: Application, id: string): Conversation {
  const conv = app.conversations.get(id);
  if (!conv) throw notFound();
  return conv;
}

export const getConversation = (ctx: Ctx, conv: Conversation): Reply => ({ status: 200, body: ctx.rep.conversation(conv) });

export const getMessaging = (ctx: Ctx, conv: Conversation): Reply => ({ status: 200, body: ctx.rep.messaging(conv) });

/** GET on a participant of the conversation (MI-11). */
export function getParticipant(ctx: Ctx, conv: Conversation, id: string): Reply {
  const p = conv.local.id === id ? conv.local : conv.remote.id === id ? conv.remote : undefined;
  if (!p) throw notFound();
  return { status: 200, body: ctx.rep.participant(conv, p) };
}

/** POST on ⟨stopMessaging⟩ (ADD-1): 409 Conflict/None unless messaging is Connected. */
export async function stopMessaging(ctx: Ctx, conv: Conversation, rq: Rq): Promise<Reply> {
  await readJsonObject(rq, ctx.behaviour);
  ctx.lifecycle.act({ kind: 'stopMessaging', conv }, () => {
    if (!ctx.behaviour.canStopMessaging(conv.messagingState)) throw conflict();
    stop(conv);
  });
  return { status: 204 };
}

/** POST on ⟨addMessaging⟩ (ADD-2…ADD-4, ERR-10): a new outgoing invitation to the remote participant. */
export async function addMessaging(ctx: Ctx, conv: Conversation, rq: Rq): Promise<Reply> {
  const b = ctx.behaviour;
  const body = (await readJsonObject(rq, b)) ?? {};
  const members = new Members(body, b);
  const first = readFirstMessage(ctx, members);
  members.check();
  if (b.addMessagingConflicts(conv.messagingState)) {
    throw conflict('AlreadyExists', 'Messaging is already in progress.');
  }
  if (b.operationIdInUse(conv.app, first.operationId, ctx.apps)) {
    throw conflict('AlreadyExists', 'An invitation with this operationId is in progress.');
  }
  const input = { ...first, to: conv.remote.uri, subject: conv.subject, importance: conv.importance, threadId: conv.threadId };
  const target = b.conversationFor(conv.app, conv.remote.uri, conv) ?? newConversation(ctx, conv.app, conv.remote.uri, input);
  const inv = startOutgoing(ctx, target, input);
  return { status: 201, headers: { Location: inv.href } };
}
