/** The invitation lifecycle of §9: creation, delivery to the callee, completion on both sides. */
import { randomBytes } from 'node:crypto';
import type { Account } from './accounts';
import type { Outcome } from './behaviour';
import { type Ctx, newId } from './context';
import type { ChannelEvent } from './events';
import type { Application, Completion, Conversation, Direction, Invitation, Participant } from './model';
import { messagingConnected, messagingDisconnected } from './messaging';
import { communicationHref } from './represent';

/** What a new outgoing invitation carries (startMessaging / addMessaging input). */
export interface InvitationInput {
  to: string;
  operationId?: string;
  subject: string;
  importance: string;
  threadId: string;
  message?: string;
  customContent?: string;
  /** The identity the callee sees as the sender (TAA startMessagingWithIdentity, TSM-5); absent: the caller's own. */
  identity?: { uri: string; name: string };
}

export const newThreadId = (): string => randomBytes(16).toString('hex');

function participantFor(uri: string, account: Account | undefined, avoidId?: string): Participant {
  const user = uri.replace(/^sip:/i, '').split(/[@;]/)[0] ?? 'participant';
  let id = user.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'participant';
  if (id === avoidId) id = `${id}-remote`;
  return { id, uri: account ? account.uri : uri, name: account ? account.name : user };
}

/** A new conversation of `app` with the participant `remoteUri`. */
export function newConversation(ctx: Ctx, app: Application, remoteUri: string, input: InvitationInput): Conversation {
  const id = newId();
  const local = participantFor(app.account.uri, app.account);
  const conv: Conversation = {
    id,
    href: `${communicationHref(app)}/conversations/${id}`,
    app,
    threadId: input.threadId,
    subject: input.subject,
    importance: input.importance,
    local,
    remote: participantFor(remoteUri, ctx.accounts.findByUri(remoteUri), local.id),
    messagingState: 'Disconnected',
    invitations: new Set(),
    messages: new Map(),
  };
  app.conversations.set(id, conv);
  return conv;
}

function newInvitation(app: Application, conv: Conversation, direction: Direction, input: InvitationInput): Invitation {
  const id = newId();
  const inv: Invitation = {
    id,
    href: `${communicationHref(app)}/messagingInvitations/${id}`,
    app,
    conversation: conv,
    direction,
    state: 'Connecting',
    answered: false,
    subject: input.subject,
    importance: input.importance,
    threadId: input.threadId,
    to: input.to,
  };
  if (input.operationId !== undefined) inv.operationId = input.operationId;
  if (input.message !== undefined) inv.message = input.message;
  if (input.customContent !== undefined) inv.customContent = input.customContent;
  app.invitations.set(id, inv);
  conv.invitations.add(inv);
  conv.messagingState = 'Connecting';
  return inv;
}

/** The application that receives invitations for an account: the one that most recently made itself available. */
export function availableApplication(ctx: Ctx, account: Account): Application | undefined {
  let best: Application | undefined;
  for (const app of ctx.appsByAccount.get(account) ?? []) {
    if (app.availableSince > 0 && (best === undefined || app.availableSince > best.availableSince)) best = app;
  }
  return best;
}

/** Sends an event to an application through the events seam (reference/seams.ts). */
export function report(ctx: Ctx, app: Application, event: ChannelEvent): void {
  ctx.events.queue(app, event, deliver);
}

const deliver = (app: Application, event: ChannelEvent): void => app.channel.push(event);

/**
 * Creates an outgoing invitation in `conv`, routes it to the callee's available application (an incoming invitation,
 * linked as its peer), reports `started` on both sides and arms the no-answer timer; an invitation to an unknown or
 * unavailable target reports `started` and fails shortly after (LC-4, LC-5).
 */
