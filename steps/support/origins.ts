/**
 * Where credentials may go (TARGET.md §11): the one place that decides whether a URL is on a trusted origin.
 * Both clients ask it before sending a password grant, a client-credentials grant or an `Authorization` header; the
 * list holds the origins of `discoveryUrl`, `taa.discoverUrl` and `taa.token.url` and the `trustedOrigins` entries.
 */

/** An origin pattern as the target description gives it, parsed: scheme, host (or `*.` suffix) and port. */
interface Pattern {
  /** as shown in reports: the serialised origin, `*.` kept */
  text: string;
  protocol: string;
  /** the host, lower case; for a `*.` pattern the part after `*.` */
  host: string;
  wildcard: boolean;
  /** '' for the scheme's default port, as the URL standard serialises it */
  port: string;
}

/** The shape `trustedOrigins` entries must have (TARGET.md §7). */
export const ORIGIN_PATTERN = /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** Parses one entry; throws an Error saying why it is not an origin pattern. */
function parsePattern(entry: string): Pattern {
  if (!ORIGIN_PATTERN.test(entry)) throw new Error('must be an origin such as "https://lyncweb.contoso.example" or "https://*.contoso.example" (scheme, host, optional port; no path)');
  const wildcard = /^https?:\/\/\*\./.test(entry);
  // The URL parser applies the standard's rules: lower-case host, default port dropped, invalid hosts refused.
  let url: URL;
  try {
    url = new URL(wildcard ? entry.replace('*.', 'wildcard.') : entry);
  } catch {
    throw new Error('is not a valid origin (the host or port cannot be parsed)');
  }
  const host = wildcard ? url.hostname.slice('wildcard.'.length) : url.hostname;
  if (!host || host.startsWith('.') || host.endsWith('.') || host.includes('..')) throw new Error('has an empty host label');
  return { text: `${url.protocol}//${wildcard ? '*.' : ''}${host}${url.port ? `:${url.port}` : ''}`, protocol: url.protocol, host, wildcard, port: url.port };
}

/** Checks entries without building a list: one message per bad entry, for the target loader. */
export function originProblems(entries: readonly string[], member: string): string[] {
  const out: string[] = [];
  entries.forEach((e, i) => {
    try {
      parsePattern(e);
    } catch (err) {
      out.push(`${member}[${i}]: ${JSON.stringify(e)} ${(err as Error).message}`);
    }
  });
  return out;
}

/** The origin of a URL as the URL standard serialises it, or undefined for a URL that does not parse. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The trusted origins of one target: the origins of the URLs the description itself names, and its patterns. */
export class TrustedOrigins {
  private readonly patterns: Pattern[];

  /**
   * `fixed`: absolute URLs whose origins are trusted (`discoveryUrl`, `taa.discoverUrl`, `taa.token.url`);
   * `listed`: the `trustedOrigins` entries (validated by the loader; a bad one throws here).
   */
  constructor(fixed: readonly string[], listed: readonly string[] = []) {
    const patterns: Pattern[] = [];
    for (const u of fixed) {
      const o = originOf(u);
      if (o && o !== 'null') patterns.push(parsePattern(o));
    }
    for (const e of listed) patterns.push(parsePattern(e));
    const seen = new Set<string>();
    this.patterns = patterns.filter((p) => !seen.has(p.text) && !!seen.add(p.text));
  }

  /** The trusted origins as the reports list them. */
  get list(): string[] {
    return this.patterns.map((p) => p.text);
  }

  /** Whether credentials may be sent to `url`: its scheme, host and port match a trusted origin. */
  allows(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    const host = u.hostname;
    return this.patterns.some(
      (p) => p.protocol === u.protocol && p.port === u.port && (p.wildcard ? host.length > p.host.length + 1 && host.endsWith(`.${p.host}`) : host === p.host),
    );
  }

  /** The sentence a run prints when it meets `url` needing a credential on an untrusted origin. */
  refusal(url: string, what: string): string {
    const origin = originOf(url) ?? url;
    return `untrusted origin: ${what} to ${url} was not sent, because its origin ${origin} is not trusted (trusted: ${this.list.join(', ') || 'none'}); add "${origin}" to trustedOrigins in the target description to allow it`;
  }
}
