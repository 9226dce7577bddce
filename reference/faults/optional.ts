/** §7.4, §11.2 optional capabilities (all declared by the reference server). */
import { conflict } from '../errors';
import { fault } from './fault';
import { restOf } from './util';

export const OPTIONAL = [
  fault({
    name: 'add-messaging-duplicate-accepted', description: 'a second addMessaging while messaging is Connecting is accepted (201)', breaks: ['ADD-4', 'ERR-10'],
    seam: 'behaviour', hook: (b) => ({ addMessagingConflicts: (state) => state !== 'Connecting' && b.addMessagingConflicts(state) }),
  }),
  fault({
    name: 'stop-messaging-keeps-connected', description: 'stopMessaging answers 204 but messaging stays Connected', breaks: ['ADD-1'],
    seam: 'lifecycle',
    hook: (l, ctx) => ({
      act(action, apply) {
        if (action.kind !== 'stopMessaging') return l.act(action, apply);
        if (!ctx.behaviour.canStopMessaging(action.conv.messagingState)) throw conflict();
      },
    }),
  }),
  fault({
    name: 'add-messaging-new-conversation', description: 'addMessaging puts the new invitation in a new conversation', breaks: ['ADD-2'],
    seam: 'behaviour', hook: (b) => ({ conversationFor: (app, to, current) => (current ? undefined : b.conversationFor(app, to, current)) }),
  }),
  fault({
    name: 'accept-and-bridge-missing-uri-accepted', description: 'acceptAndBridge without onlineMeetingUri accepts the invitation (204)', breaks: ['OPT-1'],
    seam: 'behaviour', hook: (b) => ({ isRequired: (name) => name !== 'onlineMeetingUri' && b.isRequired(name) }),
  }),
  fault({
    name: 'accept-and-bridge-leaves-connecting', description: 'acceptAndBridge answers 204 but the invitation stays Connecting', breaks: ['OPT-1'],
    seam: 'lifecycle',
    hook: (l, ctx) => ({
      act(action, apply) {
        if (action.kind !== 'acceptAndBridge') return l.act(action, apply);
        if (!ctx.behaviour.canAnswer(action.inv)) throw conflict();
      },
    }),
  }),
  fault({
    name: 'start-adhoc-meeting-without-location', description: 'startAdhocMeeting answers 201 without Location', breaks: ['OPT-2'],
    seam: 'replies',
    hook: (r) => ({
      reply(reply, ex) {
        const out = r.reply(reply, ex);
        if (out.status !== 201 || restOf(ex)[3] !== 'startAdhocMeeting') return out;
        const { Location: _location, ...headers } = out.headers ?? {};
        return { ...out, headers };
      },
    }),
  }),
  fault({
    name: 'custom-content-missing-on-callee', description: 'the callee\'s invitation does not show customContent', breaks: ['OPT-3'],
    seam: 'behaviour',
    hook: (b) => ({
      delivered(input) {
        const d = { ...b.delivered(input) };
        delete d.customContent;
        return d;
      },
    }),
  }),
  fault({
    name: 'application-link-to-collection', description: 'the invitation\'s ⟨application⟩ link names the applications collection', breaks: ['OPT-4'],
    seam: 'represent',
    hook: (t, ctx) => ({
      invitation(rep, inv, view) {
        const out = t.invitation(rep, inv, view);
        const links = out._links as Record<string, { href: string }>;
        links[ctx.behaviour.rel('application')] = { href: inv.app.href.slice(0, inv.app.href.lastIndexOf('/')) };
        return out;
      },
    }),
  }),
] as const;
