import { randomUUID } from 'node:crypto';

/** `s` as a literal inside a RegExp source (every metacharacter and `/` escaped). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A random value, unique per call, for threadId / operationId / endpointId: 32 hex digits (a version 4 UUID's 122
 * random bits). randomUUID draws from a buffer Node refills in bulk, where randomBytes(16) was one call into
 * OpenSSL each (a quick run's worker calls this thousands of times, long values many times over).
 */
export function unique(prefix = ''): string {
  return `${prefix}${randomUUID().replace(/-/g, '')}`;
}

/**
 * A string of exactly `length` UTF-16 code units made of `characters`: a quoted literal (`"a"`, `"é"`), a code point
 * (`U+1F600`), or `unique hex digits` (random, so that operationId and threadId stay unique).
 */
export function valueOfLength(length: number, characters: string): string {
  let unit: string;
  if (characters === 'unique hex digits') {
    let s = '';
    while (s.length < length) s += unique();
    return s.slice(0, length);
  }
  const quoted = /^"(.+)"$/u.exec(characters);
  const cp = /^U\+([0-9A-Fa-f]{4,6})$/.exec(characters);
  if (quoted) unit = quoted[1]!;
  else if (cp) unit = String.fromCodePoint(parseInt(cp[1]!, 16));
  else throw new Error(`suite defect: unknown characters ${characters}`);
  if (length % unit.length !== 0) throw new Error(`suite defect: ${length} is not a multiple of ${characters}'s ${unit.length} UTF-16 units`);
  return unit.repeat(length / unit.length);
}

/** Percent-encodes UTF-8 text for a data URI; a space becomes `%20` or, with `plusForSpace`, `+`; a plus is always `%2B`. */
export function percentEncode(text: string, plusForSpace = false): string {
  const out = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return plusForSpace ? out.replace(/%20/g, '+') : out;
}

/** A `text/plain` data URI of `text`: percent-encoded (space as `%20`), with `+` for a space, base64, or base64 with a charset. */
export function textDataUri(text: string, form: 'percent-encoded' | 'plus for space' | 'base64' | 'base64 with charset'): string {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  if (form === 'base64') return `data:text/plain;base64,${b64}`;
  if (form === 'base64 with charset') return `data:text/plain;charset=utf-8;base64,${b64}`;
  return `data:text/plain;charset=utf-8,${percentEncode(text, form === 'plus for space')}`;
}
