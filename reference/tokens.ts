/** Bearer tokens issued by the password grant, bound to their account, with expiry (AUTH-1, AUTH-4). */
import { randomBytes } from 'node:crypto';
import type { Account } from './accounts';
import { type FaultSet, NO_FAULTS } from './faults';

/** Default lifetime of a bearer token; `tokenLifetimeSeconds` changes it (expires_in says the value in force). */
export const TOKEN_LIFETIME_SECONDS = 3600;

export class TokenStore {
  private readonly tokens = new Map<string, { account: Account; expiresAt: number }>();
  /** Only the unknown-token fault uses it. */
  private lastIssued: Account | undefined;

  constructor(
    private readonly faults: FaultSet = NO_FAULTS,
    readonly lifetimeSeconds: number = TOKEN_LIFETIME_SECONDS,
  ) {}

  issue(account: Account): string {
    const token = `ref-${randomBytes(24).toString('base64url')}`;
    this.lastIssued = account;
    this.tokens.set(token, { account, expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    return token;
  }

  /** The account an `Authorization` header authenticates, if any. */
  authenticate(authorization: string | undefined): Account | undefined {
    if (authorization === undefined || authorization.length < 8) return undefined;
    if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const token = authorization.slice(7).trim();
    const entry = this.tokens.get(token);
    if (entry === undefined) return this.faults.has('unknown-token-accepted') ? this.lastIssued : undefined;
    if (entry.expiresAt <= Date.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.account;
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
