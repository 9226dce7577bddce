import { randomUUID } from 'node:crypto';
import type { Exchange } from './exchange';
import type { HttpTransport } from './http';
import { embedded, isObject, link, resolveHref, withQueryParameter, type Doc } from './links';
import type { Account, Target } from './target';
import { EventChannel } from './events';
import type { Session } from './session';
import { forgetToken, recall, remember, reuseUntil } from './sign-ins';

/** An observation could not be made for a reason outside the requirement under test (PROFILE.md §1 verdicts). */
export class Inconclusive extends Error {
  /**
   * The requirement whose check failed on the way, when the message names one ("prerequisite SM-1 failed: …"). A
   * scenario tagged with that requirement turns this into a failure of it (steps/support/hooks.ts).
   */
  readonly requirement?: string;

  constructor(
    message: string,
    readonly exchange?: Exchange,
    /** the failure of `requirement` itself, when a check of it failed (steps/support/errors.ts `prerequisite`) */
    readonly failure?: Error,
  ) {
    super(message);
    this.name = 'Inconclusive';
    const id = /^prerequisite ([A-Z]+-\d+) failed\b/.exec(message)?.[1];
    if (id) this.requirement = id;
  }
}

/**
 * A request needed a credential (a password grant or `Authorization`) on an origin the target description does
 * not trust (TARGET.md §11); it was not sent. Inconclusive for the scenario that met it; at start-up it stops the run.
 */
export class UntrustedOrigin extends Inconclusive {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    // the reports classify scenario errors by name: this one is an inconclusive observation
    this.name = 'Inconclusive';
  }
}

/** The body of an exchange parsed as JSON, or undefined (no body, or not JSON). */
export function jsonBody(x: Exchange): unknown {
  if (!x.responseBody) return undefined;
  try {
    return JSON.parse(x.responseBody);
  } catch {
    return undefined;
  }
}

/** The body of an exchange as a JSON object, or undefined. */
export function objectBody(x: Exchange): Record<string, unknown> | undefined {
  const b = jsonBody(x);
  return isObject(b) ? b : undefined;
}

