import { Inconclusive, objectBody, postStartMessaging, type Client, type RequestOptions } from '../client';
import { CallbackChannel } from '../callbacks/channel';
import type { ReceiverClient } from '../callbacks/client';
import type { Exchange } from '../exchange';
import { embedded, isObject, link, withQueryParameter, type Doc } from '../links';
import type { Session, SessionUser } from '../session';
import type { Account } from '../target';
import { TaaClient } from './client';
import { recall, remember, reuseUntil, type TaaSignIn } from '../sign-ins';

/** A TAA endpoint's credentials: the token is obtained on the first request that needs it (never before: TAPP-6). */
export class TaaUser implements SessionUser {
  token?: string;
  /** the grant's `expires_in`, when this user obtained its token */
  expiresIn?: unknown;
  private pending?: Promise<string>;

  constructor(
    readonly taa: TaaClient,
    readonly role: string,
    readonly account: Account,
    /** told about every token obtained, for redaction */
    private readonly onToken: (token: string) => void = () => undefined,
    /** take a sign-in of this account the worker remembers (steps/support/sign-ins.ts) */
    readonly reuse = false,
  ) {}

  get client(): Client {
    return this.taa.client;
  }

  /** A remembered sign-in of this account, when `reuse` allows one. */
  remembered(): TaaSignIn | undefined {
    return this.reuse ? recall(this.client.target, 'taa', this.account) : undefined;
  }

  /** The endpoint's token: its ready token, a remembered one, or the client-credentials grant's (once). */
  async ensureToken(): Promise<string> {
    if (this.token) return this.token;
    const kept = this.remembered();
    if (kept) {
      this.token = kept.token;
      if (kept.token !== this.account.token) this.onToken(kept.token);
      return kept.token;
    }
    this.pending ??= this.taa.tokenGrantFor(this.account, this.role).then(({ token: t, expiresIn }) => {
      this.token = t;
      this.expiresIn = expiresIn;
      if (t !== this.account.token) this.onToken(t);
      return t;
    });
    try {
      return await this.pending;
    } catch (e) {
      this.pending = undefined;
      throw e;
    }
  }

  /** A TAA request (307/308 followed, TDISC-3) with the endpoint's token, none (`auth: 'none'`) or the bearer given. */
  async request(method: string, url: string, o: RequestOptions = {}): Promise<Exchange> {
    const bearer = o.auth === 'none' ? undefined : typeof o.auth === 'object' ? o.auth.bearer : await this.ensureToken();
    return this.taa.request(method, url, o.who ?? this.role, bearer, o);
  }
}

/**
 * One role's session over the Trusted Application API (PROFILE.md §15, D39): token, GET `taa.discoverUrl`, GET
 * ⟨applications⟩ with `endpointId`, GET ⟨application⟩ with its embedded ⟨communication⟩ — opened when first needed
 * (the caller at once; the callee only when a step uses it, so its first request follows its `started`, TAPP-6). No
 * application is created and nothing is deleted; events arrive as callbacks on its CallbackChannel.
 */
export class TaaSession implements Session {
  readonly transport = 'taa' as const;
  deleted = false;
  channel?: CallbackChannel;
  discoverExchange?: Exchange;
  applicationsUrl?: string;
  /** the application resource (TAPP-2) with the URL it resolves against */
  application?: Doc;
  communication?: Record<string, unknown>;
  private opening?: Promise<void>;

  constructor(readonly user: TaaUser) {}

  get prefix() {
    return this.user.client.prefix;
  }

  /** The application's `self`, or Inconclusive before the session is open. */
  get url(): string {
    const self = this.application ? link(this.application, this.prefix, 'self') ?? this.application.url : undefined;
    if (!self) throw new Inconclusive(`the ${this.user.role}'s TAA application is not known yet`);
    return self;
  }

