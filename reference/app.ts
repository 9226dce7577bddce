/** The reference server as a request handler: createApp() without listen (STYLE.md, "fastify examples"). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccountDirectory, describeAccount, ONLINE_MEETING_URI, parseAccounts } from './accounts';
import { createApplication } from './applications';
import { challenge, DISCOVERY_PATH, discoveryRoot, TOKEN_PATH, tokenEndpoint, USER_PATH, userDocument } from './auth';
import type { RelPrefix } from './behaviour';
import type { Ctx, Rq } from './context';
import { HttpError, methodNotAllowed, notFound, serviceFailure, unsupportedMediaType, uriTooLong } from './errors';
import { applyFaults, faultSet } from './faults';
import { MAX_URL_LENGTH } from './http';
import { deleteApplication, purgeCompleted } from './lifecycle';
import type { Application } from './model';
import { applicationRoute } from './routes';
import { answer, answerError } from './replies';
import { Representer } from './represent';
import { type Exchange, faithfulSeams, type Route } from './seams';
import { TaaServer, type TaaOptions } from './taa/server';
import { TOKEN_LIFETIME_SECONDS, TokenStore } from './tokens';

export type { TaaOptions } from './taa/server';

export type { RelPrefix } from './behaviour';

export interface ReferenceOptions {
  relPrefix?: RelPrefix;
  noAnswerTimeoutSeconds?: number;
  pairs?: number;
  unsupportedContentTypeStatus?: 410 | 415;
  /** Lifetime of a bearer token in whole seconds, announced as `expires_in` (default 3600); an expired token gets 401. */
  tokenLifetimeSeconds?: number;
  /**
   * An application without any request by its owner (a pending P-GET counts as one) for this many seconds is deleted
   * as a DELETE would (default 600; 0 = never). Fractions allowed.
   */
  applicationIdleSeconds?: number;
  /**
   * Developer use only: names of deliberate deviations (reference/faults/) for the suite's self-test. Unknown names
   * throw a TypeError. Empty or absent: the faithful server.
   */
  faults?: readonly string[];
  /**
   * Behind a reverse proxy: absolute hrefs (discovery, user document, the MsRtcOAuth challenge) use X-Forwarded-Proto
   * and X-Forwarded-Host instead of the connection's scheme and Host (default false).
   */
  trustProxy?: boolean;
  /**
   * Accounts instead of the built-in ones (a `--accounts` file's list, checked by parseAccounts: a TypeError names
   * each bad entry): the first two are caller and callee, a third the unavailable one, the rest pairs.
   */
  accounts?: unknown;
  /**
   * Serve the Trusted Application API surface (PROFILE.md §15, reference/taa/) beside UCWA, in the same state; the
   * description then declares TAA accounts whose default callback URLs are `<callbackOrigin>/cb/<name>`. Needs a
   * prefixed dialect (relPrefix "" is refused).
   */
  taa?: TaaOptions;
  /** With `taa`: accept `http:` callback URLs (startMessaging's callbackUrl, callbackOrigin); declared in the description. */
  callbackAllowHttp?: boolean;
}

