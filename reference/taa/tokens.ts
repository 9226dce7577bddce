/**
 * The client-credentials token endpoint (PROFILE.md TAUTH-5, TAUTH-6; TARGET.md §9): v1 `/<tenant>/oauth2/token` with
 * `resource`, v2 `/<tenant>/oauth2/v2.0/token` with `scope=<resource>/.default`; RS256 JWTs (iss `<origin>/<tenant>/`,
 * aud = resource, appid, tid, exp). The platform accepts only tokens it issued, for its audience, unexpired.
 */
import type { IncomingMessage } from 'node:http';
import type { Reply } from '../context';
import { mediaType, readBody } from '../http';
import type { TaaHooks } from './hooks';
import { aadApp, TENANT } from './directory';
import type { SigningKey } from './keys';

const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description },
  headers: { 'Cache-Control': 'no-store' },
});

export class TaaTokens {
  /** token → (client id, expiry in ms). Only issued tokens authenticate (a forged one, however well signed, does not). */
  private readonly issued = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(
    private readonly key: SigningKey,
    private readonly lifetimeSeconds: number,
    /** The issuer (`<origin>/<tenant>/`) and the platform's audience, once the origin is known. */
    private readonly names: () => { issuer: string; resource: string },
  ) {}

  /** POST on either token endpoint (`v2`: the scope form). */
  async grant(hooks: TaaHooks, req: IncomingMessage, v2: boolean): Promise<Reply> {
    const raw = await readBody(req);
    if (mediaType(req.headers['content-type']) !== 'application/x-www-form-urlencoded') {
      return oauthError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required.');
    if (grantType !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
    const clientId = form.get('client_id');
    const secret = form.get('client_secret');
    if (!clientId || secret === null) return oauthError(400, 'invalid_request', 'client_id and client_secret are required.');
    const app = aadApp(clientId);
    if (!app || !hooks.secretMatches(secret, app.secret)) {
      return oauthError(401, 'invalid_client', 'The client id or secret is incorrect.');
    }
    const { issuer, resource } = this.names();
    const asked = v2 ? form.get('scope') : form.get('resource');
    const audience = v2 ? asked?.replace(/\/\.default$/, '') : asked;
    if (!audience) return oauthError(400, 'invalid_request', v2 ? 'scope is required.' : 'resource is required.');
    if (audience.replace(/\/+$/, '') !== resource.replace(/\/+$/, '')) {
      return oauthError(400, v2 ? 'invalid_scope' : 'invalid_resource', `Tokens are issued for ${resource} only.`);
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.lifetimeSeconds;
    const token = await this.key.sign({ aud: resource, iss: issuer, appid: clientId, tid: TENANT, iat: now, nbf: now, exp });
    this.issued.set(token, { clientId, expiresAt: exp * 1000 });
    const body: Record<string, unknown> = { token_type: 'Bearer', expires_in: this.lifetimeSeconds, access_token: token };
    if (!v2) Object.assign(body, { expires_on: String(exp), not_before: String(now), resource });
    return { status: 200, body: hooks.token(body), headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
  }

  /** The client id an `Authorization: Bearer` header authenticates, if this server issued it and it has not expired. */
  verify(authorization: string | undefined): string | undefined {
    if (authorization === undefined || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const token = authorization.slice(7).trim();
    const entry = this.issued.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.issued.delete(token);
      return undefined;
    }
    return entry.clientId;
  }

  sweep(now: number): void {
    for (const [token, entry] of this.issued) if (entry.expiresAt <= now) this.issued.delete(token);
  }
}

/** `/<tenant>/.well-known/openid-configuration`: where the keys and the token endpoint are. */
export function openIdConfiguration(origin: string): Record<string, unknown> {
  const base = `${origin}/${TENANT}`;
  return {
    issuer: `${base}/`,
    token_endpoint: `${base}/oauth2/token`,
    jwks_uri: `${base}/discovery/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    grant_types_supported: ['client_credentials'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['token'],
    subject_types_supported: ['pairwise'],
  };
}
