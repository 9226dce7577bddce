/**
 * §15 the Trusted Application API transport: discovery, tokens, applications by endpointId, the TAA startMessaging
 * inputs and callback delivery. All on the `taa` seam (reference/taa/hooks.ts); the UCWA faults of the other seams
 * (events, represent, lifecycle, …) reach TAA endpoints as well, since their events and resources are UCWA's.
 */
import { generateKeyPairSync } from 'node:crypto';
import { HttpError } from '../errors';
import type { Json } from '../seams';
import { aadApp } from '../taa/directory';
import { fault } from './fault';
import { linksOf } from './util';

/** The client id a compact JWS claims in `appid`, read without checking anything. */
function claimedAppId(authorization: string | undefined): string | undefined {
  const payload = authorization?.replace(/^bearer\s+/i, '').split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const appid = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json).appid;
    return typeof appid === 'string' && aadApp(appid) ? appid : undefined;
  } catch {
    return undefined;
  }
}

/** Stands for "every application" where a fault lets one token act for all endpoints. */
const ANY_APPLICATION = '*';

export const TAA = [
  fault({
    name: 'taa-discover-bare-applications', description: 'the TAA discovery document keys the applications link without the prefix', breaks: ['TDISC-1'],
    seam: 'taa',
    hook: (t, ctx) => ({
      discover(rep) {
        const out = t.discover(rep);
        const key = ctx.behaviour.rel('applications');
        const { [key]: link, ...links } = linksOf(out);
        return { ...out, _links: { ...links, applications: link! } };
      },
    }),
  }),
  fault({
    name: 'taa-discover-without-self', description: 'the TAA discovery document has neither `_links.self` nor `rel`', breaks: ['TDISC-2'],
    seam: 'taa',
    hook: (t) => ({
      discover(rep) {
        const { rel: _rel, ...out } = t.discover(rep);
        const { self: _self, ...links } = linksOf(out);
        return { ...out, _links: links };
      },
    }),
  }),
  fault({
    name: 'taa-forged-token-accepted', description: 'a TAA request is authenticated by the `appid` of any compact JWS, its signature unchecked', breaks: ['TAUTH-1'],
    seam: 'taa', hook: (t) => ({ authenticate: (authorization, verify) => t.authenticate(authorization, verify) ?? claimedAppId(authorization) }),
  }),
  fault({
    name: 'taa-challenge-without-bearer', description: 'the TAA 401 challenges with MsRtcOAuth only, no Bearer', breaks: ['TAUTH-2'],
    seam: 'taa', hook: () => ({ challenge: () => ['MsRtcOAuth grant_type="client_credentials"'] }),
  }),
  fault({
    name: 'taa-endpoint-checked-before-token', description: 'an unknown endpointId is answered 403 before the missing token is noticed', breaks: ['TAUTH-3'],
    seam: 'taa',
    hook: (t, ctx) => ({
      unauthenticated(path, query) {
        const named = query.get('endpointId');
        if (named !== null && !ctx.taaServer?.hasEndpoint(named)) throw t.noEndpoint();
        t.unauthenticated(path, query);
      },
    }),
  }),
  fault({
    name: 'taa-accepts-ucwa-token', description: 'a UCWA user\'s bearer token is accepted on TAA URLs, for every endpoint', breaks: ['TAUTH-4'],
    seam: 'taa',
    hook: (t, ctx) => ({
      authenticate: (authorization, verify) => t.authenticate(authorization, verify)
        ?? (ctx.tokens.authenticate(authorization) ? ANY_APPLICATION : undefined),
      owns: (clientId, owner) => clientId === ANY_APPLICATION || t.owns(clientId, owner),
    }),
  }),
  fault({
    name: 'taa-token-without-expires-in', description: 'the client-credentials token response has no `expires_in`', breaks: ['TAUTH-5'],
    seam: 'taa',
    hook: (t) => ({
      token(rep) {
        const { expires_in: _gone, ...out } = t.token(rep);
        return out;
      },
    }),
  }),
  fault({
    name: 'taa-wrong-secret-accepted', description: 'a wrong client secret is answered 200 with a token', breaks: ['TAUTH-6'],
    seam: 'taa', hook: () => ({ secretMatches: () => true }),
  }),
  fault({
    name: 'taa-applications-without-application-link', description: 'the applications answer for an endpointId has no ⟨application⟩ link', breaks: ['TAPP-1'],
    seam: 'taa',
    hook: (t, ctx) => ({
      applications(rep) {
        const out = t.applications(rep);
        const { [ctx.behaviour.rel('application')]: _gone, ...links } = linksOf(out);
        return { ...out, _links: links };
      },
    }),
  }),
  fault({
    name: 'taa-communication-not-embedded', description: 'the TAA application does not embed its communication resource', breaks: ['TAPP-2'],
    seam: 'taa',
    hook: (t) => ({
      application(rep, app) {
        const { _embedded: _gone, ...out } = t.application(rep, app);
        return out;
      },
    }),
  }),
  fault({
    name: 'taa-unknown-endpoint-404-none', description: 'an endpoint that is not the principal\'s is answered 404 NotFound without subcode', breaks: ['TAPP-3', 'TAPP-4', 'TAPP-5'],
    seam: 'taa', hook: () => ({ noEndpoint: () => new HttpError(404, undefined, 'The resource does not exist.') }),
  }),
  fault({
    name: 'taa-unknown-endpoint-404', description: 'an endpoint that is not the principal\'s is answered 404 ApplicationNotFound (not 403)', breaks: ['TAPP-4'],
    seam: 'taa', hook: () => ({ noEndpoint: () => new HttpError(404, 'ApplicationNotFound', 'The application does not exist.') }),
  }),
  fault({
    name: 'taa-foreign-endpoint-served', description: 'any application\'s token may act for the endpoints of every other application', breaks: ['TAPP-5', 'ERR-7', 'SEC-1'],
    seam: 'taa', hook: () => ({ owns: () => true }),
  }),
  fault({
    name: 'taa-endpoint-asleep-until-used', description: 'a TAA endpoint receives invitations only after a request for it since the server started', breaks: ['TAPP-6'],
    seam: 'taa', hook: () => ({ available: (touched) => touched }),
  }),
  fault({
    name: 'taa-callback-url-limit-1023', description: 'a callbackUrl of exactly 1024 UTF-16 code units is refused', breaks: ['TSM-1'],
    seam: 'taa',
    hook: (t) => ({ callbackUrlProblem: (url, allowHttp) => (url.length >= 1024 ? 'longer than 1023' : t.callbackUrlProblem(url, allowHttp)) }),
  }),
  fault({
    name: 'taa-callback-url-unchecked', description: 'any callbackUrl string is accepted (too long, relative, ftp:, not a URL)', breaks: ['TSM-2'],
    seam: 'taa', hook: () => ({ callbackUrlProblem: () => undefined }),
  }),
  fault({
    name: 'taa-callback-url-not-probed', description: 'an unreachable callbackUrl is accepted with 201 (no probe)', breaks: ['TSM-3'],
    seam: 'taa', hook: () => ({ probes: () => false }),
  }),
  fault({
    name: 'taa-multipart-refused', description: 'a multipart/related startMessaging body is refused as an unsupported media type', breaks: ['TSM-4'],
    seam: 'taa', hook: () => ({ readsMultipart: () => false }),
  }),
  fault({
    name: 'taa-identity-ignored', description: 'startMessagingWithIdentity shows the callee the endpoint itself, not localUserUri / localUserDisplayName', breaks: ['TSM-5'],
    seam: 'taa', hook: () => ({ identity: (_claimed, own) => own }),
  }),
  fault({
    name: 'taa-callback-without-baseuri', description: 'callback bodies have no `baseuri`', breaks: ['CB-1'],
    seam: 'taa',
    hook: (t) => ({
      callbackBody(body) {
        const { baseuri: _gone, ...out } = t.callbackBody(body);
        return out;
      },
    }),
  }),
  fault({
    name: 'taa-callback-baseuri-other-scheme', description: 'callback `baseuri` names the platform with the other scheme (http ↔ https), so its hrefs resolve elsewhere', breaks: ['CB-2'],
    seam: 'taa',
    hook: (t) => ({
      callbackBody(body) {
        const out = t.callbackBody(body);
        const base = out.baseuri;
        if (typeof base !== 'string') return out;
        return { ...out, baseuri: base.startsWith('https:') ? `http:${base.slice(6)}` : base.replace(/^http:/, 'https:') };
      },
    }),
  }),
  fault({
    name: 'taa-default-callbacks-misrouted', description: 'callbacks meant for an endpoint\'s default URL go to that URL\'s path + `/events`', breaks: ['CB-3'],
    seam: 'taa',
    hook: (t) => ({
      target(conversationUrl, defaultUrl) {
        const out = t.target(conversationUrl, defaultUrl);
        if (!out.isDefault) return out;
        const u = new URL(out.url);
        u.pathname = `${u.pathname.replace(/\/+$/, '')}/events`;
        return { url: u.href, isDefault: true };
      },
    }),
  }),
  fault({
    name: 'taa-conversation-url-ignored', description: 'a startMessaging `callbackUrl` is ignored: the conversation\'s callbacks go to the default URL', breaks: ['CB-4'],
    seam: 'taa', hook: (t) => ({ target: (_conversationUrl, defaultUrl) => t.target(undefined, defaultUrl) }),
  }),
  fault({
    name: 'taa-callback-wrong-audience', description: 'callback tokens carry the platform\'s own audience instead of the endpoint\'s App ID URI', breaks: ['CB-5'],
    seam: 'taa', hook: (t, ctx) => ({ claims: (claims) => ({ ...t.claims(claims), aud: ctx.taaServer?.resource() ?? 'urn:reference' }) }),
  }),
  fault({
    name: 'taa-callback-foreign-key', description: 'callback tokens are signed with a key that is not in the published key set (same kid)', breaks: ['CB-6'],
    seam: 'taa',
    hook: () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      return { signingKey: () => other };
    },
  }),
  fault({
    name: 'taa-callback-context-ignored', description: 'a callbackContext answered by the receiver is not added to later callbacks', breaks: ['CB-7', 'CB-8'],
    seam: 'taa', hook: () => ({ contextFromAnswer: () => undefined }),
  }),
  fault({
    name: 'taa-callback-context-pascal-ignored', description: 'only the `callbackContext` spelling of the answer is read, not `CallbackContext`', breaks: ['CB-7'],
    seam: 'taa',
    hook: (t) => ({
      contextFromAnswer(body) {
        if (body === null || typeof body !== 'object' || !('callbackContext' in body)) return undefined;
        return t.contextFromAnswer(body);
      },
    }),
  }),
  fault({
    name: 'taa-callback-context-latin1', description: 'the callbackContext query parameter is encoded with escape(): non-ASCII as Latin-1 (%E9), not UTF-8', breaks: ['CB-8'],
    seam: 'taa',
    hook: (t) => ({
      withContext(url, context) {
        const u = new URL(t.withContext(url, ''));
        u.search = u.search.replace(/callbackContext=$/, `callbackContext=${escape(context)}`);
        return u.href;
      },
    }),
  }),
  fault({
    name: 'taa-start-context-ignored', description: 'a startMessaging `callbackContext` is not added to the conversation\'s callbacks', breaks: ['CB-9'],
    seam: 'taa', hook: () => ({ startContext: () => undefined }),
  }),
  fault({
    name: 'taa-callbacks-not-serial', description: 'callbacks about one conversation leave without waiting for the previous answer', breaks: ['CB-10'],
    seam: 'taa', hook: () => ({ serial: () => false }),
  }),
  fault({
    name: 'taa-callback-204-stops-delivery', description: 'a 2xx answer other than 200 counts as failure: the conversation gets no further callbacks', breaks: ['CB-12'],
    seam: 'taa', hook: (t) => ({ goesOn: (status) => (status === undefined || status === 200) && t.goesOn(status) }),
  }),
];
