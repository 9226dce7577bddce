/**
 * Checks of PROFILE.md §15.6 on the callbacks the receiver recorded (CB-1, CB-2, CB-5, CB-6, CB-11) and the routing
 * rules (CB-3, CB-4, CB-7, CB-9, CB-10): pure functions over RecordedCallback, each returning the problems it found, so
 * that steps stay thin and every callback is judged the same way. JWTs are read and verified with `jose` only.
 */
import { randomBytes } from 'node:crypto';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWTPayload } from 'jose';
import { callbackAsExchange } from './callbacks/channel';
import type { RuleHandle } from './callbacks/client';
import { routeKey } from './callbacks/receiver';
import type { AnswerRule, RecordedCallback } from './callbacks/types';
import { errorCodeFor } from './checks';
import { Inconclusive, objectBody } from './client';
import { show } from './expect';
import { jsonMediaTypeProblem } from './media';
import { bareName, canonicalize, rel, type RelPrefix } from './dialect';
import type { Exchange } from './exchange';
import { embedded, isObject, link, resolveHref } from './links';
import { validate } from './schemas';
import { accountsOf, type Account, type TaaConfig, type Target } from './target';
import type { ConformanceWorld, Role } from './world';

export const CALLBACK_BATCH_SCHEMA = 'urn:ucwa-conformance:callback-batch:1';

/** CB-1: the request media types a callback may carry (parameters such as `type` and `charset` allowed). */
const CALLBACK_TYPES = /^application\/(json|vnd\.microsoft\.com\.ucwa\+json)\s*(;|$)/i;

/** A recorded callback as an Exchange (the receiver's side of it), for failure messages and reports. */
export function callbackExchange(c: RecordedCallback): Exchange {
  return callbackAsExchange(c, `receiver (callback #${c.seq}${c.route?.account ? ` to ${c.route.account}` : ''})`);
}

/** The callback's body as a JSON object, or undefined. */
export function callbackBody(c: RecordedCallback): Record<string, unknown> | undefined {
  try {
    const b = JSON.parse(c.body) as unknown;
    return isObject(b) ? b : undefined;
  } catch {
    return undefined;
  }
}

/** How many events a callback body carries over all its sender blocks (0: an empty batch, CB-11). */
export function callbackEventCount(body: Record<string, unknown>): number {
  const senders = Array.isArray(body.sender) ? body.sender : [];
  return senders.reduce((n: number, s) => n + (isObject(s) && Array.isArray(s.events) ? s.events.length : 0), 0);
}

/** CB-1: what is wrong with one callback's media type and body; [] when nothing is. */
export function callbackShapeProblems(c: RecordedCallback, prefix: RelPrefix): string[] {
  const out: string[] = [];
  if (c.method !== 'POST') out.push(`method ${c.method} instead of POST`);
  const ct = c.headers['content-type'];
  if (!ct || !CALLBACK_TYPES.test(ct)) out.push(`Content-Type ${ct === undefined ? 'absent' : JSON.stringify(ct)} instead of application/json or application/vnd.microsoft.com.ucwa+json`);
  const body = callbackBody(c);
  if (!body) {
    out.push('the body is not a JSON object');
    return out;
  }
  out.push(...validate(CALLBACK_BATCH_SCHEMA, canonicalize(body, prefix)));
  return out;
}

/** One event of a callback body, with its hrefs resolved against `baseuri` (CB-2). */
export interface CallbackEvent {
  callback: RecordedCallback;
  senderRel: string;
  senderHref?: string;
  type: string;
  /** bare name of link.rel (`?…` when spelled for another dialect) */
  linkRel: string;
  linkHref?: string;
  embeddedSelf?: string;
  embeddedInvitation?: Record<string, unknown>;
  raw: Record<string, unknown>;
}

