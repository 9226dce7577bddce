/** The accounts the reference server knows, and the target description's view of them (TARGET.md §3, §9). */

export type StartMessagingFault = 'invalidExchangeServerVersion' | 'tooManyGroups' | 'cannotRedirect';

export interface Account {
  uri: string;
  username: string;
  password: string;
  name: string;
  /** Fixture accounts whose startMessaging fails synchronously (D9). */
  fault?: StartMessagingFault;
  /** A Trusted Application API endpoint (reference/taa/): found by uri only, never signs in with a password. */
  taa?: true;
}

export const DOMAIN = 'example.com';
export const ONLINE_MEETING_URI = `sip:meeting-ref01@${DOMAIN};gruu;opaque=app:conf:focus:id:REF01`;

export function account(user: string, name: string, fault?: StartMessagingFault): Account {
  const a: Account = { uri: `sip:${user}@${DOMAIN}`, username: user, password: `${user}-Pa55word`, name };
  if (fault) a.fault = fault;
  return a;
}

/** Normal form of a SIP URI for lookups: lower-cased, without `;parameters`. */
export function sipKey(uri: string): string {
  const semi = uri.indexOf(';');
  return (semi < 0 ? uri : uri.slice(0, semi)).toLowerCase();
}

const SIP_URI = /^sip:[^@\s;]+@[^@\s;]+(;\S*)?$/i;

/** Whether a value is a SIP URI as the profile defines it (§1). */
export function isSipUri(value: string): boolean {
  return SIP_URI.test(value);
}

/** An account as a `--accounts` file lists it. */
export interface AccountEntry {
  uri: string;
  username: string;
  password: string;
  displayName?: string;
}

/**
 * Checks a list of accounts (a `--accounts` file's JSON), throwing a TypeError naming every bad entry and member;
 * a password is never part of a message. At least two entries (caller and callee).
 */
export function parseAccounts(value: unknown): Account[] {
  if (!Array.isArray(value)) throw new TypeError('accounts: must be a JSON array of {uri, username, password, displayName}');
  const problems: string[] = [];
  const seenUri = new Set<string>();
  const seenName = new Set<string>();
  const out: Account[] = [];
  value.forEach((entry: unknown, i) => {
    const at = `accounts[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const before = problems.length;
    for (const name of Object.keys(e)) {
      if (!['uri', 'username', 'password', 'displayName'].includes(name)) problems.push(`${at}.${name}: unknown member`);
    }
    if (typeof e.uri !== 'string' || !isSipUri(e.uri) || e.uri.includes(';')) problems.push(`${at}.uri: must be a SIP URI (sip:user@domain)`);
    else if (seenUri.has(sipKey(e.uri))) problems.push(`${at}.uri: listed twice`);
    if (typeof e.username !== 'string' || e.username.trim() === '') problems.push(`${at}.username: must be a non-empty string`);
    else if (seenName.has(e.username.toLowerCase())) problems.push(`${at}.username: listed twice`);
    if (typeof e.password !== 'string' || e.password === '') problems.push(`${at}.password: must be a non-empty string`);
    if (e.displayName !== undefined && typeof e.displayName !== 'string') problems.push(`${at}.displayName: must be a string`);
    if (problems.length > before) return;
    const uri = e.uri as string;
    const username = e.username as string;
    seenUri.add(sipKey(uri));
    seenName.add(username.toLowerCase());
    out.push({ uri, username, password: e.password as string, name: (e.displayName as string | undefined) ?? username });
  });
  if (problems.length === 0 && out.length < 2) problems.push('accounts: at least two entries (the first two are caller and callee)');
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  return out;
}

export class AccountDirectory {
  readonly caller: Account;
  readonly callee: Account;
  /** An account that signs in but is not available until it says so (absent with a custom list of two). */
  readonly unavailable: Account | undefined;
  readonly pairs: { caller: Account; callee: Account }[] = [];
  readonly fixtures = {
    invalidExchangeServerVersion: account('fx-exchange', 'Fixture Exchange', 'invalidExchangeServerVersion'),
    tooManyGroups: account('fx-groups', 'Fixture Groups', 'tooManyGroups'),
    cannotRedirect: account('fx-redirect', 'Fixture Redirect', 'cannotRedirect'),
  };
  private readonly byUri = new Map<string, Account>();
  private readonly byUsername = new Map<string, Account>();

  /**
   * The built-in accounts, or `custom` (checked by parseAccounts) instead: its first two are caller and callee, a
   * third the unavailable one, the rest pairs (an odd last one signs in but is in no pair). The fixture accounts of
   * the profile's error cases (fx-*) stay either way.
   */
  constructor(pairs: number, custom?: readonly Account[]) {
    if (custom) {
      [this.caller, this.callee, this.unavailable] = [custom[0]!, custom[1]!, custom[2]];
      for (let i = 3; i + 1 < custom.length; i += 2) this.pairs.push({ caller: custom[i]!, callee: custom[i + 1]! });
    } else {
      this.caller = account('alice', 'Alice');
      this.callee = account('bob', 'Bob');
      this.unavailable = account('carol', 'Carol');
      for (let i = 2; i < pairs + 2; i++) {
        this.pairs.push({ caller: account(`caller${i}`, `Caller ${i}`), callee: account(`callee${i}`, `Callee ${i}`) });
      }
    }
    const fixtures = Object.values(this.fixtures);
    for (const a of custom ?? []) {
      if (fixtures.some((f) => sipKey(f.uri) === sipKey(a.uri) || f.username === a.username.toLowerCase())) {
        throw new TypeError(`accounts: ${a.uri} / ${a.username} is a built-in fixture account's`);
      }
    }
    const all = [this.caller, this.callee, ...(this.unavailable ? [this.unavailable] : []),
      ...this.pairs.flatMap((p) => [p.caller, p.callee]), ...(custom ?? []).slice(3 + this.pairs.length * 2), ...fixtures];
    for (const a of all) {
      this.byUri.set(sipKey(a.uri), a);
      this.byUsername.set(a.username.toLowerCase(), a);
      this.byUsername.set(a.uri.slice(4).toLowerCase(), a);
    }
  }

  /** Every account, each once (for people search, outside the profile). */
  list(): Account[] {
    return [...new Set(this.byUri.values())];
  }

  /**
   * Adds an account (the TAA mode's further UCWA users and its endpoints); a TAA endpoint is found by uri only, so no
   * password grant ever names it. Throws a TypeError when the uri (or the user name) is taken.
   */
  add(a: Account): void {
    if (this.byUri.has(sipKey(a.uri))) throw new TypeError(`accounts: ${a.uri} is listed twice`);
    if (!a.taa && this.byUsername.has(a.username.toLowerCase())) throw new TypeError(`accounts: ${a.username} is listed twice`);
    this.byUri.set(sipKey(a.uri), a);
    if (a.taa) return;
    this.byUsername.set(a.username.toLowerCase(), a);
    this.byUsername.set(a.uri.slice(4).toLowerCase(), a);
  }

  /** The account a SIP URI names, if any. */
  findByUri(uri: string): Account | undefined {
    return this.byUri.get(sipKey(uri));
  }

  /** The account a sign-in name names (`alice`, `alice@example.com`), if any. */
  findByUsername(username: string): Account | undefined {
    return this.byUsername.get(username.toLowerCase().replace(/^sip:/, ''));
  }
}

/** An account as the target description lists it (literal password). */
export function describeAccount(a: Account): Record<string, string> {
  return { uri: a.uri, username: a.username, password: a.password };
}
