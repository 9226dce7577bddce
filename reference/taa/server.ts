/**
 * The Trusted Application API surface of the reference server (PROFILE.md §15, TARGET.md §9), in the same process and
 * state as UCWA: tokens, discovery, applications by endpointId, the endpoints' communication and startMessaging, and
 * every UCWA resource below it (invitations and their actions, conversations, messaging) with `endpointId` on every
 * href. Authentication is checked first on every platform URL below discovery (TAUTH-3).
 */
import type { ServerResponse } from 'node:http';
import { type AccountDirectory, sipKey } from '../accounts';
import { requestOrigin } from '../auth';
import { type Ctx, newId, type Reply, type Rq } from '../context';
import { invalidParameters, methodNotAllowed, notFound, unsupportedMediaType } from '../errors';
import type { Application } from '../model';
import { answer } from '../replies';
import { applicationRoute } from '../routes';
import type { Exchange, Json, Route } from '../seams';
import { CallbackChannel, Delivery } from './callbacks';
import { DECLARED_APPS, type Endpoint, endpointApplication, SFB_APP_ID, type TaaPair, taaAccounts, TENANT } from './directory';
import { decorate, endpointQueryValue, PLATFORM_PREFIX, withEndpoint } from './hrefs';
import { SigningKey } from './keys';
import { taaStartMessaging } from './start';
import { openIdConfiguration, TaaTokens } from './tokens';

/** `startReferenceServer({ taa })`: the TAA surface beside UCWA. */
export interface TaaOptions {
  /** Origin of the suite's callback receiver: endpoint `<name>` has the default callback URL `<callbackOrigin>/cb/<name>`. */
  callbackOrigin: string;
  /** The origin clients reach the platform at (issuer, `baseuri`, absolute hrefs); default: the listening URL. */
  origin?: string;
  /** The audience platform tokens are issued for and accepted with (`resource`); default: the origin. */
  resource?: string;
  /** `appid` of callback tokens (default AAD's Skype for Business Online id). */
  callbackAppId?: string;
  /** How long a callback's answer is awaited before the conversation's next callback leaves (default 10000 ms). */
  callbackTimeoutMs?: number;
}

const DEFAULT_CALLBACK_TIMEOUT_MS = 10_000;
const APPLICATIONS = '/platformservice/v1/applications';
const DISCOVER = '/platformservice/discover';

function checkOrigin(name: string, value: unknown, allowHttp: boolean, needHttpAllowed: boolean): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(`taa.${name} must be an absolute http(s) URL`);
  }
  if (typeof value !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TypeError(`taa.${name} must be an absolute http(s) URL`);
  }
  if (needHttpAllowed && url.protocol === 'http:' && !allowHttp) {
    throw new TypeError(`taa.${name} is an http: URL: the endpoints' callbacks need callbackAllowHttp (--callback-allow-http)`);
  }
  return value.replace(/\/+$/, '');
}

export class TaaServer {
  readonly key = new SigningKey();
  readonly tokens: TaaTokens;
  readonly delivery: Delivery;
  readonly pairs: TaaPair[];
  readonly callbackOrigin: string;
  private readonly byId = new Map<string, Endpoint>();
  private readonly byUri = new Map<string, Endpoint>();
  private configuredOrigin: string | undefined;
  private seenOrigin = '';
  private readonly resourceOption: string | undefined;

