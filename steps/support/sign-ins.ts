import type { Doc } from './links';
import type { Account, Target } from './target';

/**
 * What signing in learnt, kept by a worker process for the next scenarios of the same account — as a UCWA or TAA
 * client keeps its token and its discovered URLs instead of signing in before every operation. PROFILE.md's
 * triggers for the set-up requirements are per account (TDISC-1, TAPP-1, TAPP-2: "per TAA account"); before this,
 * every scenario discovered, obtained a token and read its documents again: 4 to 5 requests per session, about 30 %
 * of a quick run's exchanges.
 *
 * Kept: UCWA — the user URL, the token endpoint, the token and the ⟨applications⟩ link; TAA — the token, the
 * ⟨applications⟩ link and the application resource with its ⟨communication⟩. Never kept: applications (a fresh one
 * per scenario, APP-1), event channels, invitations.
 *
 * A remembered sign-in is used
 *  - only by a scenario that does not check a set-up requirement or a property of every exchange (fresh: DISC,
 *    AUTH, SEC, WIRE, TDISC, TAUTH, TAPP), so each of those sees its own discovery, grant and documents;
 *  - while its token has more than half its lifetime (`expires_in`) left, and for at most REUSE_AT_MOST_MS;
 *  - until a request with its token is answered 401: that sign-in is forgotten and the next scenario signs in again.
 * Entries belong to one parsed target (a new description, a new self-test variant: nothing carried over).
 */
export const REUSE_AT_MOST_MS = 10 * 60_000;

/** Requirement families whose scenarios sign in afresh: they check what signing in does. */
export function signsInAfresh(requirementIds: readonly string[]): boolean {
  return requirementIds.some((id) => /^(DISC|AUTH|SEC|WIRE|TDISC|TAUTH|TAPP)-\d+$/.test(id));
}

export interface UcwaSignIn {
  userUrl: string;
  tokenUrl?: string;
  token: string;
  applicationsUrl: string;
}

export interface TaaSignIn {
  token: string;
  applicationsUrl: string;
  application: Doc;
  communication: Record<string, unknown>;
}

type Kind = 'ucwa' | 'taa';
interface Entry {
  value: UcwaSignIn | TaaSignIn;
  until: number;
}

const byTarget = new WeakMap<Target, Map<string, Entry>>();

function entries(target: Target): Map<string, Entry> {
  let m = byTarget.get(target);
  if (!m) byTarget.set(target, (m = new Map()));
  return m;
}

function keyOf(kind: Kind, account: Account): string {
  return `${kind} ${account.transport} ${account.uri} ${account.username ?? ''} ${account.clientId ?? ''}`;
}

/** Until when a sign-in whose token lives `expiresIn` seconds (a number or a string of digits) may be reused. */
export function reuseUntil(expiresIn: unknown, now = Date.now()): number {
  const s = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : undefined;
  const half = s !== undefined && s > 0 ? (s * 1000) / 2 : REUSE_AT_MOST_MS;
  return now + Math.min(half, REUSE_AT_MOST_MS);
}

export function recall(target: Target, kind: 'ucwa', account: Account): UcwaSignIn | undefined;
export function recall(target: Target, kind: 'taa', account: Account): TaaSignIn | undefined;
export function recall(target: Target, kind: Kind, account: Account): UcwaSignIn | TaaSignIn | undefined {
  const m = entries(target);
  const k = keyOf(kind, account);
  const e = m.get(k);
  if (!e) return undefined;
  if (Date.now() >= e.until) {
    m.delete(k);
    return undefined;
  }
  return e.value;
}

export function remember(target: Target, kind: 'ucwa', account: Account, value: UcwaSignIn, until: number): void;
export function remember(target: Target, kind: 'taa', account: Account, value: TaaSignIn, until: number): void;
export function remember(target: Target, kind: Kind, account: Account, value: UcwaSignIn | TaaSignIn, until: number): void {
  entries(target).set(keyOf(kind, account), { value, until });
}

/** A request with `token` was answered 401: every sign-in holding it is forgotten. */
export function forgetToken(target: Target, token: string): void {
  const m = byTarget.get(target);
  if (!m) return;
  for (const [k, e] of m) if (e.value.token === token) m.delete(k);
}