export interface ReferenceApp {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * The target description (TARGET.md format, plain JSON object) for a server reachable at baseUrl (e.g.
   * "http://127.0.0.1:8080"). With faults (the app's own, or the list given) the name says FAULT and `x-faults` lists them.
   */
  describe(baseUrl: string, faults?: readonly string[]): Record<string, unknown>;
  /** The URL the server listens at, once it does (the TAA surface's origin unless `taa.origin` says otherwise). */
  listening(url: string): void;
  /** Live state counts, for clean-up checks. */
  stats(): { applications: number; invitations: number; connectingInvitations: number; pendingEventRequests: number };
  /** Stop all timers and release pending P-GETs (so the process can exit). */
  close(): void;
}

/** Completed invitations stay readable this long (D16 asks for at least 30 s). */
const RETENTION_MS = 120_000;
const SWEEP_INTERVAL_MS = 5_000;
/** UCWA deletes an application after some minutes without activity; this server's default. */
const DEFAULT_APPLICATION_IDLE_SECONDS = 600;

const REL_PREFIXES: readonly unknown[] = ['ms:rtc:saas:', '', 'service:'];

/** Checks the options, throwing a TypeError that names the bad one. */
function checkOptions(
  options: ReferenceOptions,
): Required<Omit<ReferenceOptions, 'faults' | 'trustProxy' | 'accounts' | 'taa' | 'callbackAllowHttp'>> {
  const resolved = {
    relPrefix: options.relPrefix ?? 'ms:rtc:saas:',
    noAnswerTimeoutSeconds: options.noAnswerTimeoutSeconds ?? 30,
    pairs: options.pairs ?? 8,
    unsupportedContentTypeStatus: options.unsupportedContentTypeStatus ?? 410,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? TOKEN_LIFETIME_SECONDS,
    applicationIdleSeconds: options.applicationIdleSeconds ?? DEFAULT_APPLICATION_IDLE_SECONDS,
  } as const;
  if (!REL_PREFIXES.includes(resolved.relPrefix)) throw new TypeError('relPrefix must be "ms:rtc:saas:", "" or "service:"');
  const n = resolved.noAnswerTimeoutSeconds;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new TypeError('noAnswerTimeoutSeconds must be a number of seconds > 0 (at most 86400)');
  }
  if (!Number.isInteger(resolved.pairs) || resolved.pairs < 0 || resolved.pairs > 1000) {
    throw new TypeError('pairs must be an integer from 0 to 1000');
  }
  if (resolved.unsupportedContentTypeStatus !== 410 && resolved.unsupportedContentTypeStatus !== 415) {
    throw new TypeError('unsupportedContentTypeStatus must be 410 or 415');
  }
  const t = resolved.tokenLifetimeSeconds;
  if (!Number.isInteger(t) || t < 1 || t > 31_536_000) {
    throw new TypeError('tokenLifetimeSeconds must be a whole number of seconds from 1 to 31536000');
  }
  const idle = resolved.applicationIdleSeconds;
  if (typeof idle !== 'number' || !Number.isFinite(idle) || idle < 0 || idle > 31_536_000) {
    throw new TypeError('applicationIdleSeconds must be a number of seconds >= 0 (0 = never; at most 31536000)');
  }
  return resolved;
}

/** The route of an authenticated application-API path; another user's application answers like a missing one (D23). */
function apiRoute(ctx: Ctx, rq: Rq, ex: Exchange, segments: readonly string[]): Route {
  if (segments.length < 3 || segments[0] !== 'ucwa' || segments[1] !== 'v1' || segments[2] !== 'applications') throw notFound();
  if (segments.length === 3) return { POST: () => createApplication(ctx, rq) };
  const app = ctx.apps.get(segments[3]!);
  const rest = segments.slice(4);
  if (app && app.account !== rq.account) {
    const route = ctx.access.foreign(rq, app, rest);
    if (route) return route;
  }
  if (!app || app.account !== rq.account) {
    throw notFound(rest.length === 0 || (rest.length === 1 && rest[0] === 'events') ? 'ApplicationNotFound' : undefined);
  }
  ex.app = app;
  busy(app, rq.res);
  return applicationRoute(ctx, rq, app, rest);
}

/** The owner's request on an application is activity from its start until its response ends (a P-GET: until answered). */
function busy(app: Application, res: ServerResponse): void {
  app.lastActivity = Date.now();
  app.inFlight++;
  res.once('close', () => {
    app.inFlight--;
    app.lastActivity = Date.now();
  });
}

/** Deletes, as DELETE would, every application idle for idleMs: no request in flight, none started or ended since. */
function expireIdle(ctx: Ctx, now: number, idleMs: number): void {
  const idle = [...ctx.apps.values()].filter((app) => app.inFlight === 0 && now - app.lastActivity >= idleMs);
  for (const app of idle) if (!app.deleted) deleteApplication(ctx, app);
}

