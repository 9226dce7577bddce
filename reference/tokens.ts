/** Bearer tokens issued by the password grant, bound to their account, with expiry (AUTH-1, AUTH-4). */
import { randomBytes } from 'node:crypto';
import type { Account } from './accounts';

/** Default lifetime of a bearer token; `tokenLifetimeSeconds` changes it (expires_in says the value in force). */
export const TOKEN_LIFETIME_SECONDS = 3600;

const bearer = (authorization: string): string => authorization.slice(7).trim();

export class TokenStore {
  private readonly tokens = new Map<string, { account: Account; expiresAt: number }>();
  /** The account of the latest token issued. */
  latest: Account | undefined;

  constructor(readonly lifetimeSeconds: number = TOKEN_LIFETIME_SECONDS) {}

  issue(account: Account): string {
    const token = `ref-${randomBytes(24).toString('base64url')}`;
    this.latest = account;
    this.tokens.set(token, { account, expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    return token;
  }

  /** The account an `Authorization` header authenticates, if any. */
  authenticate(authorization: string | undefined): Account | undefined {
    if (authorization === undefined || authorization.length < 8) return undefined;
    if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const entry = this.tokens.get(bearer(authorization));
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.tokens.delete(bearer(authorization));
      return undefined;
    }
    return entry.account;
  }

  /** Whether a bearer token was issued by this store and not yet forgotten (expired ones until detected or swept). */
  holds(authorization: string | undefined): boolean {
    return authorization !== undefined && authorization.slice(0, 7).toLowerCase() === 'bearer ' && this.tokens.has(bearer(authorization));
  }

  /** How many tokens are held (expired ones until the next sweep). */
  get size(): number {
    return this.tokens.size;
  }

  /** Forgets expired tokens. */
  sweep(now: number): void {
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}