/** The events of a callback, resolved against its `baseuri` (none when the body has no absolute baseuri). */
export function callbackEvents(c: RecordedCallback, prefix: RelPrefix): CallbackEvent[] {
  const body = callbackBody(c);
  const base = body && typeof body.baseuri === 'string' ? body.baseuri : undefined;
  if (!body || !base || !/^https?:\/\//i.test(base)) return [];
  const out: CallbackEvent[] = [];
  for (const s of Array.isArray(body.sender) ? body.sender : []) {
    if (!isObject(s) || !Array.isArray(s.events)) continue;
    const senderHref = resolveHref(s.href, base);
    for (const ev of s.events) {
      if (!isObject(ev)) continue;
      const l = isObject(ev.link) ? ev.link : {};
      const copy = embedded(ev, prefix, 'messagingInvitation');
      const inv = isObject(copy) ? copy : undefined;
      const selfHref = inv && isObject(inv._links) && isObject(inv._links.self) ? resolveHref(inv._links.self.href, base) : undefined;
      const linkHref = resolveHref(l.href, base);
      out.push({
        callback: c,
        senderRel: typeof s.rel === 'string' ? s.rel : '',
        ...(senderHref ? { senderHref } : {}),
        type: typeof ev.type === 'string' ? ev.type : '',
        linkRel: typeof l.rel === 'string' ? bareName(prefix, l.rel) : '',
        ...(linkHref ? { linkHref } : {}),
        ...(selfHref ? { embeddedSelf: selfHref } : {}),
        ...(inv ? { embeddedInvitation: inv } : {}),
        raw: ev,
      });
    }
  }
  return out;
}

/** Every href string in a JSON tree (`href` members anywhere, `baseuri` excluded). */
function hrefsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) hrefsIn(x, out);
  else if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      if (k === 'href' && typeof x === 'string') out.push(x);
      else hrefsIn(x, out);
    }
  return out;
}

/** CB-2: hrefs of a callback body that do not resolve against its `baseuri` (data URIs are not hrefs to resolve). */
export function unresolvableHrefs(c: RecordedCallback): string[] {
  const body = callbackBody(c);
  const base = body && typeof body.baseuri === 'string' ? body.baseuri : undefined;
  if (!body || !base) return [];
  return hrefsIn(body).filter((h) => !h.startsWith('data:') && resolveHref(h, base) === undefined);
}

/** Whether a callback is about a conversation: one of its hrefs (resolved against baseuri) is a known URL of it, or an embedded copy has its threadId. */
export function isAbout(c: RecordedCallback, urls: ReadonlySet<string>, threadId: string | undefined): boolean {
  const body = callbackBody(c);
  if (!body) return false;
  const base = typeof body.baseuri === 'string' ? body.baseuri : c.url;
  if (hrefsIn(body).some((h) => urls.has(resolveHref(h, base) ?? ''))) return true;
  return threadId !== undefined && JSON.stringify(body).includes(JSON.stringify(threadId));
}

/** The URL without its `callbackContext` query parameter (the receiver identifies callbacks that way, §15.7). */
export function withoutContext(url: string): string {
  const u = new URL(url);
  u.searchParams.delete('callbackContext');
  return u.href;
}

/** The percent-decoded `callbackContext` query parameter of a URL, or undefined. */
export function contextOf(url: string): string | undefined {
  return new URL(url).searchParams.get('callbackContext') ?? undefined;
}

/** Whether two URLs are the same callback URL: same origin, path and query apart from `callbackContext` (CB-3). */
export function sameCallbackUrl(received: string, declared: string): boolean {
  const a = new URL(withoutContext(received));
  const b = new URL(withoutContext(declared));
  return a.origin === b.origin && a.pathname === b.pathname && [...a.searchParams].sort().join('&') === [...b.searchParams].sort().join('&');
}

// ---- CB-5, CB-6: the callback's bearer JWS ----

/** The compact JWS of a callback's `Authorization: Bearer …`, or the problem. */
export function callbackToken(c: RecordedCallback): { token?: string; problem?: string } {
  const auth = c.headers.authorization;
  if (auth === undefined) return { problem: 'no Authorization header' };
  const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
  if (!m) return { problem: 'an Authorization header that is not "Bearer <token>"' };
  const token = m[1] as string;
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { problem: 'a bearer token that is not a compact JWS (three base64url parts)' };
  return { token };
}

