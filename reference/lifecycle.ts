/** The invitation lifecycle of §9: creation, delivery to the callee, completion on both sides. */
import { randomBytes } from 'node:crypto';
import type { Account } from './accounts';
import type { Outcome } from './behaviour';
import { type Ctx, newId } from './context';
import type { Application, Completion, Conversation, Direction, Invitation, InvitationState, Participant } from './model';
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

/**
 * Creates an outgoing invitation in `conv`, reports `started`, and routes it: to the callee's available application
 * (incoming invitation + no-answer timer), or to a quick failure for an unknown or unavailable target (LC-4, LC-5).
 */
export function startOutgoing(ctx: Ctx, conv: Conversation, input: InvitationInput): Invitation {
  const app = conv.app;
  const f = ctx.faults;
  const out = newInvitation(app, conv, 'Outgoing', input);
  if (out.operationId !== undefined) app.connectingOperations.set(out.operationId, out);
  const target = ctx.accounts.findByUri(input.to);
  const calleeApp = target && availableApplication(ctx, target);
  const startedAfterCompleted = !calleeApp && f.has('completed-before-started-unreachable');
  if (!startedAfterCompleted) app.channel.push({ inv: out, type: 'started' });
  if (f.has('started-duplicated')) app.channel.push({ inv: out, type: 'started' });

  if (!target || !calleeApp) {
    const outcome: Outcome = target ? 'unavailableTarget' : 'unknownTarget';
    const timesOut = !target && f.has('unknown-target-times-out');
    out.timer = setTimeout(() => {
      settle(ctx, out, timesOut ? 'noAnswer' : outcome);
      if (startedAfterCompleted) app.channel.push({ inv: out, type: 'started' });
    }, timesOut ? ctx.settings.noAnswerTimeoutMs : ctx.behaviour.unreachableDelayMs);
    out.timer.unref();
    return out;
  }
  const delivered = f.size === 0 ? input : calleeInput(ctx, input);
  const reusable = conv.peer && conv.peer.app === calleeApp && calleeApp.conversations.has(conv.peer.id) ? conv.peer : undefined;
  const calleeConv = reusable ?? newConversation(ctx, calleeApp, app.account.uri, delivered);
  conv.peer = calleeConv;
  calleeConv.peer = conv;
  const incoming = newInvitation(calleeApp, calleeConv, 'Incoming', { ...delivered, to: target.uri });
  delete incoming.operationId;
  out.peer = incoming;
  incoming.peer = out;
  calleeApp.channel.push({ inv: incoming, type: 'started' });
  if (!f.has('no-answer-timeout-never-fires')) {
    const n = ctx.settings.noAnswerTimeoutMs;
    const delay = f.has('no-answer-timeout-early') ? n / 3 : f.has('no-answer-timeout-late') ? n + 15_000 : n;
    out.timer = setTimeout(() => settle(ctx, out, 'noAnswer'), delay);
    out.timer.unref();
  }
  return out;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** What the callee's side is created from: the caller's input, unless a fault changes it on the way. */
function calleeInput(ctx: Ctx, input: InvitationInput): InvitationInput {
  const f = ctx.faults;
  const delivered = { ...input };
  if (f.has('subject-trimmed-on-callee')) delivered.subject = delivered.subject.trim();
  if (f.has('subject-html-escaped-on-callee')) delivered.subject = delivered.subject.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]!);
  if (f.has('subject-truncated-on-callee')) delivered.subject = delivered.subject.slice(0, 100);
  if (f.has('importance-normal-on-callee')) delivered.importance = 'Normal';
  if (f.has('thread-id-differs-on-callee')) delivered.threadId = newThreadId();
  if (f.has('message-missing-on-callee')) delete delivered.message;
  if (f.has('message-shown-when-none-sent') && delivered.message === undefined) delivered.message = 'data:text/plain;base64,';
  if (f.has('custom-content-missing-on-callee')) delete delivered.customContent;
  return delivered;
}

/** Completes an outgoing invitation and its incoming peer with the completions of §9.2 for `outcome`. */
export function settle(ctx: Ctx, outgoing: Invitation, outcome: Outcome): void {
  const wasConnecting = outgoing.state === 'Connecting';
  if (outcome === 'accepted' && outgoing.peer && ctx.faults.has('caller-completes-late')) {
    finish(ctx, outgoing.peer, ctx.behaviour.completion(outcome, 'Incoming'));
    setTimeout(() => finish(ctx, outgoing, ctx.behaviour.completion(outcome, 'Outgoing')), 400).unref();
    return;
  }
  finish(ctx, outgoing, ctx.behaviour.completion(outcome, 'Outgoing'));
  if (outgoing.peer) finish(ctx, outgoing.peer, ctx.behaviour.completion(outcome, 'Incoming'));
  const peerApp = outgoing.peer?.app;
  if (wasConnecting && peerApp && !peerApp.deleted && ctx.faults.has('completed-leaks-to-callee-channel')) {
    peerApp.channel.push({ inv: outgoing, type: 'completed' });
  }
}

/** The final state for a completion (a fault may pick the wrong one). */
function finalState(ctx: Ctx, completion: Completion): InvitationState {
  const f = ctx.faults;
  if (completion.status === 'Success') return f.has('failed-after-accept') ? 'Failed' : 'Connected';
  if (f.has('connected-after-decline') && completion.reason?.subcode === 'Declined') return 'Connected';
  if (f.has('disconnected-instead-of-failed')) return 'Disconnected' as InvitationState;
  return 'Failed';
}

/** Moves one Connecting invitation to its final state and reports `completed` exactly once (EV-7). */
function finish(ctx: Ctx, inv: Invitation, completion: Completion): void {
  if (inv.state !== 'Connecting') return;
  if (inv.timer) clearTimeout(inv.timer);
  delete inv.timer;
  const success = completion.status === 'Success';
  inv.state = ctx.faults.size === 0 ? (success ? 'Connected' : 'Failed') : finalState(ctx, completion);
  inv.completion = completion;
  inv.completedAt = Date.now();
  if (inv.operationId !== undefined && inv.app.connectingOperations.get(inv.operationId) === inv
    && !ctx.faults.has('operation-id-reuse-refused-after-completion')) {
    inv.app.connectingOperations.delete(inv.operationId);
  }
  inv.conversation.messagingState = success ? 'Connected' : 'Disconnected';
  if (inv.app.deleted) return;
  if (inv.direction === 'Incoming' && ctx.faults.has('callee-completed-missing')) return;
  inv.app.channel.push({ inv, type: 'completed' });
  if (ctx.faults.has('updated-after-completed')) inv.app.channel.push({ inv, type: 'updated' });
}

/** Stops messaging in a conversation and in the remote side's conversation (ADD-1). */
export function stopMessaging(conv: Conversation): void {
  conv.messagingState = 'Disconnected';
  if (conv.peer && conv.peer.messagingState === 'Connected') conv.peer.messagingState = 'Disconnected';
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
