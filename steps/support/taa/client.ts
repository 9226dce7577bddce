import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { Inconclusive, objectBody, type Client, type RequestOptions } from '../client';
import type { Exchange } from '../exchange';
import { header } from '../client';
import { link, resolveHref, withQueryParameter } from '../links';
import type { Account, TaaConfig, Target } from '../target';

/** At most this many 307/308 hops are followed for one TAA request (PROFILE.md TDISC-3). */
export const MAX_TAA_REDIRECTS = 3;

/** A TAA exchange: the final answer, with the 307/308 hops that led to it and why following stopped, if it did. */
export interface TaaExchange extends Exchange {
  /** the earlier exchanges of the chain, first request first (each also in Client.exchanges) */
  hops?: Exchange[];
  /** set when the chain ended on a redirect the suite does not follow: a loop, a fourth hop, no Location */
  redirectProblem?: string;
}

/** The configured `taa` object of a target, or Inconclusive (the target has no TAA transport). */
export function taaConfig(target: Target): TaaConfig {
  if (!target.taa) throw new Inconclusive('the target description has no taa object: no TAA request can be made');
  return target.taa;
}

/**
 * The TAA transport's requests (PROFILE.md §15): every TAA request goes through `request`, the one place that follows
 * 307/308 answers — at most MAX_TAA_REDIRECTS hops, the same method, body and `Authorization` (only to a trusted origin:
 * Client.request refuses otherwise), the final answer's `url` the URL its hrefs and `Location` resolve against. A
 * loop, a fourth hop or a redirect without Location ends the chain on that 3xx answer, marked `redirectProblem`, so
 * that the requirement being checked fails on it. Other 3xx answers are returned as they are.
 */
export class TaaClient {
  constructor(readonly client: Client) {}

  get taa(): TaaConfig {
    return taaConfig(this.client.target);
  }

  async request(method: string, url: string, who: string, bearer: string | undefined, o: RequestOptions = {}): Promise<TaaExchange> {
    const hops: Exchange[] = [];
    const seen = new Set<string>([url]);
    let current = url;
    for (;;) {
      const x: TaaExchange = await this.client.request(method, current, who, bearer, o);
      if (x.status !== 307 && x.status !== 308) return hops.length ? { ...x, hops } : x;
      const location = resolveHref(header(x, 'location'), current);
      const problem = !location
        ? `a ${x.status} answer without a usable Location`
        : seen.has(location)
          ? `a redirect loop: ${location} was already requested in this chain`
          : hops.length >= MAX_TAA_REDIRECTS
            ? `a ${hops.length + 1}th redirect (at most ${MAX_TAA_REDIRECTS} are followed, PROFILE.md TDISC-3)`
            : undefined;
      if (problem || !location) return { ...x, hops, redirectProblem: problem ?? 'no Location' };
      hops.push(x);
      seen.add(location);
      current = location;
    }
  }

