/** The accounts the reference server knows, and the target description's view of them (TARGET.md §3, §9). */

export type StartMessagingFault = 'invalidExchangeServerVersion' | 'tooManyGroups' | 'cannotRedirect';

export interface Account {
  uri: string;
  username: string;
  password: string;
  name: string;
  /** Fixture accounts whose startMessaging fails synchronously (D9). */
  fault?: StartMessagingFault;
}

export const DOMAIN = 'example.com';
export const ONLINE_MEETING_URI = `sip:meeting-ref01@${DOMAIN};gruu;opaque=app:conf:focus:id:REF01`;

function account(user: string, name: string, fault?: StartMessagingFault): Account {
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

export class AccountDirectory {
  readonly caller = account('alice', 'Alice');
  readonly callee = account('bob', 'Bob');
  readonly unavailable = account('carol', 'Carol');
  readonly pairs: { caller: Account; callee: Account }[] = [];
  readonly fixtures = {
    invalidExchangeServerVersion: account('fx-exchange', 'Fixture Exchange', 'invalidExchangeServerVersion'),
    tooManyGroups: account('fx-groups', 'Fixture Groups', 'tooManyGroups'),
    cannotRedirect: account('fx-redirect', 'Fixture Redirect', 'cannotRedirect'),
  };
  private readonly byUri = new Map<string, Account>();
  private readonly byUsername = new Map<string, Account>();

  constructor(pairs: number) {
    for (let i = 2; i < pairs + 2; i++) {
      this.pairs.push({ caller: account(`caller${i}`, `Caller ${i}`), callee: account(`callee${i}`, `Callee ${i}`) });
    }
    const all = [this.caller, this.callee, this.unavailable, ...this.pairs.flatMap((p) => [p.caller, p.callee]),
      ...Object.values(this.fixtures)];
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
