/** §8 events: what reaches each channel, in what order and when; the P-GET and its batches. */
import type { ChannelEvent } from '../events';
import { sendJson } from '../http';
import type { Invitation } from '../model';
import type { Json } from '../seams';
import { fault } from './fault';

export const EVENTS = [
  fault({
    name: 'started-duplicated', description: 'the caller\'s channel reports `started` twice', breaks: ['EV-7'],
    seam: 'events',
    hook: (ev) => ({
      queue(app, event, deliver) {
        ev.queue(app, event, deliver);
        if (event.type === 'started' && event.inv.direction === 'Outgoing') ev.queue(app, event, deliver);
      },
    }),
  }),
  fault({
    name: 'callee-completed-missing', description: 'the callee\'s channel never reports `completed`', breaks: ['EV-7', 'LC-2'],
    seam: 'events',
    hook: (ev) => ({
      queue(app, event, deliver) {
        if (!(event.type === 'completed' && event.inv.direction === 'Incoming')) ev.queue(app, event, deliver);
      },
    }),
  }),
  fault({
    name: 'completed-before-started-unreachable', description: 'for an unknown or unavailable target `completed` is reported before `started`', breaks: ['EV-7', 'LC-4', 'LC-5'],
    seam: 'events',
    hook: (ev) => {
      /** `started` of invitations that reached nobody, held until their `completed`. */
      const held = new Map<Invitation, ChannelEvent>();
      return {
        queue(app, event, deliver) {
          if (event.type === 'started' && event.inv.direction === 'Outgoing' && !event.inv.peer) {
            held.set(event.inv, event);
            return;
          }
          ev.queue(app, event, deliver);
          const started = event.type === 'completed' ? held.get(event.inv) : undefined;
          if (started) {
            held.delete(event.inv);
            ev.queue(app, started, deliver);
          }
        },
      };
    },
  }),
  fault({
    name: 'updated-after-completed', description: 'an `updated` event follows `completed`', breaks: ['EV-7'],
    seam: 'events',
    hook: (ev) => ({
      queue(app, event, deliver) {
        ev.queue(app, event, deliver);
        if (event.type === 'completed') ev.queue(app, { inv: event.inv, type: 'updated' }, deliver);
      },
    }),
  }),
  fault({
    name: 'invitation-events-delayed', description: 'invitation events reach the channel 1.5 s late', breaks: ['EV-10'],
    seam: 'events',
    hook: (ev) => ({ queue: (app, event, deliver) => void setTimeout(() => ev.queue(app, event, deliver), 1500).unref() }),
  }),
  fault({
    name: 'pget-not-replaced', description: 'a replaced P-GET is left hanging instead of 409 PGetReplaced', breaks: ['EV-4'],
    seam: 'events', hook: () => ({ replaced: () => undefined }),
  }),
  fault({
    name: 'pget-replaced-answered-200', description: 'a replaced P-GET is answered 200 with an empty batch', breaks: ['EV-4'],
    seam: 'events',
    hook: () => ({ replaced: (poll) => sendJson(poll.res, 200, { _links: { self: { href: poll.self }, next: { href: poll.next } }, sender: [] }) }),
  }),
  fault({
    name: 'deleted-application-events-subcode-none', description: 'the events href of a deleted application answers 404 without ApplicationNotFound', breaks: ['EV-5', 'APP-6'],
    seam: 'replies',
    hook: (r) => ({
      error(e, ex) {
        const out = r.error(e, ex);
        if (out.status !== 404 || out.body.subcode !== 'ApplicationNotFound' || !ex.path.endsWith('/events')) return out;
        const { subcode: _subcode, ...body } = out.body;
        return { ...out, body };
      },
    }),
  }),
  fault({
    name: 'batch-without-next', description: 'event batches carry no `next` link', breaks: ['EV-1', 'EV-2'],
    seam: 'represent',
    hook: (t) => ({
      batch(rep, app) {
        const out = t.batch(rep, app);
        const { next: _next, ...links } = out._links as Json;
        return { ...out, _links: links };
      },
    }),
  }),
  fault({
    name: 'sender-rel-conversation', description: 'invitation events sit under a ⟨conversation⟩ sender block', breaks: ['EV-6'],
    seam: 'represent', hook: (t, ctx) => ({ sender: (rep, app) => ({ ...t.sender(rep, app), rel: ctx.behaviour.rel('conversation') }) }),
  }),
  fault({
    name: 'event-link-href-conversation', description: 'an invitation event\'s link.href is the conversation, not the invitation', breaks: ['EV-6', 'EV-9'],
    seam: 'represent',
    hook: (t) => ({
      event(rep, e) {
        const out = t.event(rep, e);
        return { ...out, link: { ...(out.link as Json), href: e.inv.conversation.href } };
      },
    }),
  }),
  fault({
    name: 'completed-embeds-connecting-state', description: 'the copy embedded in `completed` still says state Connecting', breaks: ['EV-9'],
    seam: 'represent',
    hook: (t, ctx) => ({
      event(rep, e) {
        const out = t.event(rep, e);
        const copy = (out._embedded as Json | undefined)?.[ctx.behaviour.rel('messagingInvitation')] as Json | undefined;
        if (e.type === 'completed' && copy) copy.state = 'Connecting';
        return out;
      },
    }),
  }),
  fault({
    name: 'completed-leaks-to-callee-channel', description: 'the caller\'s `completed` is also delivered on the callee\'s channel', breaks: ['SEC-2'],
    seam: 'events',
    hook: (ev) => ({
      queue(app, event, deliver) {
        ev.queue(app, event, deliver);
        const peerApp = event.inv.peer?.app;
        if (event.type === 'completed' && event.inv.direction === 'Outgoing' && peerApp && !peerApp.deleted) ev.queue(peerApp, event, deliver);
      },
    }),
  }),
] as const;