/** Runs a route's handler for the request method: 405 with Allow when it has none (ERR-14), 410/415 for Accept (ERR-5). */
async function run(ctx: Ctx, ex: Exchange, res: ServerResponse, route: Route): Promise<void> {
  const req = ex.req;
  const handler = route[req.method ?? 'GET'];
  if (!handler) throw methodNotAllowed(Object.keys(route));
  if (!ctx.behaviour.servesAccept(req.headers.accept)) throw unsupportedMediaType(ctx.behaviour.unsupportedMediaStatus, 'Accept');
  const reply = await handler();
  if (reply) answer(ctx, res, reply, ex);
}

async function handle(ctx: Ctx, ex: Exchange, res: ServerResponse): Promise<void> {
  const req = ex.req;
  const url = req.url ?? '/';
  if (url.length > MAX_URL_LENGTH) throw uriTooLong();
  const q = url.indexOf('?');
  // repeated slashes count as one, as on a real server (clients joining a base URL and an href often write `//`)
  const path = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
  ex.path = path;
  if (path === DISCOVERY_PATH || path === '/') return run(ctx, ex, res, { GET: () => discoveryRoot(ctx, req) });
  if (path === TOKEN_PATH) return run(ctx, ex, res, { POST: () => tokenEndpoint(ctx, req) });
  const taa = ctx.taaServer;
  if (taa !== undefined && taa.serves(path)) return taa.handle(ex, res, path, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
  const account = ctx.access.authenticate(req.headers.authorization);
  if (!account) {
    ctx.access.unauthenticated(req, path);
    return answer(ctx, res, challenge(req, ctx.settings.trustProxy), ex);
  }
  ex.account = account;
  if (path === USER_PATH) return run(ctx, ex, res, { GET: () => userDocument(ctx, req) });
  const rq: Rq = { req, res, account, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)) };
  ex.rq = rq;
  return run(ctx, ex, res, apiRoute(ctx, rq, ex, path.split('/').slice(1)));
}

function fail(ctx: Ctx, ex: Exchange, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    answerError(ctx, res, error, ex);
    return;
  }
  if (res.req.destroyed || res.destroyed) {
    // the client went away mid-request (e.g. while its body was being read): nobody to answer, nothing unexpected
    res.destroy();
    return;
  }
  console.error('reference server: unexpected error', error);
  answerError(ctx, res, serviceFailure(), ex);
}

