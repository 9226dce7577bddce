/**
 * JSON representations of the resources, with rels spelled in the dialect (WIRE-2, WIRE-3). Each one passes through
 * the represent seam for its kind (identity for the faithful server) before it is sent or embedded.
 */
import type { Account } from './accounts';
import { type ChannelEvent, type ConversationEvent, isConversationEvent, type QueuedEvent } from './events';
import type { Application, Conversation, Invitation, MeetingInvitation, Message, Participant } from './model';
import type { InvitationView, Json, RepresentHooks, Seams } from './seams';

export type { InvitationView } from './seams';

type Links = Record<string, { href: string; title?: string }>;

export const DISCOVERY_PATH = '/autodiscover';
export const USER_PATH = '/autodiscover/user';
export const TOKEN_PATH = '/oauth/token';
export const APPLICATIONS_PATH = '/ucwa/v1/applications';

export const communicationHref = (app: Application): string => `${app.href}/communication`;
export const messagingHref = (conv: Conversation): string => `${conv.href}/messaging`;
export const peopleHref = (app: Application): string => `${app.href}/people`;
export const participantHref = (conv: Conversation, p: Participant): string => `${conv.href}/participants/${p.id}`;

export class Representer {
  private readonly b: Seams['behaviour'];
  private readonly t: RepresentHooks;

  constructor(seams: Pick<Seams, 'behaviour' | 'represent'>) {
    this.b = seams.behaviour;
    this.t = seams.represent;
  }

  /**
   * The discovery root (DISC-1), its hrefs absolute on `origin` (e.g. "https://host:port") as a deployed server writes
   * them (an empty origin: absolute paths; PROFILE.md §13 leaves the href form open).
   */
  discovery(origin = ''): Json {
    return this.t.discovery({ _links: { self: { href: `${origin}${DISCOVERY_PATH}` }, user: { href: `${origin}${USER_PATH}` } } });
  }

  /** The user document read with a valid token (DISC-3), absolute on `origin` like the root. */
  user(origin = ''): Json {
    return this.t.user({ _links: { self: { href: `${origin}${USER_PATH}` }, applications: { href: `${origin}${APPLICATIONS_PATH}` } } });
  }

  /** The password grant's answer (AUTH-1). */
  token(accessToken: string, expiresIn: number, account: Account): Json {
    return this.t.token({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn }, account);
  }

  application(app: Application): Json {
    const r = this.b.rel;
    return this.t.application({
      rel: r('application'),
      userAgent: app.userAgent,
      endpointId: app.endpointId,
      culture: app.culture,
      _links: { self: { href: app.href }, [r('events')]: { href: app.channel.href } },
      _embedded: {
        [r('me')]: this.me(app),
        [r('people')]: this.people(app),
        [r('onlineMeetings')]: { rel: r('onlineMeetings'), _links: { self: { href: `${app.href}/onlineMeetings` } } },
        [r('communication')]: this.communication(app),
      },
    }, app);
  }

  /**
   * `me`: makeMeAvailable until the user is available, then makeMeUnavailable (as a real server), and reportMyActivity
   * (outside the profile). The makeMeAvailable URL itself keeps answering either way.
   */
  me(app: Application): Json {
    const r = this.b.rel;
    const self = `${app.href}/me`;
    const availability = app.availableSince > 0 ? 'makeMeUnavailable' : 'makeMeAvailable';
    return this.t.me({
      rel: r('me'),
      uri: app.account.uri,
      name: app.account.name,
      _links: {
        self: { href: self },
        [r(availability)]: { href: `${self}/${availability}` },
        [r('reportMyActivity')]: { href: `${self}/reportMyActivity` },
      },
    }, app);
  }

  /** `people` (outside the profile): search and the contact list. */
  people(app: Application): Json {
    const r = this.b.rel;
    const self = peopleHref(app);
    return {
      rel: r('people'),
      _links: { self: { href: self }, [r('search')]: { href: `${self}/search` }, [r('myContacts')]: { href: `${self}/contacts` } },
    };
  }

  communication(app: Application): Json {
    const r = this.b.rel;
    const self = communicationHref(app);
    return this.t.communication({
      rel: r('communication'),
      supportedMessageFormats: ['Plain'],
      supportedModalities: ['Messaging'],
      _links: { self: { href: self }, [r('startMessaging')]: { href: `${self}/messagingInvitations` } },
    }, app);
  }