  constructor(
    private readonly ctx: Ctx,
    options: TaaOptions,
    accounts: AccountDirectory,
    pairs: number,
    readonly allowHttp: boolean,
    tokenLifetimeSeconds: number,
  ) {
    if (options === null || typeof options !== 'object') throw new TypeError('taa must be an object {callbackOrigin}');
    if (ctx.behaviour.relPrefix === '') throw new TypeError('taa needs a prefixed dialect: relPrefix "" is refused with taa (TARGET.md §9)');
    this.callbackOrigin = checkOrigin('callbackOrigin', options.callbackOrigin, allowHttp, true);
    if (options.origin !== undefined) this.configuredOrigin = checkOrigin('origin', options.origin, allowHttp, false);
    if (options.resource !== undefined && (typeof options.resource !== 'string' || options.resource === '')) {
      throw new TypeError('taa.resource must be a non-empty string');
    }
    this.resourceOption = options.resource;
    const timeoutMs = options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 5000 || timeoutMs > 600_000) {
      throw new TypeError('taa.callbackTimeoutMs must be a whole number of milliseconds from 5000 (CB-10) to 600000');
    }
    const appId = options.callbackAppId ?? SFB_APP_ID;
    if (typeof appId !== 'string' || appId === '') throw new TypeError('taa.callbackAppId must be a non-empty string');
    this.tokens = new TaaTokens(this.key, tokenLifetimeSeconds, () => ({ issuer: this.issuer(), resource: this.resource() }));
    this.delivery = new Delivery(ctx, { origin: () => this.origin(), issuer: () => this.issuer(), appId, timeoutMs, key: this.key });
    const made = taaAccounts(accounts, Math.max(1, pairs));
    this.pairs = made.pairs;
    for (const { account, aad, name } of made.endpoints) {
      const id = newId();
      const channel = new CallbackChannel(this.delivery);
      const app = endpointApplication(id, `${APPLICATIONS}/${id}`, account, () => channel);
      const ep: Endpoint = { account, aad, callbackUrl: `${this.callbackOrigin}/cb/${name}`, app, touched: false };
      channel.endpoint = ep;
      if (ctx.taa.available(false)) app.availableSince = performance.now();
      this.byId.set(id, ep);
      this.byUri.set(sipKey(account.uri), ep);
      ctx.appsByAccount.set(account, new Set([app]));
    }
  }

  /** The listening URL, unless an origin was configured. */
  listening(url: string): void {
    this.seenOrigin = url.replace(/\/+$/, '');
  }

  origin(): string {
    return this.configuredOrigin ?? this.seenOrigin;
  }

  issuer(): string {
    return `${this.origin()}/${TENANT}/`;
  }

  resource(): string {
    return this.resourceOption ?? this.origin();
  }

  /** Whether a SIP URI names an endpoint of any application. */
  hasEndpoint(uri: string): boolean {
    return this.byUri.has(sipKey(uri));
  }

  endpoints(): IterableIterator<Endpoint> {
    return this.byId.values();
  }

  /** Whether a path is the TAA surface's (the platform, or the token issuer's tenant paths). */
  serves(path: string): boolean {
    return path.startsWith(PLATFORM_PREFIX) || path.startsWith(`/${TENANT}/`);
  }

  async handle(ex: Exchange, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const ctx = this.ctx;
    const req = ex.req;
    if (this.seenOrigin === '') this.seenOrigin = requestOrigin(req, ctx.settings.trustProxy);
    if (path.startsWith(`/${TENANT}/`)) return this.run(ex, res, this.issuerRoute(path.slice(TENANT.length + 2), req), undefined);
    if (path === DISCOVER) return this.run(ex, res, { GET: () => ({ status: 200, body: this.discover() }) }, undefined);
    const hooks = ctx.taa;
    const authorization = req.headers.authorization;
    const clientId = hooks.authenticate(authorization, (a) => this.tokens.verify(a));
    if (clientId === undefined) {
      hooks.unauthenticated(path, query);
      const challenge = `Bearer realm="${TENANT}"${authorization ? ', error="invalid_token"' : ''}`;
      return answer(ctx, res, { status: 401, headers: { 'WWW-Authenticate': hooks.challenge([challenge]).join(', ') } }, ex);
    }
    const segments = path.split('/').slice(1);
    if (segments[1] !== 'v1' || segments[2] !== 'applications') throw notFound();
    if (segments.length === 3 || (segments.length === 4 && segments[3] === '')) {
      return this.run(ex, res, { GET: () => this.applications(clientId, query) }, undefined);
    }
    const ep = this.byId.get(segments[3]!);
    if (ep === undefined || !hooks.owns(clientId, ep.aad.clientId)) throw hooks.noEndpoint();
    const named = query.get('endpointId');
    if (named !== null && sipKey(named) !== sipKey(ep.account.uri)) throw hooks.noEndpoint();
    this.touch(ep);
    const rq: Rq = { req, res, account: ep.account, query };
    ex.account = ep.account;
    ex.app = ep.app;
    ex.rq = rq;
    return this.run(ex, res, this.endpointRoute(ep, rq, segments.slice(4)), ep);
  }

  /** The tenant's token endpoints and key documents. */
  private issuerRoute(rest: string, req: Exchange['req']): Route {
    const hooks = this.ctx.taa;
    switch (rest) {
      case 'oauth2/token': return { POST: () => this.tokens.grant(hooks, req, false) };
      case 'oauth2/v2.0/token': return { POST: () => this.tokens.grant(hooks, req, true) };
      case '.well-known/openid-configuration':
      case 'v2.0/.well-known/openid-configuration':
        return { GET: () => ({ status: 200, body: openIdConfiguration(this.origin()) }) };
      case 'discovery/keys':
      case 'discovery/v2.0/keys':
        return { GET: async () => ({ status: 200, body: await this.key.keySet() }) };
      default: throw notFound();
    }
  }

  private discover(): Json {
    const r = this.ctx.behaviour.rel;
    const origin = this.origin();
    return this.ctx.taa.discover({
      _links: { self: { href: `${origin}${DISCOVER}` }, [r('applications')]: { href: `${origin}${APPLICATIONS}` } },
      rel: r('discover'),
    });
  }

  /** GET on ⟨applications⟩ with `endpointId` (TAPP-1, TAPP-3, TAPP-5). */
  private applications(clientId: string, query: URLSearchParams): Reply {
    const named = query.get('endpointId');
    if (named === null || named === '') throw invalidParameters({ endpointId: 'required' });
    const ep = this.byUri.get(sipKey(named));
    if (ep === undefined || !this.ctx.taa.owns(clientId, ep.aad.clientId)) throw this.ctx.taa.noEndpoint();
    this.touch(ep);
    const r = this.ctx.behaviour.rel;
    const rep = { _links: { self: { href: APPLICATIONS }, [r('application')]: { href: ep.app.href } }, rel: r('applications') };
    return { status: 200, body: this.ctx.taa.applications(decorate(rep, endpointQueryValue(ep.account.uri)) as Json) };
  }

  private touch(ep: Endpoint): void {
    if (ep.touched) return;
    ep.touched = true;
    if (ep.app.availableSince === 0 && this.ctx.taa.available(true)) ep.app.availableSince = performance.now();
  }

  /** The communication resource of an endpoint: UCWA's, plus ⟨startMessagingWithIdentity⟩ (TSM-5). */
  private communication(app: Application): Json {
    const rep = this.ctx.rep.communication(app);
    const links = rep._links as Record<string, { href: string }>;
    const self = links.self?.href ?? `${app.href}/communication`;
    return { ...rep, _links: { ...links, [this.ctx.behaviour.rel('startMessagingWithIdentity')]: { href: `${self}/messagingInvitationsWithIdentity` } } };
  }

  /** The routes under an endpoint's application: itself, its communication and startMessaging, and UCWA's below. */
  private endpointRoute(ep: Endpoint, rq: Rq, rest: readonly string[]): Route {
    const ctx = this.ctx;
    const app = ep.app;
    const r = ctx.behaviour.rel;
    if (rest.length === 0) {
      return {
        GET: () => ({
          status: 200,
          body: ctx.taa.application({ _links: { self: { href: app.href } }, _embedded: { [r('communication')]: this.communication(app) }, rel: r('application') }, app),
        }),
      };
    }
    if (rest[0] !== 'communication') throw notFound();
    if (rest.length === 1) return { GET: () => ({ status: 200, body: this.communication(app) }) };
    if (rest.length === 2 && rest[1] === 'messagingInvitations') return { POST: () => taaStartMessaging(ctx, this, ep, rq, false) };
    if (rest.length === 2 && rest[1] === 'messagingInvitationsWithIdentity') return { POST: () => taaStartMessaging(ctx, this, ep, rq, true) };
    return applicationRoute(ctx, rq, app, rest);
  }

  /** Runs a route's handler (405 with Allow, 410/415 for Accept), `endpointId` added to its hrefs and Location. */
  private async run(ex: Exchange, res: ServerResponse, route: Route, ep: Endpoint | undefined): Promise<void> {
    const ctx = this.ctx;
    const handler = route[ex.req.method ?? 'GET'];
    if (!handler) throw methodNotAllowed(Object.keys(route));
    if (!ctx.behaviour.servesAccept(ex.req.headers.accept)) throw unsupportedMediaType(ctx.behaviour.unsupportedMediaStatus, 'Accept');
    let reply = await handler();
    if (!reply) return;
    if (ep !== undefined) {
      const value = endpointQueryValue(ep.account.uri);
      const headers = reply.headers?.Location ? { ...reply.headers, Location: withEndpoint(reply.headers.Location, value) } : reply.headers;
      reply = { ...reply, ...(reply.body === undefined ? {} : { body: decorate(reply.body, value) }), ...(headers ? { headers } : {}) };
    }
    answer(ctx, res, reply, ex);
  }

  /**
   * The description's TAA parts for a platform reachable at `base`: the `taa` object (TARGET.md §12), the pairs of the
   * three combinations with a TAA side (interleaved: u2t, t2u, t2t, u2t, …) and the foreign endpoint's uri.
   */
  describe(base: string, ucwaAccount: (a: Endpoint['account']) => Record<string, string>): {
    taa: Json;
    pairs: { caller: Json; callee: Json }[];
    foreignEndpointUri: string;
  } {
    const origin = this.configuredOrigin ?? base.replace(/\/+$/, '');
    const issuer = `${origin}/${TENANT}/`;
    const described = (a: Endpoint['account']): Json => {
      const ep = this.byUri.get(sipKey(a.uri));
      if (!a.taa || ep === undefined) return ucwaAccount(a);
      return { uri: a.uri, transport: 'taa', clientId: ep.aad.clientId, clientSecret: ep.aad.secret, callbackUrl: ep.callbackUrl, appIdUri: ep.aad.appIdUri };
    };
    const foreign = [...this.byId.values()].find((ep) => !DECLARED_APPS.includes(ep.aad))!;
    return {
      taa: {
        discoverUrl: `${origin}${DISCOVER}`,
        token: { url: `${origin}/${TENANT}/oauth2/token`, resource: this.resourceOption ?? origin, issuer, issuedByTarget: true },
        callbackAuth: { jwksUrl: `${origin}/${TENANT}/discovery/keys`, issuer, appId: this.delivery.env.appId },
        ...(this.allowHttp ? { allowHttpCallbackUrls: true } : {}),
        callbackReceiver: { conversationUrlBase: `${this.callbackOrigin}/taa-conv/` },
      },
      pairs: this.pairs.map((p) => ({ caller: described(p.caller), callee: described(p.callee) })),
      foreignEndpointUri: foreign.account.uri,
    };
  }

  /** Forgets completed invitations of the endpoints and expired tokens, as the sweeper does for UCWA. */
  sweep(now: number, purge: (app: Application) => void): void {
    for (const ep of this.byId.values()) purge(ep.app);
    this.tokens.sweep(now);
  }

  close(): void {
    for (const ep of this.byId.values()) {
      for (const inv of ep.app.invitations.values()) if (inv.timer) clearTimeout(inv.timer);
      ep.app.channel.close();
    }
    this.delivery.close();
  }
}
