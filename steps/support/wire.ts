import { TaaSession } from './taa/session';
import type { TaaExchange } from './taa/client';
import { header, msRtcOAuthChallenge, objectBody } from './client';
import { bareName, canonicalize, rel, type RelPrefix } from './dialect';
import type { Exchange } from './exchange';
import { isObject, resolveHref } from './links';
import { jsonMediaTypeProblem } from './media';
import { validate } from './schemas';
import { allRepresentations } from './flow';
import type { ConformanceWorld, Role } from './world';

/** One thing found wrong, with the exchange that showed it. */
export interface Problem {
  what: string;
  exchange?: Exchange;
}

const RESOURCE_SCHEMA = 'urn:ucwa-conformance:resource:1';
const ROLES: readonly Role[] = ['caller', 'callee'];

function isEventExchange(x: Exchange): boolean {
  return x.who.endsWith('(events)');
}

/** WIRE-1: every answered request except 401 whose body is non-empty is UTF-8 JSON labelled application/json. */
export function mediaTypeProblems(exchanges: readonly Exchange[]): Problem[] {
  const out: Problem[] = [];
  for (const x of exchanges) {
    if (x.status === undefined || x.status === 401 || !x.responseBody || x.truncated) continue;
    const where = `#${x.seq} ${x.method} answered ${x.status}`;
    const type = jsonMediaTypeProblem(x);
    if (type) out.push({ what: `${where}: ${type} instead of application/json`, exchange: x });
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(header(x, 'content-type') ?? '')?.[1];
    if (charset && charset.toLowerCase().replace('-', '') !== 'utf8') out.push({ what: `${where}: charset ${charset} instead of UTF-8`, exchange: x });
    try {
      JSON.parse(x.responseBody);
    } catch {
      out.push({ what: `${where}: the body is not JSON`, exchange: x });
    }
  }
  return out;
}

/** The application-API exchanges of the scenario: authenticated, not the user resource, not the event channel. */
export function applicationApiExchanges(w: ConformanceWorld): Exchange[] {
  const userUrls = new Set([...w.users.values()].map((u) => u.userUrl));
  return w.client.exchanges.filter((x) => x.requestHeaders.Authorization !== undefined && !userUrls.has(x.url) && !isEventExchange(x));
}

/** The event batches (parsed) of both channels, with their exchange. */
function batches(w: ConformanceWorld): { body: Record<string, unknown>; exchange: Exchange; role: Role }[] {
  const out: { body: Record<string, unknown>; exchange: Exchange; role: Role }[] = [];
  for (const role of ROLES)
    for (const b of w.apps.get(role)?.channel?.batches ?? []) {
      const body = objectBody(b.exchange);
      if (body) out.push({ body, exchange: b.exchange, role });
    }
  return out;
}

function events(batch: Record<string, unknown>): Record<string, unknown>[] {
  const senders = Array.isArray(batch.sender) ? batch.sender : [];
  return senders.flatMap((s) => (isObject(s) && Array.isArray(s.events) ? s.events.filter(isObject) : []));
}

/** WIRE-2: every 200/201 application-API body and every `_embedded` value of an event has the resource shape. */
export function shapeProblems(w: ConformanceWorld): Problem[] {
  const out: Problem[] = [];
  for (const x of applicationApiExchanges(w)) {
    if ((x.status !== 200 && x.status !== 201) || !x.responseBody?.trim()) continue;
    const body = objectBody(x);
    const problems = body ? validate(RESOURCE_SCHEMA, canonicalize(body, w.prefix)) : ['not a JSON object'];
    for (const p of problems) out.push({ what: `#${x.seq} ${x.method} answered ${x.status}: ${p}`, exchange: x });
  }
  for (const b of batches(w))
    for (const e of events(b.body)) {
      if (!isObject(e._embedded)) continue;
      for (const [key, value] of Object.entries(e._embedded))
        for (const [i, one] of (Array.isArray(value) ? value : [value]).entries())
          for (const p of validate(RESOURCE_SCHEMA, canonicalize(one, w.prefix)))
            out.push({ what: `${b.role}'s ${String(e.type)} event, _embedded["${key}"]${Array.isArray(value) ? `[${i}]` : ''}: ${p}`, exchange: b.exchange });
    }
  return out;
}

function misspelt(prefix: RelPrefix, spelling: unknown): boolean {
  return typeof spelling === 'string' && bareName(prefix, spelling).startsWith('?');
}

