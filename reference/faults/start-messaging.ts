/** §5 startMessaging: limits, echo of the request on both sides, routing. */
import { sipKey } from '../accounts';
import type { Behaviour } from '../behaviour';
import { newThreadId } from '../lifecycle';
import type { Application, Conversation } from '../model';
import { fault } from './fault';

/** A behaviour hook that changes the subject the callee's invitation is created from. */
const calleeSubject = (change: (subject: string) => string) => (b: Behaviour): Partial<Behaviour> => ({
  delivered(input) {
    const d = b.delivered(input);
    return { ...d, subject: change(d.subject) };
  },
});

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** A conversation of `app` with `uri` whose messaging is still Connecting. */
function connectingConversationWith(app: Application, uri: string): Conversation | undefined {
  const key = sipKey(uri);
  for (const conv of app.conversations.values()) {
    if (conv.messagingState === 'Connecting' && sipKey(conv.remote.uri) === key) return conv;
  }
  return undefined;
}

export const START_MESSAGING = [
  fault({
    name: 'subject-limit-249', description: 'subject is limited to 249 code units, so 250 is refused', breaks: ['SM-6'],
    seam: 'behaviour', hook: (b) => ({ limits: { ...b.limits, subject: 249 } }),
  }),
  fault({
    name: 'subject-limit-251', description: 'subject is limited to 251 code units, so 251 is accepted', breaks: ['ERR-3'],
    seam: 'behaviour', hook: (b) => ({ limits: { ...b.limits, subject: 251 } }),
  }),
  fault({
    name: 'subject-counts-code-points', description: 'the subject limit counts code points, so 126 × U+1F600 (252 units) is accepted', breaks: ['ERR-3'],
    seam: 'behaviour', hook: (b) => ({ memberLength: (name, text) => (name === 'subject' ? [...text].length : b.memberLength(name, text)) }),
  }),
  fault({
    name: 'operation-id-limit-49', description: 'operationId is limited to 49 code units, so 50 is refused', breaks: ['SM-6'],
    seam: 'behaviour', hook: (b) => ({ limits: { ...b.limits, operationId: 49 } }),
  }),
  fault({
    name: 'operation-id-limit-51', description: 'operationId is limited to 51 code units (startMessaging and addMessaging)', breaks: ['ERR-3', 'ADD-4'],
    seam: 'behaviour', hook: (b) => ({ limits: { ...b.limits, operationId: 51 } }),
  }),
  fault({
    name: 'thread-id-limit-249', description: 'threadId is limited to 249 code units, so 250 is refused', breaks: ['SM-6'],
    seam: 'behaviour', hook: (b) => ({ limits: { ...b.limits, threadId: 249 } }),
  }),
  fault({
    name: 'thread-id-unlimited', description: 'threadId has no length limit, so 251 is accepted', breaks: ['ERR-3'],
    seam: 'behaviour', hook: (b) => ({ limits: { ...b.limits, threadId: Number.MAX_SAFE_INTEGER } }),
  }),
  fault({
    name: 'subject-trimmed-on-callee', description: 'the callee sees the subject with surrounding white space trimmed', breaks: ['MI-5'],
    seam: 'behaviour', hook: calleeSubject((subject) => subject.trim()),
  }),
  fault({
    name: 'subject-html-escaped-on-callee', description: 'the callee sees the subject HTML-escaped (&amp; &lt; &gt; &quot;)', breaks: ['MI-5'],
    seam: 'behaviour', hook: calleeSubject((subject) => subject.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]!)),
  }),
  fault({
    name: 'subject-truncated-on-callee', description: 'the callee sees the subject cut to 100 code units', breaks: ['SM-6', 'MI-5'],
    seam: 'behaviour', hook: calleeSubject((subject) => subject.slice(0, 100)),
  }),
  fault({
    name: 'importance-normal-on-callee', description: 'the callee always sees importance Normal', breaks: ['MI-4', 'SM-7'],
    seam: 'behaviour', hook: (b) => ({ delivered: (input) => ({ ...b.delivered(input), importance: 'Normal' }) }),
  }),
  fault({
    name: 'importance-emergency-refused', description: 'importance Emergency is refused with 400 ParameterValidationFailure', breaks: ['SM-7'],
    seam: 'behaviour', hook: (b) => ({ importanceValues: new Set([...b.importanceValues].filter((v) => v !== 'Emergency')) }),
  }),
  fault({
    name: 'importance-omitted-when-normal', description: 'importance is left out of both invitations when it is Normal', breaks: ['MI-4', 'SM-5'],
    seam: 'represent',
    hook: (t) => ({
      invitation(rep, inv, view) {
        const out = t.invitation(rep, inv, view);
        if (inv.importance === 'Normal') delete out.importance;
        return out;
      },
    }),
  }),
  fault({
    name: 'thread-id-differs-on-callee', description: 'the callee\'s invitation carries a threadId of its own', breaks: ['MI-6', 'LC-2'],
    seam: 'behaviour', hook: (b) => ({ delivered: (input) => ({ ...b.delivered(input), threadId: newThreadId() }) }),
  }),
  fault({
    name: 'no-default-thread-id', description: 'without a threadId in the request the invitations have none', breaks: ['SM-5', 'MI-6'],
    seam: 'behaviour', hook: () => ({ defaultThreadId: () => '' }),
  }),
  fault({
    name: 'operation-id-replaced', description: 'the outgoing invitation shows a server-chosen operationId instead of the client\'s', breaks: ['MI-8', 'SM-6', 'EV-9'],
    seam: 'represent',
    hook: (t) => ({
      invitation(rep, inv, view) {
        const out = t.invitation(rep, inv, view);
        if (out.operationId !== undefined) out.operationId = `op-${inv.id}`;
        return out;
      },
    }),
  }),
  fault({
    name: 'to-query-ignored', description: '`to` as a query parameter is ignored (400 naming `to`)', breaks: ['SM-4'],
    seam: 'behaviour', hook: () => ({ queryTo: () => undefined }),
  }),
  fault({
    name: 'conversation-shared-while-connecting', description: 'a startMessaging to a participant already being invited joins that conversation', breaks: ['SM-3'],
    seam: 'behaviour',
    hook: (b) => ({ conversationFor: (app, to, current) => b.conversationFor(app, to, current) ?? (current ? undefined : connectingConversationWith(app, to)) }),
  }),
  fault({
    name: 'unknown-member-rejected', description: 'an unknown startMessaging member is refused with 400 ParameterValidationFailure', breaks: ['WIRE-6'],
    seam: 'behaviour', hook: () => ({ unknownMembers: 'refused' as const }),
  }),
  fault({
    name: 'message-missing-on-callee', description: 'the callee\'s invitation does not show the first message', breaks: ['MI-9', 'SM-8'],
    seam: 'behaviour',
    hook: (b) => ({
      delivered(input) {
        const d = { ...b.delivered(input) };
        delete d.message;
        return d;
      },
    }),
  }),
] as const;