  /** Opens the session once: token, discovery, applications by endpointId, application (TDISC-1, TAPP-1, TAPP-2). */
  open(): Promise<void> {
    this.opening ??= this.doOpen().catch((e: unknown) => {
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const role = this.user.role;
    const kept = this.user.remembered();
    if (kept) {
      await this.user.ensureToken();
      this.applicationsUrl = kept.applicationsUrl;
      this.application = kept.application;
      this.communication = kept.communication;
      return;
    }
    const token = await this.user.ensureToken();
    const d = await this.user.taa.discover(role, token);
    this.discoverExchange = d;
    const applications = this.user.taa.applicationsLink(d);
    if (!applications) throw new Inconclusive(`prerequisite TDISC-1 failed: the discovery document gave no ⟨applications⟩ link`, d);
    this.applicationsUrl = applications;
    const a = await this.user.request('GET', withQueryParameter(applications, 'endpointId', this.user.account.uri));
    const ab = objectBody(a);
    const appUrl = a.status === 200 && ab ? link({ url: a.url, body: ab }, this.prefix, 'application') : undefined;
    if (!appUrl) throw new Inconclusive(`prerequisite TAPP-1 failed: ⟨applications⟩ with endpointId ${this.user.account.uri} gave no ⟨application⟩ link`, a);
    const x = await this.user.request('GET', appUrl);
    const body = objectBody(x);
    const comm = body ? embedded(body, this.prefix, 'communication') : undefined;
    if (x.status !== 200 || !body || !isObject(comm)) throw new Inconclusive('prerequisite TAPP-2 failed: the application resource has no embedded ⟨communication⟩', x);
    this.application = { url: x.url, body };
    this.communication = comm;
    remember(this.user.client.target, 'taa', this.user.account, { token, applicationsUrl: applications, application: this.application, communication: comm }, reuseUntil(this.user.expiresIn));
  }

  linkOf(part: 'application' | 'me' | 'communication', name: string): string | undefined {
    if (!this.application || part === 'me') return undefined;
    const body = part === 'application' ? this.application.body : this.communication;
    return body ? link({ url: this.application.url, body }, this.prefix, name) : undefined;
  }

  get startMessagingUrl(): string {
    const href = this.linkOf('communication', 'startMessaging');
    if (!href) throw new Inconclusive(`prerequisite TAPP-2 failed: the ${this.user.role}'s communication resource has no ⟨startMessaging⟩ link`);
    return href;
  }

  get communicationUrl(): string | undefined {
    return this.linkOf('communication', 'self');
  }

  /** UCWA only. */
  get eventsUrl(): string {
    throw new Inconclusive(`the ${this.user.role} is a TAA endpoint: it has no ⟨events⟩ link (its events arrive as callbacks)`);
  }

  /** UCWA only: a TAA endpoint needs no makeMeAvailable (D39). */
  makeMeAvailable(): Promise<Exchange> {
    throw new Inconclusive(`the ${this.user.role} is a TAA endpoint: makeMeAvailable does not exist on the Trusted Application API`);
  }

  /** Opens the callback stream of this endpoint on the run's receiver. */
  async openChannel(receiver: ReceiverClient, record: (x: Exchange, token?: string) => void): Promise<CallbackChannel> {
    if (this.channel) return this.channel;
    const client = this.user.client;
    this.channel = new CallbackChannel(
      {
        role: this.user.role,
        account: this.user.account,
        prefix: this.prefix,
        get: (url) => this.get(url),
        secrets: () => [...client.target.secrets, ...(this.user.token ? [this.user.token] : [])],
        record,
      },
      receiver,
    );
    await this.channel.start();
    return this.channel;
  }

  /** POST startMessaging (the session opens first); a `callbackUrl` in the body routes that conversation's callbacks here (CB-4). */
  async startMessaging(body: unknown, o: RequestOptions & { toInQuery?: string } = {}): Promise<Exchange> {
    await this.open();
    if (isObject(body) && typeof body.callbackUrl === 'string') this.channel?.addConversationUrl(body.callbackUrl);
    return postStartMessaging(this.user, this.startMessagingUrl, body, o);
  }

  get(url: string, o: RequestOptions = {}): Promise<Exchange> {
    return this.user.request('GET', url, o);
  }

  post(url: string, o: RequestOptions = {}): Promise<Exchange> {
    return this.user.request('POST', url, o);
  }

  /** Nothing to delete on the Trusted Application API; the callback stream stops. */
  delete(): Promise<Exchange | undefined> {
    this.channel?.stop();
    this.deleted = true;
    return Promise.resolve(undefined);
  }
}
