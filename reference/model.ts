/** In-memory state of the reference server: accounts' applications, conversations and invitations. */
import type { Account } from './accounts';
import type { ServerResponse } from 'node:http';
import type { HttpError } from './errors';
import type { QueuedEvent } from './events';

export type Direction = 'Outgoing' | 'Incoming';
export type InvitationState = 'Connecting' | 'Connected' | 'Failed';
export type MessagingState = 'Disconnected' | 'Connecting' | 'Connected';

export interface Reason {
  code: string;
  subcode: string;
  message: string;
}

export interface Completion {
  status: 'Success' | 'Failure';
  reason?: Reason;
}

export interface Participant {
  id: string;
  uri: string;
  name: string;
}

export interface Application {
  id: string;
  href: string;
  account: Account;
  userAgent: string;
  endpointId: string;
  culture: string;
  /** Set by makeMeAvailable for Messaging: when it was last called (performance.now()); 0 while unavailable. */
  availableSince: number;
  deleted: boolean;
  /** Date.now() at the start or end of the owner's latest request on it (idle expiry; a pending P-GET also counts). */
  lastActivity: number;
  /** The owner's requests on it still being answered (a pending P-GET among them): while > 0 it is not idle. */
  inFlight: number;
  channel: Channel;
  invitations: Map<string, Invitation>;
  conversations: Map<string, Conversation>;
  meetings: Map<string, MeetingInvitation>;
  /** operationId → the application's Connecting invitation that carries it (ERR-9). */
  connectingOperations: Map<string, Invitation>;
}

export interface Conversation {
  id: string;
  href: string;
  app: Application;
  threadId: string;
  subject: string;
  importance: string;
  local: Participant;
  remote: Participant;
  messagingState: MessagingState;
  /** The other side's conversation, while it has one. */
  peer?: Conversation;
  invitations: Set<Invitation>;
  /** Messages sent and received in the conversation (the messaging modality, outside PROFILE.md). */
  messages: Map<string, Message>;
}

/** One instant message of a conversation (outside PROFILE.md, as the public captures show it). */
export interface Message {
  id: string;
  href: string;
  direction: Direction;
  /** The message as the `data:` URI this server emits (captures' percent-encoded form), by format. */
  plainMessage?: string;
  htmlMessage?: string;
  /** Date.now() when it was sent. */
  sentAt: number;
}

export interface Invitation {
  id: string;
  href: string;
  app: Application;
  conversation: Conversation;
  direction: Direction;
  state: InvitationState;
  /** Incoming only: accept or decline has returned 2xx. */
  answered: boolean;
  operationId?: string;
  subject: string;
  importance: string;
  threadId: string;
  to: string;
  message?: string;
  customContent?: string;
  /** The other side's invitation (outgoing ↔ incoming), when the target was reached. */
  peer?: Invitation;
  completion?: Completion;
  completedAt?: number;
  /** Outgoing only: the no-answer or unreachable-target timer. */
  timer?: NodeJS.Timeout;
}

export interface MeetingInvitation {
  id: string;
  href: string;
  subject: string;
  operationId?: string;
  onlineMeetingUri: string;
}

/**
 * How events reach an application: the P-GET EventChannel of a UCWA application (reference/events.ts), or the callback
 * delivery of a TAA endpoint (reference/taa/callbacks.ts).
 */
export interface Channel {
  /** The href a client polls next ('' where nothing is polled). */
  readonly href: string;
  readonly hasPending: boolean;
  poll(ack: number | undefined, timeoutMs: number, res: ServerResponse): void;
  push(event: QueuedEvent): void;
  close(error?: HttpError): void;
  delete(): void;
}