/** The audience CB-5 expects for callbacks to `account`: its appIdUri, else taa.callbackAuth.audience. */
export function expectedAudience(account: Account | undefined, taa: TaaConfig): string | undefined {
  return account?.appIdUri ?? taa.callbackAuth.audience;
}

function audienceMatches(aud: JWTPayload['aud'], want: string): boolean {
  return Array.isArray(aud) ? aud.includes(want) : aud === want;
}

/**
 * CB-5: what is wrong with a callback's token header and claims; [] when nothing is. `part` "audience" checks only
 * `aud`; "header and claims" everything else. Times are judged against the callback's arrival (receipt time).
 */
export function callbackTokenProblems(c: RecordedCallback, taa: TaaConfig, account: Account | undefined, part: 'header and claims' | 'audience'): string[] {
  const { token, problem } = callbackToken(c);
  if (!token) return [problem as string];
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (e) {
    return [`the bearer token does not decode as a JWT: ${(e as Error).message}`];
  }
  const out: string[] = [];
  if (part === 'audience') {
    const want = expectedAudience(account, taa);
    if (want !== undefined && !audienceMatches(claims.aud, want)) out.push(`aud ${JSON.stringify(claims.aud)} instead of ${JSON.stringify(want)}`);
    return out;
  }
  const algs = taa.callbackAuth.algorithms;
  if (typeof header.alg !== 'string' || !algs.includes(header.alg)) out.push(`alg ${JSON.stringify(header.alg)} not one of ${algs.join(', ')}`);
  if (typeof header.kid !== 'string' || header.kid === '') out.push(`kid ${JSON.stringify(header.kid)} instead of a non-empty string`);
  const { issuer, appId } = taa.callbackAuth;
  if (typeof claims.iss !== 'string' || claims.iss === '') out.push(`iss ${JSON.stringify(claims.iss)} instead of a non-empty string`);
  else if (issuer !== undefined && claims.iss !== issuer) out.push(`iss ${JSON.stringify(claims.iss)} instead of ${JSON.stringify(issuer)}`);
  if (typeof claims.tid !== 'string' || claims.tid === '') out.push(`tid ${JSON.stringify(claims.tid)} instead of a non-empty string`);
  if (typeof claims.appid !== 'string' || claims.appid === '') out.push(`appid ${JSON.stringify(claims.appid)} instead of a non-empty string`);
  else if (appId !== undefined && claims.appid !== appId) out.push(`appid ${JSON.stringify(claims.appid)} instead of ${JSON.stringify(appId)}`);
  const skewMs = taa.callbackAuth.clockSkewSeconds * 1000;
  const at = c.arrivedAt;
  if (typeof claims.exp !== 'number') out.push(`exp ${JSON.stringify(claims.exp)} instead of a NumericDate`);
  else if (claims.exp * 1000 + skewMs <= at) out.push(`exp ${claims.exp} is not after the receipt time ${Math.floor(at / 1000)} (clock skew ${taa.callbackAuth.clockSkewSeconds} s)`);
  const start = typeof claims.nbf === 'number' ? { name: 'nbf', v: claims.nbf } : typeof claims.iat === 'number' ? { name: 'iat', v: claims.iat } : undefined;
  if (!start) out.push('neither nbf nor iat as a NumericDate');
  else if (start.v * 1000 - skewMs > at) out.push(`${start.name} ${start.v} is after the receipt time ${Math.floor(at / 1000)} (clock skew ${taa.callbackAuth.clockSkewSeconds} s)`);
  return out;
}

/** CB-6: the problem with a callback's JWS signature against the declared key set, or undefined when it verifies. */
export async function callbackSignatureProblem(c: RecordedCallback, jwks: JSONWebKeySet, algorithms: readonly string[]): Promise<string | undefined> {
  const { token, problem } = callbackToken(c);
  if (!token) return problem;
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (e) {
    return `the bearer token's header does not decode: ${(e as Error).message}`;
  }
  if (!jwks.keys.some((k) => k.kid === kid)) return `the declared key set has no key with kid ${JSON.stringify(kid)} (kids: ${jwks.keys.map((k) => JSON.stringify(k.kid)).join(', ') || 'none'})`;
  try {
    await compactVerify(token, createLocalJWKSet(jwks), { algorithms: [...algorithms] });
    return undefined;
  } catch (e) {
    return `the signature does not verify with the key of kid ${JSON.stringify(kid)}: ${(e as Error).message}`;
  }
}