/** WIRE-3 in one resource: `rel`, `_links` and `_embedded` keys, recursively through embedded resources. */
function resourceRelProblems(prefix: RelPrefix, r: unknown, where: string, out: string[]): void {
  if (!isObject(r)) return;
  if (misspelt(prefix, r.rel)) out.push(`${where}.rel ${JSON.stringify(r.rel)}`);
  if (isObject(r._links)) for (const k of Object.keys(r._links)) if (misspelt(prefix, k)) out.push(`${where}._links key ${JSON.stringify(k)}`);
  if (isObject(r._embedded))
    for (const [k, v] of Object.entries(r._embedded)) {
      if (misspelt(prefix, k)) out.push(`${where}._embedded key ${JSON.stringify(k)}`);
      for (const one of Array.isArray(v) ? v : [v]) resourceRelProblems(prefix, one, `${where}._embedded[${JSON.stringify(k)}]`, out);
    }
}

/** WIRE-3: every rel of application-API bodies and event batches is spelled for the target's dialect. */
export function relProblems(w: ConformanceWorld): Problem[] {
  const out: Problem[] = [];
  const p = w.prefix;
  for (const x of applicationApiExchanges(w)) {
    const body = objectBody(x);
    if (!body || x.status === undefined || x.status >= 400) continue;
    const found: string[] = [];
    resourceRelProblems(p, body, 'body', found);
    for (const f of found) out.push({ what: `#${x.seq} ${x.method} answered ${x.status}: ${f}`, exchange: x });
  }
  for (const b of batches(w)) {
    const found: string[] = [];
    if (isObject(b.body._links)) for (const k of Object.keys(b.body._links)) if (misspelt(p, k)) found.push(`batch _links key ${JSON.stringify(k)}`);
    for (const s of Array.isArray(b.body.sender) ? b.body.sender : []) {
      if (!isObject(s)) continue;
      if (misspelt(p, s.rel)) found.push(`sender rel ${JSON.stringify(s.rel)}`);
      for (const e of Array.isArray(s.events) ? s.events : []) {
        if (!isObject(e)) continue;
        if (isObject(e.link) && misspelt(p, e.link.rel)) found.push(`event link.rel ${JSON.stringify(e.link.rel)}`);
        if (isObject(e.in) && misspelt(p, e.in.rel)) found.push(`event in.rel ${JSON.stringify(e.in.rel)}`);
        resourceRelProblems(p, { _embedded: e._embedded }, `${String(e.type)} event`, found);
      }
    }
    for (const f of found) out.push({ what: `the ${b.role}'s batch #${b.exchange.seq}: ${f}`, exchange: b.exchange });
  }
  return out;
}

const DISCOVERY_RELS = ['user', 'redirect', 'applications'];

/** WIRE-3: the discovery root and user documents link `user`/`redirect`/`applications` with bare rels only. */
export function discoveryRelProblems(w: ConformanceWorld): Problem[] {
  const out: Problem[] = [];
  const userUrls = new Set([...w.users.values()].map((u) => u.userUrl));
  // the TAA discovery document keys ⟨applications⟩ with the prefix (D38): checked apart, the bare extras ignored
  const taaDiscover = new Set(
    [...w.apps.values()].flatMap((a) => (a instanceof TaaSession && a.discoverExchange ? [a.discoverExchange.url, ...((a.discoverExchange as TaaExchange).hops ?? []).map((h) => h.url)] : [])),
  );
  const taaDocs = w.client.exchanges.filter((x) => x.method === 'GET' && x.status === 200 && taaDiscover.has(x.url));
  for (const x of taaDocs) {
    const links = objectBody(x)?._links;
    if (!isObject(links) || links[rel(w.prefix, 'applications')] === undefined)
      out.push({ what: `#${x.seq} GET: the TAA discovery document has no ${JSON.stringify(rel(w.prefix, 'applications'))} link`, exchange: x });
  }
  const docs = w.client.exchanges.filter(
    (x) => !taaDiscover.has(x.url) && x.url !== w.target.taa?.callbackAuth.jwksUrl && x.method === 'GET' && x.status === 200 && !/ \(callbacks\)$/.test(x.who) && (x.requestHeaders.Authorization === undefined ? !isEventExchange(x) : userUrls.has(x.url)),
  );
  if (!docs.length && !taaDocs.length) out.push({ what: 'no discovery document was read' });
  for (const x of docs) {
    const links = objectBody(x)?._links;
    const keys = isObject(links) ? Object.keys(links) : [];
    for (const k of keys)
      if (k !== k.replace(/^(ms:rtc:saas:|service:)/, '') && DISCOVERY_RELS.includes(k.replace(/^(ms:rtc:saas:|service:)/, '')))
        out.push({ what: `#${x.seq} GET: _links key ${JSON.stringify(k)} instead of the bare name`, exchange: x });
    const bare = keys.filter((k) => DISCOVERY_RELS.includes(k));
    if (!bare.length) out.push({ what: `#${x.seq} GET: none of the bare rels user, redirect, applications among ${JSON.stringify(keys)}`, exchange: x });
  }
  return out;
}

