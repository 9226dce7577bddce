import type { RequestOptions } from './client';
import type { EventSource } from './events';
import type { Exchange } from './exchange';
import type { Account, Transport } from './target';

/** The signed-in side of a session: who it is, its token, and requests made with its credentials. */
export interface SessionUser {
  readonly role: string;
  readonly account: Account;
  /** the bearer token in use (UCWA: password grant or ready token; TAA: client-credentials grant or ready token) */
  token?: string;
  request(method: string, url: string, o?: RequestOptions): Promise<Exchange>;
}

/**
 * One role's session, whatever its transport (PROFILE.md D37): a UCWA application (steps/support/client.ts
 * `Application`) or a TAA endpoint (steps/support/taa/session.ts `TaaSession`). Resource-level steps use only this,
 * so they run unchanged over either. UCWA-only parts (⟨events⟩, makeMeAvailable, the P-GET channel's own controls)
 * throw an Inconclusive on a TAA session, naming why.
 */
export interface Session {
  readonly transport: Transport;
  readonly user: SessionUser;
  /** UCWA: the application URL; TAA: the application resource's `self` (known once the session is open) */
  readonly url: string;
  /** the role's event stream: the P-GET channel or the callbacks of its endpoint */
  readonly channel?: EventSource | undefined;
  deleted: boolean;
  /** The resolved href of a link of the application, or of its embedded me (UCWA) / communication. */
  linkOf(part: 'application' | 'me' | 'communication', name: string): string | undefined;
  readonly startMessagingUrl: string;
  readonly communicationUrl: string | undefined;
  /** POST startMessaging with the given body; `toInQuery` puts `to` in the query instead (SM-4). */
  startMessaging(body: unknown, o?: RequestOptions & { toInQuery?: string }): Promise<Exchange>;
  get(url: string, o?: RequestOptions): Promise<Exchange>;
  post(url: string, o?: RequestOptions): Promise<Exchange>;
  /** UCWA: DELETE the application (APP-6); TAA: nothing to delete (D39), the callback stream stops. */
  delete(): Promise<Exchange | undefined>;
}
