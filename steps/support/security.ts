import { header, objectBody } from './client';
import type { EventSource, ReceivedBatch } from './events';
import type { Exchange } from './exchange';
import { isObject, resolveHref } from './links';
import { escapeRegExp } from './values';
import type { ConformanceWorld } from './world';

/** Every string of a JSON value with the member name it sits under (`''` inside arrays at the top). */
function strings(v: unknown, key = '', out: { key: string; value: string }[] = []): { key: string; value: string }[] {
  if (typeof v === 'string') out.push({ key, value: v });
  else if (Array.isArray(v)) for (const x of v) strings(x, key, out);
  else if (isObject(v)) for (const [k, x] of Object.entries(v)) strings(x, k, out);
  return out;
}

/** Whether `href` is `url` or names a resource beneath it (`url/…`, `url?…`). */
function names(href: string, url: string): boolean {
  return href === url || href.startsWith(`${url}/`) || href.startsWith(`${url}?`);
}

/**
 * SEC-2: where a channel's batches mention one of `urls` (an href resolving to it or beneath it, or the absolute
 * URL inside any string) or one of `texts`; one line per finding, with the batch.
 */
export function mentions(ch: EventSource, urls: readonly string[], texts: readonly string[] = []): { what: string; batch: ReceivedBatch }[] {
  const out: { what: string; batch: ReceivedBatch }[] = [];
  for (const batch of ch.batches) {
    const body = objectBody(batch.exchange);
    const found = new Set<string>();
    for (const { key, value } of strings(body)) {
      const resolved = key === 'href' ? resolveHref(value, batch.url) : undefined;
      for (const url of urls) if ((resolved && names(resolved, url)) || value.includes(url)) found.add(url);
      for (const t of texts) if (value.includes(t)) found.add(t);
    }
    for (const f of found) out.push({ what: `batch #${batch.seq} mentions ${f}`, batch });
  }
  return out;
}

/** The exchanges that answered a password grant at a token endpoint (SEC-4 exempts them). */
function isTokenResponse(x: Exchange, tokenUrls: ReadonlySet<string>): boolean {
  return x.method === 'POST' && (tokenUrls.has(x.url) || /(^|&)grant_type=/.test(x.requestBody ?? ''));
}

/** Labelled secrets of 8 or more characters: the target description's passwords and tokens, and the issued tokens. */
export function secrets(w: ConformanceWorld): { label: string; value: string }[] {
  const out = w.target.secrets.map((value) => ({ label: 'a password or token of the target description', value }));
  for (const [role, u] of w.users) if (u.token) out.push({ label: `the token issued to the ${role}`, value: u.token });
  for (const [role, a] of w.apps) if (a.transport === 'taa' && a.user.token && a.user.token !== a.user.account.token) out.push({ label: `the token issued to the ${role} (TAA)`, value: a.user.token });
  for (const app of w.extras?.apps ?? []) if (app.user.token) out.push({ label: `the token issued to the ${app.user.role}`, value: app.user.token });
  return out.filter((s) => s.value.length >= 8);
}

/** One alternation of `values` (and their URL-encoded forms): V8 runs it ~15 times faster than a search per value. */
function alternation(values: readonly string[]): RegExp | undefined {
  const forms = [...new Set(values.flatMap((v) => [v, encodeURIComponent(v)]))];
  return forms.length ? new RegExp(forms.map(escapeRegExp).join('|')) : undefined;
}

/**
 * The description's secrets as one alternation, built once per parsed target: a run's description has dozens of
 * accounts, and compiling their alternation for every scenario cost a quick run ~0.1 s of the worker's CPU.
 */
const describedSecrets = new WeakMap<ConformanceWorld['target'], RegExp | null>();
function describedAlternation(target: ConformanceWorld['target']): RegExp | undefined {
  let re = describedSecrets.get(target);
  if (re === undefined) describedSecrets.set(target, (re = alternation(target.secrets.filter((v) => v.length >= 8)) ?? null));
  return re ?? undefined;
}

/** SEC-4: every response (headers and body) other than a token response that contains a secret, with the secret's label. */
export function secretLeaks(w: ConformanceWorld): { label: string; where: string; exchange: Exchange }[] {
  const list = secrets(w);
  const tokenUrls = new Set([...w.users.values()].map((u) => u.tokenUrl).filter((u): u is string => !!u));
  const out: { label: string; where: string; exchange: Exchange }[] = [];
  const forms = list.map((s) => ({ ...s, encoded: encodeURIComponent(s.value) }));
  const found = (text: string, s: (typeof forms)[number]) => text.includes(s.value) || (s.encoded !== s.value && text.includes(s.encoded));
  // whether a response holds any secret: the description's in one alternation compiled once per target, the few
  // issued in this scenario searched for one by one; the labelled search runs only on a hit
  const described = describedAlternation(w.target);
  const describedValues = new Set(w.target.secrets);
  const issued = forms.filter((f) => !describedValues.has(f.value));
  const holdsAny = (text: string) => described?.test(text) || issued.some((f) => found(text, f));
  for (const x of w.client.exchanges) {
    if (isTokenResponse(x, tokenUrls)) continue;
    const parts: [string, string][] = Object.entries(x.responseHeaders)
      .filter((e): e is [string, string | string[]] => e[1] !== undefined)
      .map(([k, v]) => [`header ${k}`, Array.isArray(v) ? v.join('\n') : v]);
    if (x.responseBody) parts.push(['body', x.responseBody]);
    if (!parts.some(([, text]) => holdsAny(text))) continue;
    for (const s of forms) for (const [where, text] of parts) if (found(text, s)) out.push({ label: s.label, where, exchange: x });
  }
  return out;
}

/** SEC-5: the discovery URL, every URL requested, every Location and every href received that uses plain http. */
export function plainHttpUrls(w: ConformanceWorld): { url: string; exchange?: Exchange }[] {
  const seen = new Map<string, Exchange | undefined>();
  const note = (u: string | undefined, x?: Exchange) => {
    if (u && /^http:/i.test(u) && !seen.has(u)) seen.set(u, x);
  };
  note(w.target.discoveryUrl);
  for (const x of w.client.exchanges) {
    note(x.url, x);
    note(resolveHref(header(x, 'location'), x.url), x);
    const body = objectBody(x);
    for (const { key, value } of strings(body)) if (key === 'href') note(resolveHref(value, x.url), x);
  }
  return [...seen].map(([url, exchange]) => ({ url, ...(exchange ? { exchange } : {}) }));
}
