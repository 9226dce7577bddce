/**
 * The `taa` seam (reference/seams.ts): the decisions of the Trusted Application API transport (PROFILE.md §15), each a
 * small hook whose faithful form is the profile's rule. Only the fault layer (reference/faults/taa.ts) replaces them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { HttpError } from '../errors';
import type { Application } from '../model';

type Json = Record<string, unknown>;

export interface TaaHooks {
  /** Whether a client secret is the application's (TAUTH-6). */
  secretMatches(given: string, expected: string): boolean;
  /** The token endpoint's success body (TAUTH-5). */
  token(rep: Json): Json;
  /**
   * The AAD application (client id) a TAA request's `Authorization` authenticates (TAUTH-1, TAUTH-4); `verify` is the
   * faithful check (a token this server issued for the platform's audience, unexpired).
   */
  authenticate(authorization: string | undefined, verify: (authorization: string | undefined) => string | undefined): string | undefined;
  /** An unauthenticated TAA request about to get its 401; may throw another answer (TAUTH-3). */
  unauthenticated(path: string, query: URLSearchParams): void;
  /** The `WWW-Authenticate` values of the 401 (TAUTH-2). */
  challenge(values: readonly string[]): readonly string[];
  /** Whether the application `clientId` may act for an endpoint registered to `owner` (TAPP-3, TAPP-5, D47). */
  owns(clientId: string, owner: string): boolean;
  /** The refusal for an endpoint that is not the principal's, or none at all (TAPP-3, TAPP-4). */
  noEndpoint(): HttpError;
  /** Whether an endpoint receives invitations; `touched`: a request for it arrived since the server started (TAPP-6). */
  available(touched: boolean): boolean;
  /** The discovery document (TDISC-1, TDISC-2). */
  discover(rep: Json): Json;
  /** The applications answer for an endpointId (TAPP-1). */
  applications(rep: Json): Json;
  /** The application with its embedded communication (TAPP-2). */
  application(rep: Json, app: Application): Json;
  /** What is wrong with a `callbackUrl` input, if anything (TSM-1, TSM-2). */
  callbackUrlProblem(url: string, allowHttp: boolean): string | undefined;
  /** Whether a `callbackUrl` is probed before startMessaging answers (TSM-3). */
  probes(): boolean;
  /** Whether a multipart/related startMessaging body is read as its JSON part (TSM-4). */
  readsMultipart(): boolean;
  /** The sender identity the callee sees for startMessagingWithIdentity (TSM-5). */
  identity(claimed: { uri: string; name: string }, own: { uri: string; name: string }): { uri: string; name: string };
  /** The `callbackContext` a startMessaging carried, as kept for the conversation (CB-9). */
  startContext(value: string | undefined): string | undefined;
  /** Where a conversation's callback goes: its `callbackUrl`, else the endpoint's default URL (CB-3, CB-4). */
  target(conversationUrl: string | undefined, defaultUrl: string): { url: string; isDefault: boolean };
  /** The default URL with the conversation's context as the query parameter `callbackContext` (CB-7, CB-8, CB-9). */
  withContext(url: string, context: string): string;
  /** The context an answer's JSON body sets, in either spelling (CB-7). */
  contextFromAnswer(body: unknown): string | undefined;
  /** A callback body as it is about to be sent (CB-1, CB-2). */
  callbackBody(body: Json): Json;
  /** The claims of a callback token (CB-5). */
  claims(claims: Json): Json;
  /** The key that signs callback tokens (CB-6). */
  signingKey(key: KeyObject): KeyObject;
  /** Whether callbacks about one conversation wait for the previous answer (CB-10). */
  serial(): boolean;
  /** Whether the answer to a callback lets delivery for its conversation go on (faithful: always; CB-12: any 2xx is success). */
  goesOn(status: number | undefined): boolean;
}

const same = <T>(x: T): T => x;

/** Whether a `callbackUrl` input is an absolute https (or, when allowed, http) URL of at most 1024 UTF-16 units (D46). */
export function callbackUrlProblem(url: string, allowHttp: boolean): string | undefined {
  if (url.length > 1024) return 'longer than 1024';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (!/^https?:\/\//i.test(url)) return 'not an absolute URL';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') return allowHttp ? undefined : 'must be an https: URL';
  return 'must be an https: URL';
}

export const FAITHFUL_TAA: TaaHooks = {
  secretMatches(given, expected) {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  },
  token: same,
  authenticate: (authorization, verify) => verify(authorization),
  unauthenticated: () => undefined,
  challenge: same,
  owns: (clientId, owner) => clientId === owner,
  noEndpoint: () => new HttpError(403, 'ApplicationNotFound', 'The application or endpoint does not exist.'),
  available: () => true,
  discover: same,
  applications: same,
  application: same,
  callbackUrlProblem,
  probes: () => true,
  readsMultipart: () => true,
  identity: (claimed) => claimed,
  startContext: same,
  target: (conversationUrl, defaultUrl) => (conversationUrl !== undefined
    ? { url: conversationUrl, isDefault: false } : { url: defaultUrl, isDefault: true }),
  withContext(url, context) {
    // percent-encoded as encodeURIComponent does (a space is %20, never +), so any decoder reads back exactly C
    const u = new URL(url);
    u.searchParams.delete('callbackContext');
    const query = u.search === '' ? '' : `${u.search.slice(1)}&`;
    u.search = `?${query}callbackContext=${encodeURIComponent(context)}`;
    return u.href;
  },
  contextFromAnswer(body) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const b = body as Json;
    const value = b.callbackContext ?? b.CallbackContext;
    return typeof value === 'string' ? value : undefined;
  },
  callbackBody: same,
  claims: same,
  signingKey: same,
  serial: () => true,
  goesOn: () => true,
};