function collectHrefs(v: unknown, base: string, into: Set<string>): void {
  if (Array.isArray(v)) for (const one of v) collectHrefs(one, base, into);
  else if (isObject(v))
    for (const [k, value] of Object.entries(v)) {
      if (k === 'href' && typeof value === 'string') {
        const u = resolveHref(value, base);
        if (u && /^https?:/.test(u)) into.add(u);
      } else collectHrefs(value, base, into);
    }
}

/**
 * WIRE-4: every request went to `discoveryUrl` or to a URL an earlier answer gave (a `_links`/event href resolved
 * against that answer's URL, a `Location` resolved against its request URL, the MsRtcOAuth `href`), and no such
 * URL was answered 404.
 */
export function urlProblems(w: ConformanceWorld): Problem[] {
  const out: Problem[] = [];
  const taa = w.target.taa;
  const known = new Set<string>([w.target.discoveryUrl, ...(taa ? [taa.discoverUrl, ...(taa.token ? [taa.token.url] : [])] : [])].map((u) => new URL(u).href));
  // the one URL the TAA client builds: ⟨applications⟩ with endpointId added (TAPP-1, D39)
  const built = (url: string) => {
    const u = new URL(url);
    if (!u.searchParams.has('endpointId')) return false;
    const values = u.searchParams.getAll('endpointId');
    u.searchParams.delete('endpointId');
    for (const v of values.slice(0, -1)) u.searchParams.append('endpointId', v);
    return known.has(u.href);
  };
  for (const x of w.client.exchanges) {
    if (/ \(callbacks\)$/.test(x.who)) {
      // a callback the receiver got: not a request of the suite; its hrefs resolve against its baseuri (CB-2)
      let body: Record<string, unknown> | undefined;
      try {
        const b = JSON.parse(x.requestBody ?? '') as unknown;
        body = typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const base = body && typeof body.baseuri === 'string' ? resolveHref(body.baseuri, x.url) ?? x.url : x.url;
      if (body) collectHrefs(body, base, known);
      continue;
    }
    if (!known.has(x.url) && !built(x.url)) out.push({ what: `#${x.seq} ${x.method} ${x.url} was not given by any earlier answer`, exchange: x });
    else if (x.status === 404) out.push({ what: `#${x.seq} ${x.method} ${x.url}, an href the target gave, was answered 404`, exchange: x });
    const location = resolveHref(header(x, 'location'), x.url);
    if (location) known.add(location);
    const challenge = x.status === 401 ? msRtcOAuthChallenge(x)?.href : undefined;
    const token = resolveHref(challenge, x.url);
    if (token) known.add(token);
    const body = objectBody(x);
    if (body) collectHrefs(body, x.url, known);
  }
  return out;
}

const ENUMS: Record<string, readonly string[]> = {
  direction: ['Incoming', 'Outgoing'],
  state: ['Connecting', 'Connected', 'Failed'],
  importance: ['Normal', 'Urgent', 'Emergency'],
};
const EVENT_TYPES = ['started', 'updated', 'completed'];
const STATUSES = ['Success', 'Failure'];

/** WIRE-7: direction, state, importance of every invitation representation, and type/status of its events, as spelled. */
export function enumProblems(w: ConformanceWorld): Problem[] {
  const out: Problem[] = [];
  for (const role of ROLES) {
    for (const { what, body, exchange } of allRepresentations(w, role))
      for (const [member, values] of Object.entries(ENUMS))
        if (member in body && !values.includes(body[member] as string))
          out.push({ what: `${member} ${JSON.stringify(body[member])} on the ${role}'s invitation (${what}) is not one of ${values.join(', ')}`, ...(exchange ? { exchange } : {}) });
    const ch = w.app(role).channel;
    for (const e of ch?.about(w.invitation(role).url) ?? []) {
      const exchange = ch?.batches[e.batch - 1]?.exchange;
      if (!EVENT_TYPES.includes(e.type)) out.push({ what: `event type ${JSON.stringify(e.raw.type)} on the ${role}'s channel`, ...(exchange ? { exchange } : {}) });
      if (e.status !== undefined && !STATUSES.includes(e.status as string))
        out.push({ what: `status ${JSON.stringify(e.status)} on the ${role}'s ${e.type} event`, ...(exchange ? { exchange } : {}) });
    }
  }
  return out;
}

/** Fails `req` when there are problems: the first few listed, with their exchanges. */
export function checkNone(w: ConformanceWorld, req: string, expected: string, problems: readonly Problem[]): void {
  const shown = problems.slice(0, 5);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  w.check(req, problems.length === 0, expected, shown.map((p) => p.what).join('; ') + more, [...new Set(shown.map((p) => p.exchange))]);
}