  /** The invitation (D13); `view` is the moment an event's embedded copy shows (EV-9). */
  invitation(inv: Invitation, view?: InvitationView): Json {
    const r = this.b.rel;
    const b = this.b;
    const conv = inv.conversation;
    const state = view ? view.state : inv.state;
    const answered = view ? view.answered : inv.answered;
    const completion = view && !view.final ? undefined : inv.completion;
    const outgoing = inv.direction === 'Outgoing';
    const rep: Json = {
      rel: r('messagingInvitation'),
      direction: inv.direction,
      state,
      importance: inv.importance,
      subject: inv.subject,
      threadId: inv.threadId,
      to: inv.to,
    };
    if (inv.threadId === '') delete rep.threadId;
    if (outgoing && inv.operationId !== undefined) rep.operationId = inv.operationId;
    const links: Links = {
      self: { href: inv.href },
      [r('conversation')]: { href: conv.href },
      [r('messaging')]: { href: messagingHref(conv) },
      [r('application')]: { href: inv.app.href },
    };
    const embedded: Json = {};
    const probe = { direction: inv.direction, state, answered };
    if (outgoing) {
      links[r('from')] = { href: participantHref(conv, conv.local), title: conv.local.name };
      if (b.canCancel(probe)) links[r('cancel')] = { href: `${inv.href}/cancel` };
      if (completion?.status === 'Success') embedded[r('acceptedByParticipant')] = [this.participant(conv, conv.remote)];
    } else {
      // linked as well as embedded, as a real server's incoming invitation (clients follow either)
      links[r('from')] = { href: participantHref(conv, conv.remote), title: conv.remote.name };
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
    return this.t.invitation(rep, inv, view);
  }

  conversation(conv: Conversation): Json {
    const r = this.b.rel;
    return this.t.conversation({
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
    }, conv);
  }

  messaging(conv: Conversation): Json {
    const r = this.b.rel;
    const self = messagingHref(conv);
    const links: Links = { self: { href: self }, [r('conversation')]: { href: conv.href } };
    if (this.b.canStopMessaging(conv.messagingState)) links[r('stopMessaging')] = { href: `${self}/stopMessaging` };
    if (!this.b.addMessagingConflicts(conv.messagingState)) links[r('addMessaging')] = { href: `${self}/addMessaging` };
    if (conv.messagingState === 'Connected') {
      // the modality's own operations (outside the profile)
      links[r('sendMessage')] = { href: `${self}/messages` };
      links[r('setIsTyping')] = { href: `${self}/typing` };
      links[r('typingParticipants')] = { href: `${self}/typingParticipants` };
    }
    return this.t.messaging({ rel: r('messaging'), state: conv.messagingState, _links: links }, conv);
  }

  participant(conv: Conversation, p: Participant): Json {
    const r = this.b.rel;
    return this.t.participant({
      rel: r('participant'),
      uri: p.uri,
      name: p.name,
      _links: { self: { href: participantHref(conv, p) }, [r('conversation')]: { href: conv.href } },
    }, conv, p);
  }

  /** A message of the messaging modality (outside the profile), as the captures show it. */
  message(conv: Conversation, m: Message): Json {
    const r = this.b.rel;
    const from = m.direction === 'Incoming' ? conv.remote : conv.local;
    const links: Links = {
      self: { href: m.href },
      [r('participant')]: { href: participantHref(conv, from), title: from.name },
      [r('contact')]: { href: `${peopleHref(conv.app)}/${encodeURIComponent(from.uri)}` },
      [r('messaging')]: { href: messagingHref(conv) },
    };
    if (m.plainMessage !== undefined) links[r('plainMessage')] = { href: m.plainMessage };
    if (m.htmlMessage !== undefined) links[r('htmlMessage')] = { href: m.htmlMessage };
    return { rel: r('message'), direction: m.direction, timeStamp: `/Date(${m.sentAt})/`, _links: links };
  }

  /** Who is typing in a conversation (outside the profile): nobody stays listed, a typing notice is an event only. */
  typingParticipants(conv: Conversation): Json {
    const r = this.b.rel;
    return { rel: r('typingParticipants'), _links: { self: { href: `${messagingHref(conv)}/typingParticipants` } }, _embedded: { [r('participant')]: [] } };
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
    return this.t.meeting(rep, m);
  }

  /** An event batch: its links and the `sender` array, invitation events under the application's communication (EV-6). */
  batch(app: Application, links: Record<string, { href: string }>, events: readonly QueuedEvent[]): Json {
    const invitationEvents = events.filter((e): e is ChannelEvent => !isConversationEvent(e));
    const sender: Json[] = invitationEvents.length === 0 ? []
      : [this.t.sender({ rel: this.b.rel('communication'), href: communicationHref(app), events: invitationEvents.map((e) => this.event(e)) }, app)];
    // the messaging modality's events (outside the profile), one sender block per conversation as in the captures
    const byConversation = new Map<Conversation, Json[]>();
    for (const e of events) {
      if (!isConversationEvent(e)) continue;
      const list = byConversation.get(e.conv) ?? [];
      byConversation.set(e.conv, list);
      list.push(this.conversationEvent(e));
    }
    for (const [conv, list] of byConversation) sender.push({ rel: this.b.rel('conversation'), href: conv.href, events: list });
    return this.t.batch({ _links: links, sender }, app);
  }

  private conversationEvent(e: ConversationEvent): Json {
    const r = this.b.rel;
    const event: Json = { link: { rel: r(e.rel), href: e.href }, type: e.type };
    if (e.status !== undefined) event.status = e.status;
    if (e.embed) event._embedded = { [r(e.rel)]: e.embed(this) };
    return event;
  }

  private event(e: ChannelEvent): Json {
    const { inv, type } = e;
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
    return this.t.event(event, e);
  }
}
