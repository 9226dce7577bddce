/** JSON representations of the application API resources, with rels spelled in the dialect (WIRE-2, WIRE-3). */
import type { Behaviour } from './behaviour';
import type { ChannelEvent } from './events';
import { type FaultSet, NO_FAULTS } from './faults';
import type { Application, Conversation, Invitation, InvitationState, MeetingInvitation, Participant } from './model';

type Json = Record<string, unknown>;
type Links = Record<string, { href: string; title?: string }>;

/** The invitation as it stood at some moment: used for the embedded copy in a `started` event (EV-9). */
export interface InvitationView {
  state: InvitationState;
  answered: boolean;
  final: boolean;
}

export const communicationHref = (app: Application): string => `${app.href}/communication`;
export const messagingHref = (conv: Conversation): string => `${conv.href}/messaging`;
export const participantHref = (conv: Conversation, p: Participant): string => `${conv.href}/participants/${p.id}`;

export class Representer {
  constructor(private readonly b: Behaviour, private readonly faults: FaultSet = NO_FAULTS) {}

  application(app: Application): Json {
    const r = this.b.rel;
    const links: Links = { self: { href: app.href }, [r('events')]: { href: app.channel.href } };
    if (this.faults.has('application-without-events-link')) delete links[r('events')];
    return {
      rel: r('application'),
      userAgent: app.userAgent,
      endpointId: app.endpointId,
      culture: app.culture,
      _links: links,
      _embedded: { [r('me')]: this.me(app), [r('communication')]: this.communication(app) },
    };
  }

  me(app: Application): Json {
    const r = this.b.rel;
    return {
      rel: r('me'),
      uri: this.faults.has('me-uri-without-scheme') ? app.account.uri.slice(4) : app.account.uri,
      name: app.account.name,
      _links: { self: { href: `${app.href}/me` }, [r('makeMeAvailable')]: { href: `${app.href}/me/makeMeAvailable` } },
    };
  }

  communication(app: Application): Json {
    const r = this.b.rel;
    const self = communicationHref(app);
    return {
      rel: r('communication'),
      supportedMessageFormats: ['Plain'],
      supportedModalities: ['Messaging'],
      _links: { self: { href: self }, [r('startMessaging')]: { href: `${self}/messagingInvitations` } },
    };
  }

  /** The invitation (D13); each `f.has` is a fault switch (reference/faults.ts), all off for the faithful server. */
  invitation(inv: Invitation, view?: InvitationView): Json {
    const f = this.faults;
    const r = this.b.rel;
    const b = this.b;
    const prefix = b.relPrefix || 'ms:rtc:saas:';
    const conv = inv.conversation;
    let state = view ? view.state : inv.state;
    if (!view && f.has('state-expires-to-failed') && inv.completedAt !== undefined && Date.now() - inv.completedAt >= 1000) state = 'Failed';
    const answered = view ? view.answered : inv.answered;
    const completion = view && !view.final ? undefined : inv.completion;
    const outgoing = inv.direction === 'Outgoing';
    const final = state !== 'Connecting';
    const rep: Json = {
      rel: f.has('invitation-rel-unprefixed') ? 'messagingInvitation' : r('messagingInvitation'),
      direction: inv.direction,
      state,
      importance: inv.importance,
      subject: inv.subject,
      threadId: inv.threadId,
      to: inv.to,
    };
    if (f.has('importance-omitted-when-normal') && inv.importance === 'Normal') delete rep.importance;
    if (inv.threadId === '') delete rep.threadId;
    if (outgoing && inv.operationId !== undefined) rep.operationId = f.has('operation-id-replaced') ? `op-${inv.id}` : inv.operationId;
    const links: Links = {
      [f.has('invitation-self-prefixed') ? `${prefix}self` : 'self']: { href: inv.href },
      [r('conversation')]: { href: conv.href },
      [r('messaging')]: { href: messagingHref(conv) },
      [r('application')]: { href: f.has('application-link-to-collection') ? inv.app.href.slice(0, inv.app.href.lastIndexOf('/')) : inv.app.href },
    };
    if (final && f.has('conversation-link-missing-after-completion')) delete links[r('conversation')];
    if (final && f.has('messaging-link-missing-after-completion')) delete links[r('messaging')];
    const embedded: Json = {};
    const probe = { direction: inv.direction, state, answered };
    if (outgoing) {
      if (!f.has('from-link-missing-on-outgoing')) links[r('from')] = { href: participantHref(conv, conv.local), title: conv.local.name };
      const cancel = f.has('cancel-link-missing-while-connecting') ? false : f.has('cancel-link-after-completion') || b.canCancel(probe);
      if (cancel) links[f.has('cancel-link-key-unprefixed') ? 'cancel' : r('cancel')] = { href: `${inv.href}/cancel` };
      if (f.has('accept-link-on-outgoing') && state === 'Connecting') links[r('accept')] = { href: `${inv.href}/accept` };
      const accepted = f.has('accepted-by-participant-missing') ? false
        : f.has('accepted-by-participant-after-failure') ? completion !== undefined : completion?.status === 'Success';
      if (accepted) {
        embedded[r('acceptedByParticipant')] = [this.participant(conv, f.has('accepted-by-participant-is-caller') ? conv.local : conv.remote)];
      }
    } else {
      embedded[r('from')] = this.participant(conv, f.has('from-is-callee-on-incoming') ? conv.local : conv.remote);
      if (f.has('cancel-link-on-incoming')) links[r('cancel')] = { href: `${inv.href}/cancel` };
      if (b.canAnswer(probe) || f.has('answer-links-kept-after-completion')) {
        links[r('accept')] = { href: `${inv.href}/accept` };
        if (!f.has('decline-link-missing')) links[r('decline')] = { href: `${inv.href}/decline` };
        links[r('acceptAndBridge')] = { href: `${inv.href}/acceptAndBridge` };
        links[r('startAdhocMeeting')] = { href: `${inv.href}/startAdhocMeeting` };
      }
    }
    if (inv.message !== undefined) links[r('message')] = { href: inv.message };
    if (inv.customContent !== undefined) {
      links[f.has('custom-content-prefixed') ? `${prefix}customContent` : r('customContent')] = { href: inv.customContent };
    }
    rep._links = links;
    if (Object.keys(embedded).length > 0) rep._embedded = embedded;
    return rep;
  }