/** The value of a response header (first value when repeated). */
export function header(x: Exchange, name: string): string | undefined {
  const v = x.responseHeaders[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The MsRtcOAuth challenge parameters of a 401 (DISC-2), or undefined when there is none. */
export function msRtcOAuthChallenge(x: Exchange): { href?: string; grantTypes: string[] } | undefined {
  const raw = x.responseHeaders['www-authenticate'];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const v of values) {
    const m = /(?:^|,\s*)MsRtcOAuth\s+(.*)$/i.exec(v);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of (m[1] ?? '').matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
      params[(p[1] ?? '').toLowerCase()] = p[2] ?? p[3] ?? '';
    return {
      ...(params.href !== undefined ? { href: params.href } : {}),
      grantTypes: (params.grant_type ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    };
  }
  return undefined;
}

export interface RequestOptions {
  /** a JSON value (serialised) or raw text sent as is */
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** the Accept header; default application/json; null sends none */
  accept?: string | null;
  /** 'own' (default): the user's token; 'none': no Authorization; a string: that bearer token */
  auth?: 'own' | 'none' | { bearer: string };
  timeoutMs?: number;
  who?: string;
}

/** Shared by the users of one scenario: the target, the transport and the record of every exchange. */
export class Client {
  readonly exchanges: Exchange[] = [];
  /** requests not sent because they needed a credential on an untrusted origin (TARGET.md §11) */
  readonly withheldAuthorization: string[] = [];

  constructor(
    readonly target: Target,
    readonly transport: HttpTransport,
  ) {}

  get prefix() {
    return this.target.relPrefix;
  }

  /** Throws UntrustedOrigin (and sends nothing) unless `url` is on a trusted origin. */
  requireTrusted(method: string, url: string, what: string): void {
    if (this.target.trusted.allows(url)) return;
    this.withheldAuthorization.push(`${method} ${url}`);
    throw new UntrustedOrigin(this.target.trusted.refusal(url, `${what} (${method})`), url);
  }

  /**
   * Sends one request; the only place that builds headers. A request with a bearer token goes only to a trusted
   * origin (TARGET.md §11): elsewhere it is not sent and UntrustedOrigin is thrown.
   */
  async request(method: string, url: string, who: string, bearer: string | undefined, o: RequestOptions = {}): Promise<Exchange> {
    const headers: Record<string, string> = o.accept === null ? {} : { Accept: o.accept ?? 'application/json' };
    if (bearer !== undefined) {
      this.requireTrusted(method, url, 'a request with Authorization');
      headers.Authorization = `Bearer ${bearer}`;
    }
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined || o.contentType) headers['Content-Type'] = o.contentType ?? 'application/json';
    const x = await this.transport.send({
      who,
      method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
    this.exchanges.push(x);
    if (bearer !== undefined && x.status === 401) forgetToken(this.target, bearer);
    return x;
  }

  /** DISC-1: GET the discovery URL and follow `redirect` links (at most 3 hops) to a document that links `user`. */
  async discover(who: string): Promise<{ exchanges: Exchange[]; userUrl?: string }> {
    const exchanges: Exchange[] = [];
    if (!this.target.ucwaDiscoveryUrl) throw new Inconclusive('the target description has no discoveryUrl: it has no UCWA accounts, and UCWA discovery does not apply');
    let url = this.target.ucwaDiscoveryUrl;
    for (let hop = 0; hop <= 3; hop++) {
      const x = await this.request('GET', url, who, undefined);
      exchanges.push(x);
      const body = objectBody(x);
      if (x.status !== 200 || !body) return { exchanges };
      const doc = { url, body };
      // The discovery documents use bare rel names in every dialect (WIRE-3).
      const user = link(doc, '', 'user');
      if (user) return { exchanges, userUrl: user };
      const redirect = link(doc, '', 'redirect');
      if (!redirect) return { exchanges };
      url = redirect;
    }
    return { exchanges };
  }
}

/** One signed-in (or signing-in) account of the target. */
export class User {
  token?: string;
  userUrl?: string;
  tokenUrl?: string;
  applicationsUrl?: string;

  constructor(
    readonly client: Client,
    readonly role: string,
    readonly account: Account,
  ) {}

  request(method: string, url: string, o: RequestOptions = {}): Promise<Exchange> {
    const bearer = o.auth === 'none' ? undefined : typeof o.auth === 'object' ? o.auth.bearer : this.token;
    return this.client.request(method, url, o.who ?? this.role, bearer, o);
  }

  /** POST the password grant (AUTH-1) to the token endpoint, only when it is on a trusted origin (TARGET.md §11). */
  passwordGrant(username: string, password: string): Promise<Exchange> {
    if (!this.tokenUrl) throw new Inconclusive('no token endpoint known: the MsRtcOAuth challenge was not obtained');
    this.client.requireTrusted('POST', this.tokenUrl, `the password grant of the ${this.role}`);
    const form = new URLSearchParams({ grant_type: 'password', username, password }).toString();
    return this.request('POST', this.tokenUrl, { rawBody: form, contentType: 'application/x-www-form-urlencoded', auth: 'none' });
  }

  /**
   * Signs in as PROFILE.md D2 describes: discovery, the anonymous 401 challenge, the password grant (or the given
   * token), then the user resource with the token. Throws Inconclusive naming the step that failed. With `reuse`, a
   * sign-in of the same account this worker remembers is taken instead (steps/support/sign-ins.ts); every sign-in
   * that succeeds is remembered.
   */
  async signIn(o: { reuse?: boolean } = {}): Promise<void> {
    const target = this.client.target;
    const kept = o.reuse ? recall(target, 'ucwa', this.account) : undefined;
    if (kept) {
      Object.assign(this, { userUrl: kept.userUrl, token: kept.token, applicationsUrl: kept.applicationsUrl, ...(kept.tokenUrl !== undefined ? { tokenUrl: kept.tokenUrl } : {}) });
      return;
    }
    let expiresIn: unknown;
    const found = await this.client.discover(this.role);
    const last = found.exchanges[found.exchanges.length - 1];
    if (!found.userUrl) throw new Inconclusive('prerequisite DISC-1 failed: the discovery document does not lead to the user resource', last);
    this.userUrl = found.userUrl;
    if (this.account.token !== undefined) this.token = this.account.token;
    else {
      const challenge = await this.request('GET', this.userUrl, { auth: 'none' });
      const c = msRtcOAuthChallenge(challenge);
      this.tokenUrl = c?.href ? resolveHref(c.href, this.userUrl) : undefined;
      if (challenge.status !== 401 || !this.tokenUrl)
        throw new Inconclusive('prerequisite DISC-2 failed: no MsRtcOAuth challenge naming the token endpoint', challenge);
      const grant = await this.passwordGrant(this.account.username ?? '', this.account.password ?? '');
      const token = objectBody(grant)?.access_token;
      if (grant.status !== 200 || typeof token !== 'string' || !token)
        throw new Inconclusive('prerequisite AUTH-1 failed: the password grant gave no access_token', grant);
      this.token = token;
      expiresIn = objectBody(grant)?.expires_in;
    }
    const user = await this.request('GET', this.userUrl);
    const body = objectBody(user);
    this.applicationsUrl = body ? link({ url: this.userUrl, body }, '', 'applications') : undefined;
    if (user.status !== 200 || !this.applicationsUrl)
      throw new Inconclusive('prerequisite DISC-3 failed: the user resource gave no applications link', user);
    remember(target, 'ucwa', this.account, { userUrl: this.userUrl, token: this.token, applicationsUrl: this.applicationsUrl, ...(this.tokenUrl !== undefined ? { tokenUrl: this.tokenUrl } : {}) }, reuseUntil(expiresIn));
  }

  /** POST a new application (APP-1) and return the raw exchange. */
  postApplication(body: unknown = { userAgent: 'ucwa-conformance/0.1', endpointId: randomUUID(), culture: 'en-US' }): Promise<Exchange> {
    if (!this.applicationsUrl) throw new Inconclusive('not signed in: no applications link');
    return this.request('POST', this.applicationsUrl, { body });
  }

  /** Creates an application (APP-1) or throws Inconclusive. */
  async createApplication(): Promise<Application> {
    const x = await this.postApplication();
    const body = objectBody(x);
    const location = resolveHref(header(x, 'location'), this.applicationsUrl ?? '');
    const selfUrl = body ? link({ url: this.applicationsUrl ?? '', body }, this.client.prefix, 'self') : undefined;
    const url = selfUrl ?? location;
    if (x.status !== 201 || !body || !url) throw new Inconclusive('prerequisite APP-1 failed: the application was not created', x);
    return new Application(this, { url: this.applicationsUrl ?? url, body }, url);
  }
}

/**
 * POSTs startMessaging on `url` for either transport's session: `body` as JSON unless `o.rawBody` is given;
 * `toInQuery` puts `to` in the query with the URL builder instead (SM-4).
 */
export function postStartMessaging(
  user: { request(method: string, url: string, o?: RequestOptions): Promise<Exchange> },
  url: string,
  body: unknown,
  o: RequestOptions & { toInQuery?: string } = {},
): Promise<Exchange> {
  const target = o.toInQuery ? withQueryParameter(url, 'to', o.toInQuery) : url;
  return user.request('POST', target, o.rawBody !== undefined ? o : { ...o, body });
}

/** An application of a user: its links, its event channel and the operations the profile names. */
export class Application implements Session {
  readonly transport = 'ucwa' as const;
  readonly me?: Record<string, unknown>;
  readonly communication?: Record<string, unknown>;
  channel?: EventChannel;
  deleted = false;

  constructor(
    readonly user: User,
    /** the 201 body with the URL it resolves against */
    readonly doc: Doc,
    readonly url: string,
  ) {
    const p = user.client.prefix;
    const me = embedded(doc.body, p, 'me');
    const comm = embedded(doc.body, p, 'communication');
    if (isObject(me)) this.me = me;
    if (isObject(comm)) this.communication = comm;
  }

  private get prefix() {
    return this.user.client.prefix;
  }

  /** The resolved href of a link of the application, or of its embedded me / communication. */
  linkOf(part: 'application' | 'me' | 'communication', name: string): string | undefined {
    const body = part === 'application' ? this.doc.body : part === 'me' ? this.me : this.communication;
    return body ? link({ url: this.doc.url, body }, this.prefix, name) : undefined;
  }

  private must(part: 'application' | 'me' | 'communication', name: string, requirement: string): string {
    const href = this.linkOf(part, name);
    if (!href) throw new Inconclusive(`prerequisite ${requirement} failed: the ${this.user.role}'s application has no ⟨${name}⟩ link`);
    return href;
  }

  get eventsUrl(): string {
    return this.must('application', 'events', 'APP-1');
  }

  get startMessagingUrl(): string {
    return this.must('communication', 'startMessaging', 'APP-1');
  }

  get communicationUrl(): string | undefined {
    return this.linkOf('communication', 'self');
  }

  /** POST makeMeAvailable for Messaging (APP-4). */
  makeMeAvailable(): Promise<Exchange> {
    return this.user.request('POST', this.must('me', 'makeMeAvailable', 'APP-1'), { body: { supportedModalities: ['Messaging'] } });
  }

  /** Opens the event channel (a P-GET kept pending) and returns it. */
  openChannel(): EventChannel {
    this.channel ??= new EventChannel(this);
    this.channel.start();
    return this.channel;
  }

  /** POST startMessaging with the given body; `toInQuery` puts `to` in the query instead (SM-4). */
  startMessaging(body: unknown, o: RequestOptions & { toInQuery?: string } = {}): Promise<Exchange> {
    return postStartMessaging(this.user, this.startMessagingUrl, body, o);
  }

  get(url: string, o: RequestOptions = {}): Promise<Exchange> {
    return this.user.request('GET', url, o);
  }

  post(url: string, o: RequestOptions = {}): Promise<Exchange> {
    return this.user.request('POST', url, o);
  }

  /** DELETE the application (APP-6); stops its channel first. */
  async delete(): Promise<Exchange> {
    this.channel?.stop();
    const x = await this.user.request('DELETE', this.url);
    this.deleted = true;
    return x;
  }
}
