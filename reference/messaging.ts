/**
 * The messaging modality as the public captures show it (outside PROFILE.md, which §13 tolerates as extras): the
 * conversation's own events when messaging connects or ends, sendMessage, message events on both sides, setIsTyping.
 * None of this passes through a seam: no fault deviates here.
 */
import type { Ctx, Reply, Rq } from './context';
import { newId } from './context';
import { formatDataUri, parseDataUri } from './datauri';
import { conflict, malformed, notFound, unsupportedMediaType } from './errors';
import type { ConversationEvent } from './events';
import { mediaType, readBody } from './http';
import type { Conversation, Direction, Invitation, Message } from './model';
import { messagingHref } from './represent';

/** A conversation event straight onto its application's channel (no seam: outside the profile). */
function push(conv: Conversation, event: Omit<ConversationEvent, 'conv'>): void {
  if (!conv.app.deleted) conv.app.channel.push({ conv, ...event });
}

/** A text as this server emits a message: a percent-encoded `data:` URI as in the captures. */
export function messageDataUri(type: 'text/plain' | 'text/html', text: string): string {
  return formatDataUri({ mediaType: `${type};charset=utf-8`, bytes: Buffer.from(text, 'utf8') });
}

function addMessage(conv: Conversation, direction: Direction, type: 'text/plain' | 'text/html', text: string): Message {
  const id = newId();
  const message: Message = { id, href: `${messagingHref(conv)}/messages/${id}`, direction, sentAt: Date.now() };
  if (type === 'text/html') message.htmlMessage = messageDataUri(type, text);
  else message.plainMessage = messageDataUri(type, text);
  conv.messages.set(id, message);
  return message;
}

function messageEvent(conv: Conversation, message: Message): void {
  push(conv, {
    rel: 'message', href: message.href, type: 'completed', status: 'Success',
    embed: (rep) => rep.message(conv, message),
  });
}

/** After an invitation completed with Success: the conversation's updates as a real server sends them. */
export function messagingConnected(inv: Invitation): void {
  const conv = inv.conversation;
  push(conv, { rel: 'conversation', href: conv.href, type: 'updated', embed: (rep) => rep.conversation(conv) });
  push(conv, {
    rel: 'participant', href: `${conv.href}/participants/${conv.remote.id}`, type: 'added',
    embed: (rep) => rep.participant(conv, conv.remote),
  });
  push(conv, { rel: 'messaging', href: messagingHref(conv), type: 'updated', embed: (rep) => rep.messaging(conv) });
  if (inv.direction === 'Incoming' && inv.message !== undefined) {
    // the invitation's first message, delivered as a message once the callee has accepted
    const parsed = parseDataUri(inv.message, true);
    if (parsed) {
      const html = parsed.mediaType.toLowerCase().startsWith('text/html');
      messageEvent(conv, addMessage(conv, 'Incoming', html ? 'text/html' : 'text/plain', parsed.bytes.toString('utf8')));
    }
  }
}

/** Messaging in a conversation ended (stopMessaging, a failure, the other side gone): `messaging` updated. */
export function messagingDisconnected(conv: Conversation): void {
  push(conv, { rel: 'messaging', href: messagingHref(conv), type: 'updated', embed: (rep) => rep.messaging(conv) });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** POST on ⟨sendMessage⟩: a text/plain or text/html body (charset optional, UTF-8) → 201, message events both sides. */
export async function sendMessage(ctx: Ctx, conv: Conversation, rq: Rq): Promise<Reply> {
  const raw = await readBody(rq.req);
  const type = mediaType(rq.req.headers['content-type']);
  if (type !== 'text/plain' && type !== 'text/html') throw unsupportedMediaType(ctx.behaviour.unsupportedMediaStatus, 'Content-Type');
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw malformed('The message is not well-formed UTF-8.');
  }
  if (conv.messagingState !== 'Connected') throw conflict(undefined, 'Messaging is not connected.');
  const sent = addMessage(conv, 'Outgoing', type, text);
  messageEvent(conv, sent);
  const peer = conv.peer;
  if (peer && peer.messagingState === 'Connected') messageEvent(peer, addMessage(peer, 'Incoming', type, text));
  return { status: 201, headers: { Location: sent.href } };
}

/** POST on ⟨setIsTyping⟩ → 204; the other side sees its typingParticipants updated. */
export async function setIsTyping(_ctx: Ctx, conv: Conversation, rq: Rq): Promise<Reply> {
  await readBody(rq.req);
  if (conv.messagingState !== 'Connected') throw conflict(undefined, 'Messaging is not connected.');
  const peer = conv.peer;
  if (peer) push(peer, { rel: 'typingParticipants', href: `${messagingHref(peer)}/typingParticipants`, type: 'updated' });
  return { status: 204 };
}

/** The routes under `messaging/` this module adds (undefined: not one of them). */
export function messagingRoute(ctx: Ctx, rq: Rq, conv: Conversation, rest: readonly string[]): Record<string, () => Reply | Promise<Reply>> | undefined {
  const [a, b] = rest;
  if (rest.length === 1 && a === 'messages') return { POST: () => sendMessage(ctx, conv, rq) };
  if (rest.length === 2 && a === 'messages') {
    const message = conv.messages.get(b!);
    if (!message) throw notFound();
    return { GET: () => ({ status: 200, body: ctx.rep.message(conv, message) }) };
  }
  if (rest.length === 1 && a === 'typing') return { POST: () => setIsTyping(ctx, conv, rq) };
  if (rest.length === 1 && a === 'typingParticipants') {
    return { GET: () => ({ status: 200, body: ctx.rep.typingParticipants(conv) }) };
  }
  return undefined;
}