  conversation(conv: Conversation): Json {
    const r = this.b.rel;
    return {
      rel: r('conversation'),
      state: conv.messagingState,
      subject: conv.subject,
      threadId: conv.threadId,
      importance: conv.importance,
      activeModalities: conv.messagingState === 'Connected' ? ['Messaging'] : [],
      participantCount: 2,
      _links: {
        self: { href: conv.href },
        [r('messaging')]: { href: messagingHref(conv) },
        [r('localParticipant')]: { href: participantHref(conv, conv.local) },
      },
    };
  }

  messaging(conv: Conversation): Json {
    const r = this.b.rel;
    const self = messagingHref(conv);
    const links: Links = { self: { href: self }, [r('conversation')]: { href: conv.href } };
    if (this.b.canStopMessaging(conv.messagingState)) links[r('stopMessaging')] = { href: `${self}/stopMessaging` };
    if (!this.b.addMessagingConflicts(conv.messagingState)) links[r('addMessaging')] = { href: `${self}/addMessaging` };
    if (this.faults.has('messaging-state-missing')) return { rel: r('messaging'), _links: links };
    return { rel: r('messaging'), state: conv.messagingState, _links: links };
  }

  participant(conv: Conversation, p: Participant): Json {
    const r = this.b.rel;
    return {
      rel: r('participant'),
      uri: p.uri,
      name: p.name,
      _links: { self: { href: participantHref(conv, p) }, [r('conversation')]: { href: conv.href } },
    };
  }

  meeting(m: MeetingInvitation): Json {
    const rep: Json = {
      rel: this.b.rel('onlineMeetingInvitation'),
      direction: 'Outgoing',
      state: 'Connected',
      subject: m.subject,
      onlineMeetingUri: m.onlineMeetingUri,
    };
    if (m.operationId !== undefined) rep.operationId = m.operationId;
    rep._links = { self: { href: m.href } };
    return rep;
  }

  /** The `sender` array of an event batch: invitation events under the application's communication (EV-6). */
  senders(app: Application, events: readonly ChannelEvent[]): unknown[] {
    const r = this.b.rel;
    const rel = this.faults.has('sender-rel-conversation') ? r('conversation') : r('communication');
    return [{ rel, href: communicationHref(app), events: events.map((e) => this.event(e)) }];
  }

  private event({ inv, type }: ChannelEvent): Json {
    const r = this.b.rel;
    const href = this.faults.has('event-link-href-conversation') ? inv.conversation.href : inv.href;
    const event: Json = { link: { rel: r('messagingInvitation'), href }, type };
    const final = type === 'completed';
    if (final && inv.completion) {
      event.status = inv.completion.status;
      if (inv.completion.reason) event.reason = inv.completion.reason;
    }
    if (this.b.embedsInvitation(type)) {
      const view: InvitationView = final ? { state: inv.state, answered: inv.answered, final: true }
        : { state: 'Connecting', answered: false, final: false };
      const copy = this.invitation(inv, view);
      if (final && this.faults.has('completed-embeds-connecting-state')) copy.state = 'Connecting';
      event._embedded = { [r('messagingInvitation')]: copy };
    }
    return event;
  }
}