// ---- The TAA requests the TDISC/TAUTH/TAPP scenarios make per account (beside the sessions of the World) ----

/** Every TAA account of the target once (users, pairs, fixtures), with where it is declared. */
export function taaAccounts(target: Target): { where: string; account: Account }[] {
  const seen = new Set<string>();
  return accountsOf(target).filter(({ account }) => {
    const key = account.uri.toLowerCase();
    if (account.transport !== 'taa' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A token for `account` (its ready token or the client-credentials grant), kept for redaction. */
export async function tokenOf(w: ConformanceWorld, account: Account, who: string): Promise<string> {
  const token = await w.taaClient.tokenFor(account, who);
  if (token !== account.token) w.issuedTokens.push(token);
  return token;
}

/** ⟨applications⟩ as the discovery document read with `token` links it, or Inconclusive naming TDISC-1. */
export async function applicationsUrl(w: ConformanceWorld, token: string, who: string): Promise<string> {
  const x = await w.taaClient.discover(who, token);
  const href = w.taaClient.applicationsLink(x);
  if (!href) throw new Inconclusive(`prerequisite TDISC-1 failed: the discovery document read by ${who} links no ${rel(w.prefix, 'applications')}`, x);
  return href;
}

/** An endpointId that names no endpoint: `sip:nobody-<32 hex>@<domain of the account uri>` (TAPP-3). */
export function unknownEndpointId(account: Account): string {
  const domain = account.uri.replace(/^sip:/i, '').split(';')[0]?.split('@')[1] ?? 'example.invalid';
  return `sip:nobody-${randomBytes(16).toString('hex')}@${domain}`;
}

/** Whether a 401's WWW-Authenticate values hold a challenge of scheme Bearer (TAUTH-2). */
export function hasBearerChallenge(x: Exchange): boolean {
  const raw = x.responseHeaders['www-authenticate'];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.some((v) => /(^|,)\s*Bearer(\s|,|$)/i.test(v));
}

// ---- Per-scenario state of the TAA steps ----

export interface TaaScenario {
  /** the receiver's newest sequence number when the scenario began: its callbacks come after */
  mark?: number;
  /** the conversation callbackUrl the caller passed (TSM-1, CB-4, CB-10) */
  conversationUrl?: string;
  /** how long the receiver holds its answer to the conversation's started callback (CB-10), in ms */
  holdMs?: number;
  /** the callbackContext the scenario expects back (CB-7, CB-8, CB-9) and the rule that answered it */
  context?: { value: string; rule?: RuleHandle };
  /** threadIds of refused startMessaging requests (TSM-2) */
  refusedThreadIds: string[];
  /** TAPP-1, TAPP-2: what each TAA account reached, by where it is declared */
  reached?: Reached[];
}

/** The applications GET of one TAA account (TAPP-1) and, for TAPP-2, its application and communication. */
export interface Reached {
  where: string;
  applications: Exchange;
  application?: Exchange;
  communication?: Exchange;
}

declare module './world' {
  interface ConformanceWorld {
    taaScenario?: TaaScenario;
  }
}

/** The TAA steps' state of the scenario, created on first use. */
export function taaScenario(w: ConformanceWorld): TaaScenario {
  w.taaScenario ??= { refusedThreadIds: [] };
  return w.taaScenario;
}

/** Registers an answer rule for the scenario; it is removed when the scenario ends. */
export async function scenarioRule(w: ConformanceWorld, rule: AnswerRule): Promise<RuleHandle> {
  const h = await w.receiver.rule(rule);
  w.atCleanUp(() => h.remove());
  return h;
}

/** The callbacks recorded since the scenario began (all routes, unmatched ones included). */
export async function callbacksSinceStart(w: ConformanceWorld): Promise<RecordedCallback[]> {
  const since = taaScenario(w).mark;
  return w.receiver.callbacks(since === undefined ? {} : { since });
}

/** The TAA roles of the scenario's pair. */
export function taaRoles(w: ConformanceWorld): Role[] {
  return (['caller', 'callee'] as const).filter((r) => w.pair[r].transport === 'taa');
}

/** Which role of the pair a callback was addressed to: its default URL, or the caller's conversation URL. */
export function roleOfCallback(w: ConformanceWorld, c: RecordedCallback): Role | undefined {
  if (c.route?.kind === 'default')
    return taaRoles(w).find((r) => c.route?.account !== undefined && c.route.account.toLowerCase() === w.pair[r].uri.toLowerCase());
  const conv = taaScenario(w).conversationUrl;
  if (c.route?.kind === 'conversation' && conv && routeKey(c.path) === routeKey(conv)) return 'caller';
  return undefined;
}

/** The callbacks of this scenario: recorded since it began and addressed to one of its pair's TAA accounts. */
export async function scenarioCallbacks(w: ConformanceWorld): Promise<{ role: Role; callback: RecordedCallback }[]> {
  const out: { role: Role; callback: RecordedCallback }[] = [];
  for (const c of await callbacksSinceStart(w)) {
    const role = roleOfCallback(w, c);
    if (role) out.push({ role, callback: c });
  }
  return out;
}

/** The URLs that identify a role's conversation: its invitation and the conversation and messaging it links. */
export function conversationUrls(w: ConformanceWorld, role: Role): Set<string> {
  const t = w.invitation(role);
  const urls = new Set<string>([t.url]);
  for (const name of ['conversation', 'messaging']) {
    const u = t.body ? link({ url: t.url, body: t.body }, w.prefix, name) : t.remembered[name];
    if (u) urls.add(u);
  }
  return urls;
}

let declaredKeys: Promise<JSONWebKeySet> | undefined;

/** The declared callback signing keys (CB-6): taa.callbackAuth.jwks, or the key set read from jwksUrl (once per process). */
export function callbackKeys(w: ConformanceWorld): Promise<JSONWebKeySet> {
  const auth = w.taa.callbackAuth;
  if (auth.jwks) return Promise.resolve(auth.jwks as unknown as JSONWebKeySet);
  if (!auth.jwksUrl) throw new Inconclusive('no callback signing keys declared');
  const url = auth.jwksUrl;
  declaredKeys ??= w.client.request('GET', url, 'suite (callback keys)', undefined).then((x) => {
    const body = objectBody(x);
    if (x.status !== 200 || !body || !Array.isArray(body.keys)) {
      declaredKeys = undefined;
      throw new Inconclusive(`the declared key set at taa.callbackAuth.jwksUrl could not be read (${x.status ?? x.error})`, x);
    }
    return body as unknown as JSONWebKeySet;
  });
  return declaredKeys;
}

/** TAPP-3 / TAPP-5: 403 or 404, an ERR-1 body whose code names the status, a subcode among `subcodes`, no ⟨application⟩. */
export function checkForeignRefusal(w: ConformanceWorld, req: string, x: Exchange, subcodes: readonly string[]): void {
  w.check(req, x.status === 403 || x.status === 404, '403 Forbidden or 404 NotFound', `${x.status ?? x.error}`, [x]);
  const b = objectBody(x);
  w.check(req, !!b && !jsonMediaTypeProblem(x), 'an application/json error body {code, subcode?, message?}', jsonMediaTypeProblem(x) ?? show(x.responseBody), [x]);
  const code = x.status === 403 ? 'Forbidden' : errorCodeFor(404);
  w.check(req, b?.code === code, `code ${code}`, show(b?.code), [x]);
  const sub = b?.subcode === undefined ? 'None' : String(b.subcode);
  w.check(req, subcodes.includes(sub), `subcode ${subcodes.join(' or ')}`, sub, [x]);
  w.check(req, !b || !link({ url: x.url, body: b }, w.prefix, 'application'), `no ${rel(w.prefix, 'application')} link`, show(b?._links), [x]);
  w.checkSchema(req, 'urn:ucwa-conformance:error:1', b, [x]);
}

