/** JSON representations of the application API resources, with rels spelled in the dialect (WIRE-2, WIRE-3). */
import type { Behaviour } from './behaviour';
import type { ChannelEvent } from './events';
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
  constructor(private readonly b: Behaviour) {}

  application(app: Application): Json {
    const r = this.b.rel;
    return {
      rel: r('application'),
      userAgent: app.userAgent,
      endpointId: app.endpointId,
      culture: app.culture,
      _links: { self: { href: app.href }, [r('events')]: { href: app.channel.href } },
      _embedded: { [r('me')]: this.me(app), [r('communication')]: this.communication(app) },
    };
  }

  me(app: Application): Json {
    const r = this.b.rel;
    return {
      rel: r('me'),
      uri: app.account.uri,
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

  invitation(inv: Invitation, view?: InvitationView): Json {
    const r = this.b.rel;
    const b = this.b;
    const conv = inv.conversation;
    const state = view ? view.state : inv.state;
    const answered = view ? view.answered : inv.answered;
    const completion = view && !view.final ? undefined : inv.completion;
    const rep: Json = {
      rel: r('messagingInvitation'),
      direction: inv.direction,
      state,
      importance: inv.importance,
      subject: inv.subject,
      threadId: inv.threadId,
      to: inv.to,
    };
    if (inv.direction === 'Outgoing' && inv.operationId !== undefined) rep.operationId = inv.operationId;
    const links: Links = {
      self: { href: inv.href },
      [r('conversation')]: { href: conv.href },
      [r('messaging')]: { href: messagingHref(conv) },
      [r('application')]: { href: inv.app.href },
    };
    const embedded: Json = {};
    const probe = { direction: inv.direction, state, answered };
    if (inv.direction === 'Outgoing') {
      links[r('from')] = { href: participantHref(conv, conv.local), title: conv.local.name };
      if (b.canCancel(probe)) links[r('cancel')] = { href: `${inv.href}/cancel` };
      if (completion?.status === 'Success') embedded[r('acceptedByParticipant')] = [this.participant(conv, conv.remote)];
    } else {
      embedded[r('from')] = this.participant(conv, conv.remote);
      if (b.canAnswer(probe)) {
        links[r('accept')] = { href: `${inv.href}/accept` };
        links[r('decline')] = { href: `${inv.href}/decline` };
        links[r('acceptAndBridge')] = { href: `${inv.href}/acceptAndBridge` };
        links[r('startAdhocMeeting')] = { href: `${inv.href}/startAdhocMeeting` };
      }
    }
    if (inv.message !== undefined) links[r('message')] = { href: inv.message };
    if (inv.customContent !== undefined) links[r('customContent')] = { href: inv.customContent };
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
    return [{ rel: r('communication'), href: communicationHref(app), events: events.map((e) => this.event(e)) }];
  }

  private event({ inv, type }: ChannelEvent): Json {
    const r = this.b.rel;
    const event: Json = { link: { rel: r('messagingInvitation'), href: inv.href }, type };
    const final = type === 'completed';
    if (final && inv.completion) {
      event.status = inv.completion.status;
      if (inv.completion.reason) event.reason = inv.completion.reason;
    }
    if (this.b.embedsInvitation(type)) {
      const view: InvitationView = final ? { state: inv.state, answered: inv.answered, final: true }
        : { state: 'Connecting', answered: false, final: false };
      event._embedded = { [r('messagingInvitation')]: this.invitation(inv, view) };
    }
    return event;
  }
}