  /**
   * The client-credentials grant (TAUTH-5) at `taa.token.url` for `account`, with its secret or `secret` given (TAUTH-6
   * sends a wrong one). Sent only to a trusted origin (Client.requireTrusted); a raw exchange, not judged here.
   */
  grant(account: Account, who: string, secret = account.clientSecret ?? ''): Promise<Exchange> {
    const t = this.taa.token;
    if (!t) throw new Inconclusive('no taa.token in the target description: the client-credentials grant cannot be made');
    this.client.requireTrusted('POST', t.url, `the client-credentials grant of ${who}`);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: account.clientId ?? '', client_secret: secret });
    if (t.resource !== undefined) form.set('resource', t.resource);
    else if (t.scope !== undefined) form.set('scope', t.scope);
    return this.client.request('POST', t.url, who, undefined, { rawBody: form.toString(), contentType: 'application/x-www-form-urlencoded' });
  }

  /** A bearer token for `account`: its ready token, or the grant's `access_token`; Inconclusive naming TAUTH-5 otherwise. */
  async tokenFor(account: Account, who: string): Promise<string> {
    return (await this.tokenGrantFor(account, who)).token;
  }

  /** tokenFor with the grant's `expires_in` (undefined for a ready token). */
  async tokenGrantFor(account: Account, who: string): Promise<{ token: string; expiresIn?: unknown }> {
    if (account.token !== undefined) return { token: account.token };
    const x = await this.grant(account, who);
    const body = objectBody(x);
    const token = body?.access_token;
    if (x.status !== 200 || typeof token !== 'string' || !token)
      throw new Inconclusive(`${this.taa.token?.issuedByTarget ? 'prerequisite TAUTH-5 failed: ' : ''}the client-credentials grant of ${who} gave no access_token (${x.status ?? x.error})`, x);
    return { token, expiresIn: body?.expires_in };
  }

  /** GET `taa.discoverUrl` (TDISC-1) with `bearer` (undefined: no Authorization). */
  discover(who: string, bearer: string | undefined, o: RequestOptions = {}): Promise<TaaExchange> {
    return this.request('GET', this.taa.discoverUrl, who, bearer, o);
  }

  /** The resolved ⟨applications⟩ of a discovery answer (the prefixed key only, D38), against the final URL. */
  applicationsLink(x: Exchange): string | undefined {
    const body = objectBody(x);
    return x.status === 200 && body ? link({ url: x.url, body }, this.client.prefix, 'applications') : undefined;
  }

  /** The ⟨applications⟩ URL with `endpointId` added by the URL builder (TAPP-1, D39). */
  applicationsUrlFor(applicationsUrl: string, endpointId: string): string {
    return withQueryParameter(applicationsUrl, 'endpointId', endpointId);
  }

  /** GET ⟨applications⟩ with `endpointId` (any value: TAPP-3 sends an unknown one, TAPP-5 another application's). */
  applications(applicationsUrl: string, endpointId: string, who: string, bearer: string | undefined, o: RequestOptions = {}): Promise<TaaExchange> {
    return this.request('GET', this.applicationsUrlFor(applicationsUrl, endpointId), who, bearer, o);
  }
}

/** `Bearer invalid-<random>` (TAUTH-1's second form). */
export function invalidToken(): string {
  return `invalid-${randomBytes(16).toString('hex')}`;
}

let signingKey: Promise<{ privateKey: KeyLike; kid: string }> | undefined;

/** The suite's own RS256 key (generated once per process): nobody trusts it, so its tokens are forged. */
function forgeryKey(): Promise<{ privateKey: KeyLike; kid: string }> {
  signingKey ??= generateKeyPair('RS256').then(({ privateKey }) => ({ privateKey, kid: `conformance-forged-${randomBytes(4).toString('hex')}` }));
  return signingKey;
}

/** The audience of platform tokens: `taa.token.resource`, or the scope without `/.default`, or the discover URL's origin. */
export function tokenAudience(taa: TaaConfig): string {
  if (taa.token?.resource) return taa.token.resource;
  if (taa.token?.scope) return taa.token.scope.replace(/\/\.default$/, '');
  return new URL(taa.discoverUrl).origin;
}

/** The tenant a token URL names (`https://login…/<tenant>/oauth2/token`), else `conformance`. */
function tenantOf(taa: TaaConfig): string {
  const first = taa.token ? new URL(taa.token.url).pathname.split('/').filter(Boolean)[0] : undefined;
  return first && first !== 'oauth2' ? first : 'conformance';
}

/**
 * A forged token for `account` (TAUTH-1): a compact JWS, RS256, signed with a key the suite generates, whose claims
 * are otherwise plausible — `iss` = `taa.token.issuer` when declared, `aud` = the token audience, `appid` = the account's
 * `clientId`, `tid`, `exp` one hour ahead.
 */
export async function forgeToken(account: Account, target: Target): Promise<string> {
  const taa = taaConfig(target);
  const { privateKey, kid } = await forgeryKey();
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ appid: account.clientId ?? 'conformance-client', tid: tenantOf(taa) })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setAudience(tokenAudience(taa))
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 3600);
  if (taa.token?.issuer) jwt.setIssuer(taa.token.issuer);
  return jwt.sign(privateKey);
}
