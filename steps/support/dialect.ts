/**
 * Rel spelling per dialect (PROFILE.md WIRE-3, D1, D19).
 *
 * The suite looks every rel up as ⟨name⟩ = relPrefix + name, and validates documents against schemas written in
 * bare names. `canonicalize` rewrites a received document into that bare form: a key or `rel` spelled for the
 * target's dialect loses its prefix; a key spelled any other way is marked with a leading `?` so that it satisfies
 * no schema requirement (a bare `accept` in the `ms:rtc:saas:` dialect must not count as ⟨accept⟩).
 */
export type RelPrefix = 'ms:rtc:saas:' | '' | 'service:';

export const RELPREFIXES: readonly RelPrefix[] = ['ms:rtc:saas:', '', 'service:'];

/** Names that are never prefixed, in any dialect. */
export const UNPREFIXED: ReadonlySet<string> = new Set(['self', 'next', 'resync', 'resume', 'customContent']);

/** ⟨name⟩: the rel `name` spelled in the dialect. */
export function rel(prefix: RelPrefix, name: string): string {
  return UNPREFIXED.has(name) ? name : prefix + name;
}

/** The bare name of a received rel spelling, or `?spelling` when it is not spelled for this dialect. */
export function bareName(prefix: RelPrefix, spelling: string): string {
  if (UNPREFIXED.has(spelling)) return spelling;
  if (prefix === '') return /^(ms:rtc:saas:|service:)/.test(spelling) ? `?${spelling}` : spelling;
  if (spelling.startsWith(prefix)) {
    const name = spelling.slice(prefix.length);
    return UNPREFIXED.has(name) ? `?${spelling}` : name;
  }
  return `?${spelling}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function renameKeys(o: Record<string, unknown>, prefix: RelPrefix, inner: (v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[bareName(prefix, k)] = inner(v);
  return out;
}

/**
 * A deep copy of a resource, event batch or event with every dialect-spelled rel (keys of `_links` and `_embedded`,
 * `rel` properties, and `link`/`in`/`sender` rels in events) rewritten to its bare name. Other members are untouched.
 */
export function canonicalize(doc: unknown, prefix: RelPrefix): unknown {
  if (Array.isArray(doc)) return doc.map((d) => canonicalize(d, prefix));
  if (!isObject(doc)) return doc;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_links' && isObject(v)) out[k] = renameKeys(v, prefix, (x) => x);
    else if (k === '_embedded' && isObject(v)) out[k] = renameKeys(v, prefix, (x) => canonicalize(x, prefix));
    else if (k === 'rel' && typeof v === 'string') out[k] = bareName(prefix, v);
    else out[k] = canonicalize(v, prefix);
  }
  return out;
}