/** Creates the reference server (all of PROFILE.md, one dialect) as a node:http request handler. */
export function createApp(options: ReferenceOptions = {}): ReferenceApp {
  const opts = checkOptions(options);
  const variant = faultSet(options.faults);
  const declaredStatus = opts.unsupportedContentTypeStatus;
  const tokens = new TokenStore(opts.tokenLifetimeSeconds);
  const ctx: Ctx = {
    settings: { noAnswerTimeoutMs: opts.noAnswerTimeoutSeconds * 1000, trustProxy: options.trustProxy === true },
    ...faithfulSeams(opts.relPrefix, declaredStatus, tokens),
    rep: undefined as unknown as Representer,
    accounts: new AccountDirectory(opts.pairs, options.accounts === undefined ? undefined : parseAccounts(options.accounts)),
    tokens,
    apps: new Map(),
    appsByAccount: new Map(),
  };
  // the seams' plumbing: the fault layer replaces hooks (none for the faithful server), then the representer is built on them
  applyFaults(ctx, variant);
  ctx.rep = new Representer(ctx);
  if (options.taa !== undefined) {
    if (options.callbackAllowHttp !== undefined && typeof options.callbackAllowHttp !== 'boolean') {
      throw new TypeError('callbackAllowHttp must be a boolean');
    }
    ctx.taaServer = new TaaServer(ctx, options.taa, ctx.accounts, opts.pairs, options.callbackAllowHttp === true, opts.tokenLifetimeSeconds);
  } else if (options.callbackAllowHttp !== undefined) {
    throw new TypeError('callbackAllowHttp needs taa');
  }

  const idleMs = opts.applicationIdleSeconds * 1000;
  const sweeper = setInterval(() => {
    const now = Date.now();
    if (idleMs > 0) expireIdle(ctx, now, idleMs);
    for (const app of ctx.apps.values()) purgeCompleted(app, now, RETENTION_MS);
    ctx.tokens.sweep(now);
    ctx.taaServer?.sweep(now, (app) => purgeCompleted(app, now, RETENTION_MS));
  }, idleMs > 0 ? Math.min(SWEEP_INTERVAL_MS, Math.max(100, idleMs / 4)) : SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    handler(req, res) {
      const ex: Exchange = { req, path: '' };
      handle(ctx, ex, res).catch((error: unknown) => fail(ctx, ex, res, error));
    },

    listening(url) {
      ctx.taaServer?.listening(url);
    },

    describe(baseUrl, listed) {
      const a = ctx.accounts;
      const names = [...(listed === undefined ? variant : faultSet(listed))];
      const dialect = `UCWA reference server (${opts.relPrefix === '' ? 'bare rels' : opts.relPrefix})`;
      const description: Record<string, unknown> = {
        name: names.length > 0 ? `${dialect} — FAULT ${names.join(', ')}` : dialect,
        discoveryUrl: `${baseUrl.replace(/\/+$/, '')}${DISCOVERY_PATH}`,
        relPrefix: opts.relPrefix,
        users: {
          caller: describeAccount(a.caller),
          callee: describeAccount(a.callee),
          ...(a.unavailable ? { unavailable: { uri: a.unavailable.uri } } : {}),
          pairs: a.pairs.map((p) => ({ caller: describeAccount(p.caller), callee: describeAccount(p.callee) })),
        },
        timing: { noAnswerTimeoutSeconds: opts.noAnswerTimeoutSeconds, toleranceSeconds: { early: 5, late: 10 } },
        capabilities: { addMessaging: true, acceptAndBridge: true, startAdhocMeeting: true, customContent: true },
        fixtures: {
          invalidExchangeServerVersion: describeAccount(a.fixtures.invalidExchangeServerVersion),
          tooManyGroups: describeAccount(a.fixtures.tooManyGroups),
          cannotRedirect: describeAccount(a.fixtures.cannotRedirect),
          onlineMeetingUri: ONLINE_MEETING_URI,
        },
        unsupportedContentTypeStatus: declaredStatus,
        ...(names.length > 0 ? { 'x-faults': names } : {}),
      };
      const taa = ctx.taaServer?.describe(baseUrl, describeAccount);
      return taa ? withTaa(description, taa) : description;
    },

    stats() {
      let invitations = 0;
      let connectingInvitations = 0;
      let pendingEventRequests = 0;
      const taaApps = ctx.taaServer ? [...ctx.taaServer.endpoints()].map((ep) => ep.app) : [];
      for (const app of [...ctx.apps.values(), ...taaApps]) {
        invitations += app.invitations.size;
        for (const inv of app.invitations.values()) if (inv.state === 'Connecting') connectingInvitations++;
        if (app.channel.hasPending) pendingEventRequests++;
      }
      return { applications: ctx.apps.size, invitations, connectingInvitations, pendingEventRequests };
    },

    close() {
      clearInterval(sweeper);
      for (const app of ctx.apps.values()) {
        for (const inv of app.invitations.values()) if (inv.timer) clearTimeout(inv.timer);
        app.channel.close();
      }
      ctx.taaServer?.close();
    },
  };
}

/**
 * The description with the TAA parts (TARGET.md §9): the `taa` object, the pairs of the combinations with a TAA side
 * after the UCWA pairs, `capabilities.startMessagingWithIdentity`, `fixtures.foreignEndpointUri` and the callback bound.
 */
function withTaa(d: Record<string, unknown>, taa: NonNullable<ReturnType<TaaServer['describe']>>): Record<string, unknown> {
  const users = d.users as { pairs: unknown[] };
  return {
    ...d,
    users: { ...users, pairs: [...users.pairs, ...taa.pairs] },
    timing: { ...(d.timing as object), callbackLatencySeconds: CALLBACK_LATENCY_SECONDS },
    capabilities: { ...(d.capabilities as object), startMessagingWithIdentity: true },
    fixtures: { ...(d.fixtures as object), foreignEndpointUri: taa.foreignEndpointUri },
    taa: taa.taa,
  };
}

/** EV-10's bound for callbacks this server declares: one signed POST per batch on a loaded machine. */
const CALLBACK_LATENCY_SECONDS = 2;
