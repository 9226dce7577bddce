/** Discovery root, user document and the password-grant token endpoint (§3, D2). */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Ctx, Reply } from './context';
import { mediaType, readBody } from './http';

export const DISCOVERY_PATH = '/autodiscover';
export const USER_PATH = '/autodiscover/user';
export const TOKEN_PATH = '/oauth/token';
export const APPLICATIONS_PATH = '/ucwa/v1/applications';

const VALID_HOST = /^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

/** The 401 every unauthenticated request gets (DISC-2, AUTH-4): a MsRtcOAuth challenge naming the token endpoint. */
export function challenge(ctx: Ctx, req: IncomingMessage): Reply {
  const host = req.headers.host;
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const tokenUrl = host && VALID_HOST.test(host) ? `${scheme}://${host}${TOKEN_PATH}` : TOKEN_PATH;
  const grants = ctx.faults.has('challenge-without-password-grant') ? 'urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting' : 'password';
  return { status: 401, headers: { 'WWW-Authenticate': `MsRtcOAuth href="${tokenUrl}",grant_type="${grants}"` } };
}

/** GET on the discovery root (DISC-1). */
export function discoveryRoot(ctx: Ctx): Reply {
  const user = ctx.faults.has('discovery-user-prefixed') ? `${ctx.behaviour.relPrefix || 'ms:rtc:saas:'}user` : 'user';
  return { status: 200, body: { _links: { self: { href: DISCOVERY_PATH }, [user]: { href: USER_PATH } } } };
}

/** GET on the user document with a valid token (DISC-3). */
export function userDocument(ctx?: Ctx): Reply {
  if (ctx?.faults.has('user-document-redirect')) return { status: 200, body: { _links: { self: { href: USER_PATH }, redirect: { href: DISCOVERY_PATH } } } };
  return { status: 200, body: { _links: { self: { href: USER_PATH }, applications: { href: APPLICATIONS_PATH } } } };
}

const oauthError = (error: string, description: string): Reply => ({
  status: 400,
  body: { error, error_description: description },
  headers: { 'Cache-Control': 'no-store' },
});

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** POST on the token endpoint: the password grant (AUTH-1…AUTH-3); never echoes the password. */
export async function tokenEndpoint(ctx: Ctx, req: IncomingMessage): Promise<Reply> {
  const raw = await readBody(req);
  if (mediaType(req.headers['content-type']) !== 'application/x-www-form-urlencoded') {
    return oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(raw.toString('utf8'));
  const grantType = form.get('grant_type');
  if (!grantType) return oauthError('invalid_request', 'grant_type is required.');
  if (grantType !== 'password') {
    if (ctx.faults.has('unknown-grant-type-invalid-request')) return oauthError('invalid_request', 'Only the password grant is supported.');
    return oauthError('unsupported_grant_type', 'Only the password grant is supported.');
  }
  const username = form.get('username');
  const password = form.get('password');
  if (!username || password === null) return oauthError('invalid_request', 'username and password are required.');
  const account = ctx.accounts.findByUsername(username);
  if (!account || (!samePassword(password, account.password) && !ctx.faults.has('wrong-password-accepted'))) {
    return oauthError('invalid_grant', 'The user name or password is incorrect.');
  }
  return {
    status: 200,
    body: {
      access_token: ctx.tokens.issue(account),
      token_type: ctx.faults.has('token-type-mac') ? 'MAC' : 'Bearer',
      expires_in: ctx.faults.has('token-expires-in-zero') ? 0 : ctx.tokens.lifetimeSeconds,
    },
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  };
}
