/** The routes under one application (UCWA's, and a TAA endpoint's communication): each method's handler, or 404. */
import { getApplication, getCommunication, getMe, makeMeAvailable, makeMeUnavailable, pollEvents, removeApplication, reportMyActivity } from './applications';
import type { Ctx, Rq } from './context';
import { addMessaging, findConversation, getConversation, getMessaging, getParticipant, stopMessaging } from './conversations';
import { notFound } from './errors';
import {
  accept, acceptAndBridge, cancel, decline, findInvitation, getInvitation, getMeeting, startAdhocMeeting, startMessaging,
} from './invitations';
import { messagingRoute } from './messaging';
import type { Application } from './model';
import { peopleRoute } from './people';
import type { Route } from './seams';

/** The routes under one application: each method's handler, for the resource the path names (or 404). */
export function applicationRoute(ctx: Ctx, rq: Rq, app: Application, rest: readonly string[]): Route {
  const n = rest.length;
  const [a, b, c, d, e] = rest;
  if (n === 0) return { GET: () => getApplication(ctx, app), DELETE: () => removeApplication(ctx, app) };
  if (a === 'events' && n === 1) return { GET: () => pollEvents(app, rq) };
  if (a === 'me') {
    if (n === 1) return { GET: () => getMe(ctx, app) };
    if (n === 2 && b === 'makeMeAvailable') return { POST: () => makeMeAvailable(ctx, app, rq) };
    if (n === 2 && b === 'makeMeUnavailable') return { POST: () => makeMeUnavailable(ctx, app, rq) };
    if (n === 2 && b === 'reportMyActivity') return { POST: () => reportMyActivity(ctx, rq) };
  }
  if (a === 'people') return peopleRoute(ctx, rq, app, rest.slice(1));
  if (a === 'onlineMeetings' && n === 1) {
    return { GET: () => ({ status: 200, body: { rel: ctx.behaviour.rel('onlineMeetings'), _links: { self: { href: `${app.href}/onlineMeetings` } } } }) };
  }
  if (a === 'communication') {
    if (n === 1) return { GET: () => getCommunication(ctx, app) };
    if (b === 'messagingInvitations') {
      if (n === 2) return { POST: () => startMessaging(ctx, app, rq) };
      const inv = findInvitation(ctx, app, c!);
      if (n === 3) return { GET: () => getInvitation(ctx, inv) };
      if (n === 4) {
        switch (d) {
          case 'accept': return { POST: () => accept(ctx, inv, rq) };
          case 'decline': return { POST: () => decline(ctx, inv, rq) };
          case 'cancel': return { POST: () => cancel(ctx, inv, rq) };
          case 'acceptAndBridge': return { POST: () => acceptAndBridge(ctx, inv, rq) };
          case 'startAdhocMeeting': return { POST: () => startAdhocMeeting(ctx, inv, rq) };
        }
      }
    }
    if (b === 'onlineMeetingInvitations' && n === 3) return { GET: () => getMeeting(ctx, app, c!) };
    if (b === 'conversations' && n >= 3) {
      const conv = findConversation(app, c!);
      if (n === 3) return { GET: () => getConversation(ctx, conv) };
      if (d === 'messaging') {
        if (n === 4) return { GET: () => getMessaging(ctx, conv) };
        if (n === 5 && e === 'stopMessaging') return { POST: () => stopMessaging(ctx, conv, rq) };
        if (n === 5 && e === 'addMessaging') return { POST: () => addMessaging(ctx, conv, rq) };
        const modality = messagingRoute(ctx, rq, conv, rest.slice(4));
        if (modality) return modality;
      }
      if (d === 'participants' && n === 5) return { GET: () => getParticipant(ctx, conv, e!) };
    }
  }
  throw notFound();
}