export function startOutgoing(ctx: Ctx, conv: Conversation, input: InvitationInput): Invitation {
  const app = conv.app;
  const out = newInvitation(app, conv, 'Outgoing', input);
  if (out.operationId !== undefined) app.connectingOperations.set(out.operationId, out);
  const target = ctx.accounts.findByUri(input.to);
  const calleeApp = target && availableApplication(ctx, target);
  if (!target || !calleeApp) {
    report(ctx, app, { inv: out, type: 'started' });
    const { outcome, delayMs } = ctx.lifecycle.unreachable(target ? 'unavailableTarget' : 'unknownTarget', ctx.settings.noAnswerTimeoutMs);
    out.timer = setTimeout(() => settle(ctx, out, outcome), delayMs);
    out.timer.unref();
    return out;
  }
  const delivered = ctx.behaviour.delivered(input);
  const reusable = conv.peer && conv.peer.app === calleeApp && calleeApp.conversations.has(conv.peer.id) ? conv.peer : undefined;
  const calleeConv = reusable ?? newConversation(ctx, calleeApp, app.account.uri, delivered);
  if (delivered.identity) calleeConv.remote = { ...calleeConv.remote, uri: delivered.identity.uri, name: delivered.identity.name };
  conv.peer = calleeConv;
  calleeConv.peer = conv;
  const incoming = newInvitation(calleeApp, calleeConv, 'Incoming', { ...delivered, to: target.uri });
  delete incoming.operationId;
  out.peer = incoming;
  incoming.peer = out;
  report(ctx, app, { inv: out, type: 'started' });
  report(ctx, calleeApp, { inv: incoming, type: 'started' });
  const delay = ctx.lifecycle.noAnswerDelayMs(ctx.settings.noAnswerTimeoutMs);
  if (delay !== undefined) {
    out.timer = setTimeout(() => settle(ctx, out, 'noAnswer'), delay);
    out.timer.unref();
  }
  return out;
}

/** Completes an outgoing invitation and its incoming peer with the completions of §9.2 for `outcome`. */
export function settle(ctx: Ctx, outgoing: Invitation, outcome: Outcome): void {
  const b = ctx.behaviour;
  ctx.lifecycle.complete(outgoing, outcome, () => finish(ctx, outgoing, b.completion(outcome, 'Outgoing')));
  const peer = outgoing.peer;
  if (peer) ctx.lifecycle.complete(peer, outcome, () => finish(ctx, peer, b.completion(outcome, 'Incoming')));
}

/** Moves one Connecting invitation to its final state and reports `completed` exactly once (EV-7). */
function finish(ctx: Ctx, inv: Invitation, completion: Completion): void {
  if (inv.state !== 'Connecting') return;
  if (inv.timer) clearTimeout(inv.timer);
  delete inv.timer;
  inv.state = ctx.behaviour.finalState(completion);
  inv.completion = completion;
  inv.completedAt = Date.now();
  if (inv.operationId !== undefined && inv.app.connectingOperations.get(inv.operationId) === inv) {
    inv.app.connectingOperations.delete(inv.operationId);
  }
  const wasConnected = inv.conversation.messagingState === 'Connected';
  inv.conversation.messagingState = completion.status === 'Success' ? 'Connected' : 'Disconnected';
  if (inv.app.deleted) return;
  report(ctx, inv.app, { inv, type: 'completed' });
  if (completion.status === 'Success') messagingConnected(inv);
  else if (wasConnected) messagingDisconnected(inv.conversation);
}

/** Stops messaging in a conversation and in the remote side's conversation (ADD-1). */
export function stopMessaging(conv: Conversation): void {
  const was = conv.messagingState;
  conv.messagingState = 'Disconnected';
  if (was === 'Connected') messagingDisconnected(conv);
  if (conv.peer && conv.peer.messagingState === 'Connected') {
    conv.peer.messagingState = 'Disconnected';
    messagingDisconnected(conv.peer);
  }
}

/**
 * Removes an application: its Connecting invitations fail (the remote side sees Canceled when the caller's application
 * goes, TemporarilyUnavailable when the callee's goes), the remote side's messaging ends, its pending P-GET is answered
 * 404 ApplicationNotFound.
 */
export function deleteApplication(ctx: Ctx, app: Application): void {
  app.deleted = true;
  app.availableSince = 0;
  for (const inv of app.invitations.values()) {
    if (inv.state !== 'Connecting') continue;
    if (inv.direction === 'Outgoing') settle(ctx, inv, 'canceled');
    else if (inv.peer) settle(ctx, inv.peer, 'unavailableTarget');
  }
  for (const conv of app.conversations.values()) {
    if (conv.peer) {
      stopMessaging(conv);
      delete conv.peer.peer;
    }
  }
  app.channel.delete();
  ctx.apps.delete(app.id);
  ctx.appsByAccount.get(app.account)?.delete(app);
}

/** Forgets invitations completed more than `retentionMs` ago, and conversations left with none and no messaging (D16). */
export function purgeCompleted(app: Application, now: number, retentionMs: number): void {
  for (const [id, inv] of app.invitations) {
    if (inv.completedAt === undefined || now - inv.completedAt < retentionMs) continue;
    app.invitations.delete(id);
    const conv = inv.conversation;
    conv.invitations.delete(inv);
    if (conv.invitations.size === 0 && conv.messagingState === 'Disconnected') {
      app.conversations.delete(conv.id);
      if (conv.peer) delete conv.peer.peer;
    }
  }
}
