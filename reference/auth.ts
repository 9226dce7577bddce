/** Discovery root, user document and the password-grant token endpoint (§3, D2). */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Account } from './accounts';
import type { Ctx, Reply } from './context';
import { mediaType, readBody } from './http';
import { TOKEN_PATH } from './represent';

export { APPLICATIONS_PATH, DISCOVERY_PATH, TOKEN_PATH, USER_PATH } from './represent';

const VALID_HOST = /^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

/** The first value of a (possibly repeated, comma-separated) forwarding header. */
function forwarded(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const first = text?.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}

/**
 * The origin ("scheme://host[:port]") the client reached this server at: the connection's scheme and the Host header,
 * or, with `trustProxy`, X-Forwarded-Proto and X-Forwarded-Host where given. '' when the host is absent or not a
 * plain host[:port] (nothing from a request is ever written into an href unchecked).
 */
export function requestOrigin(req: IncomingMessage, trustProxy: boolean): string {
  let scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  let host = req.headers.host;
  if (trustProxy) {
    const proto = forwarded(req.headers['x-forwarded-proto'])?.toLowerCase();
    if (proto === 'http' || proto === 'https') scheme = proto;
    host = forwarded(req.headers['x-forwarded-host']) ?? host;
  }
  return host && VALID_HOST.test(host) ? `${scheme}://${host}` : '';
}

/** The 401 every unauthenticated request gets (DISC-2, AUTH-4): a MsRtcOAuth challenge naming the token endpoint. */
export function challenge(req: IncomingMessage, trustProxy = false): Reply {
  const tokenUrl = `${requestOrigin(req, trustProxy)}${TOKEN_PATH}`;
  return { status: 401, headers: { 'WWW-Authenticate': `MsRtcOAuth href="${tokenUrl}",grant_type="password"` } };
}

/** GET on the discovery root (DISC-1), its hrefs absolute as a deployed server's. */
export function discoveryRoot(ctx: Ctx, req: IncomingMessage): Reply {
  return { status: 200, body: ctx.rep.discovery(requestOrigin(req, ctx.settings.trustProxy)) };
}

/** GET on the user document with a valid token (DISC-3), its hrefs absolute as the root's. */
export function userDocument(ctx: Ctx, req: IncomingMessage): Reply {
  return { status: 200, body: ctx.rep.user(requestOrigin(req, ctx.settings.trustProxy)) };
}

const oauthError = (error: string, description: string): Reply => ({
  status: 400,
  body: { error, error_description: description },
  headers: { 'Cache-Control': 'no-store' },
});

/** Whether a password is the account's, compared in constant time (the faithful access hook). */
export function passwordMatches(given: string, account: Account): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(account.password);
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
    return oauthError('unsupported_grant_type', 'Only the password grant is supported.');
  }
  const username = form.get('username');
  const password = form.get('password');
  if (!username || password === null) return oauthError('invalid_request', 'username and password are required.');
  const account = ctx.accounts.findByUsername(username);
  if (!account || !ctx.access.passwordMatches(password, account)) {
    return oauthError('invalid_grant', 'The user name or password is incorrect.');
  }
  return {
    status: 200,
    body: ctx.rep.token(ctx.tokens.issue(account), ctx.tokens.lifetimeSeconds, account),
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  };
}
