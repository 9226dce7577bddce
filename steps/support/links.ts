import { rel, type RelPrefix } from './dialect';

/** A JSON document together with the URL of the response that carried it (the base for its relative hrefs). */
export interface Doc {
  url: string;
  body: Record<string, unknown>;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolutions made recently, by base and href: the steps, the event readers and the checks resolve the same hrefs
 * again and again (a quick run's worker spent ~60 ms of CPU in `new URL`); bounded, emptied when full.
 */
const resolved = new Map<string, Map<string, string | undefined>>();
let resolvedCount = 0;
const RESOLVED_AT_MOST = 20_000;

/** Resolves an href against a base URL (RFC 3986); undefined when it is not a usable string. */
export function resolveHref(href: unknown, base: string): string | undefined {
  if (typeof href !== 'string' || href === '') return undefined;
  let known = resolved.get(base);
  if (known?.has(href)) return known.get(href);
  let out: string | undefined;
  try {
    out = new URL(href, base).href;
  } catch {
    out = undefined;
  }
  if (resolvedCount >= RESOLVED_AT_MOST) {
    resolved.clear();
    resolvedCount = 0;
    known = undefined;
  }
  if (!known) resolved.set(base, (known = new Map()));
  known.set(href, out);
  resolvedCount++;
  return out;
}

function hrefOf(v: unknown): unknown {
  const one = Array.isArray(v) ? v[0] : v;
  return isObject(one) ? one.href : undefined;
}

/** The resolved href of `_links[⟨name⟩]` (the first one when it is an array), or undefined. */
export function link(doc: Doc, prefix: RelPrefix, name: string): string | undefined {
  const links = doc.body._links;
  return isObject(links) ? resolveHref(hrefOf(links[rel(prefix, name)]), doc.url) : undefined;
}

/** The raw href of `_links[⟨name⟩]` without resolving it (data URIs), or undefined. */
export function rawHref(body: Record<string, unknown>, prefix: RelPrefix, name: string): string | undefined {
  const links = body._links;
  const h = isObject(links) ? hrefOf(links[rel(prefix, name)]) : undefined;
  return typeof h === 'string' ? h : undefined;
}

/** Whether `_links[⟨name⟩]` is present. */
export function hasLink(body: Record<string, unknown>, prefix: RelPrefix, name: string): boolean {
  const links = body._links;
  return isObject(links) && links[rel(prefix, name)] !== undefined;
}

/** `_embedded[⟨name⟩]` as found (object, array or undefined). */
export function embedded(body: Record<string, unknown>, prefix: RelPrefix, name: string): unknown {
  const e = body._embedded;
  return isObject(e) ? e[rel(prefix, name)] : undefined;
}

/**
 * Adds a query parameter with a URL builder that keeps the existing query: the one client-side URL change the
 * profile allows besides the probe URL (WIRE-4, SM-4).
 */
export function withQueryParameter(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.append(name, value);
  return u.href;
}

/** The probe URL of ERR-6: `x404` appended to the last path segment, query unchanged. */
export function probeUrl(url: string): string {
  const u = new URL(url);
  u.pathname = u.pathname.endsWith('/') ? `${u.pathname.slice(0, -1)}x404/` : `${u.pathname}x404`;
  return u.href;
}

/** Decodes a data URI (RFC 2397): base64 or percent-encoded, where `+` stands for a space (WIRE-5). */
export function decodeDataUri(uri: string): Buffer | undefined {
  const m = /^data:([^,]*),(.*)$/s.exec(uri);
  if (!m) return undefined;
  const meta = m[1] ?? '';
  const data = m[2] ?? '';
  if (/;base64$/i.test(meta)) return Buffer.from(data, 'base64');
  const bytes: number[] = [];
  for (const token of data.match(/%[0-9a-fA-F]{2}|[\s\S]/gu) ?? []) {
    if (token.length === 3 && token.startsWith('%')) bytes.push(parseInt(token.slice(1), 16));
    else bytes.push(...Buffer.from(token === '+' ? ' ' : token, 'utf8'));
  }
  return Buffer.from(bytes);
}
