import { objectBody } from './client';
import { rel } from './dialect';
import type { Exchange } from './exchange';
import { show } from './expect';
import { decodeDataUri, embedded, hasLink, isObject, link, rawHref } from './links';
import { jsonMediaTypeProblem } from './media';
import type { ConformanceWorld, Role } from './world';

export const SCHEMA = {
  application: 'urn:ucwa-conformance:application:1',
  outgoing: 'urn:ucwa-conformance:messaging-invitation-outgoing:1',
  incoming: 'urn:ucwa-conformance:messaging-invitation-incoming:1',
  participant: 'urn:ucwa-conformance:participant:1',
} as const;

/** APP-1: a 201 whose body is the application with its events link, me and communication. */
export function checkApplication(w: ConformanceWorld, req: string, x: Exchange): void {
  const b = objectBody(x);
  w.check(req, x.status === 201 && !!b, '201 Created with the application in the body', `${x.status ?? x.error}`);
  w.check('WIRE-1', !jsonMediaTypeProblem(x), 'Content-Type application/json', jsonMediaTypeProblem(x) ?? '');
  const body = b as Record<string, unknown>;
  const p = w.prefix;
  w.check(req, body.rel === rel(p, 'application'), `rel ${rel(p, 'application')}`, body.rel);
  w.check(req, hasLink(body, p, 'self'), '_links.self', body._links);
  w.check(req, hasLink(body, p, 'events'), `_links["${rel(p, 'events')}"]`, body._links);
  const me = embedded(body, p, 'me');
  w.check(req, isObject(me) && typeof me.uri === 'string', `_embedded["${rel(p, 'me')}"] with uri`, me);
  w.check(req, isObject(me) && hasLink(me, p, 'makeMeAvailable'), `me links "${rel(p, 'makeMeAvailable')}"`, isObject(me) ? me._links : me);
  const comm = embedded(body, p, 'communication');
  w.check(req, isObject(comm) && hasLink(comm, p, 'self'), `_embedded["${rel(p, 'communication')}"] with _links.self`, comm);
  w.check(req, isObject(comm) && hasLink(comm, p, 'startMessaging'), `communication links "${rel(p, 'startMessaging')}"`, isObject(comm) ? comm._links : comm);
  w.checkSchema(req, SCHEMA.application, body);
}

/** The representations of a role's invitation seen so far: the last GET and the started event's embedded copy. */
export function representations(w: ConformanceWorld, role: Role): { what: string; body: Record<string, unknown> }[] {
  const t = w.invitation(role);
  const out: { what: string; body: Record<string, unknown> }[] = [];
  if (t.body) out.push({ what: 'GET', body: t.body });
  for (const e of w.app(role).channel?.about(t.url) ?? [])
    if (e.embeddedInvitation) out.push({ what: `embedded in the ${e.type} event`, body: e.embeddedInvitation });
  return out;
}

/** Reads a role's invitation and fails `req` unless the GET answers 200 with a JSON object. */
export async function readBack(w: ConformanceWorld, role: Role, req: string): Promise<Record<string, unknown>> {
  const x = await w.readInvitation(role);
  const body = objectBody(x);
  w.check(req, x.status === 200 && !!body, `200 with the ${role}'s invitation`, `${x.status ?? x.error}`, [x]);
  w.check('WIRE-1', !jsonMediaTypeProblem(x), 'Content-Type application/json', jsonMediaTypeProblem(x) ?? '', [x]);
  return body as Record<string, unknown>;
}

/** SIP URIs compare case-insensitively (PROFILE.md §1). */
export function sameUri(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

/** The bytes of the first message the caller sent, from the data URI in the request. */
export function sentMessage(w: ConformanceWorld): Buffer | undefined {
  const links = w.sent?._links;
  const m = isObject(links) && isObject(links.message) ? links.message.href : undefined;
  return typeof m === 'string' ? decodeDataUri(m) : undefined;
}

/** The bytes of ⟨message⟩ on an invitation, or undefined. */
export function shownMessage(w: ConformanceWorld, body: Record<string, unknown>): Buffer | undefined {
  const h = rawHref(body, w.prefix, 'message');
  return h === undefined ? undefined : decodeDataUri(h);
}

/** The participant named by ⟨from⟩ on an invitation: embedded, or the body of a GET on the link. */
export async function fromParticipant(w: ConformanceWorld, role: Role, body: Record<string, unknown>): Promise<unknown> {
  const e = embedded(body, w.prefix, 'from');
  if (e !== undefined) return e;
  const href = link({ url: w.invitation(role).url, body }, w.prefix, 'from');
  if (!href) return undefined;
  const x = await w.app(role).get(href);
  return objectBody(x) ?? `GET ${href} answered ${x.status ?? x.error}`;
}

/** MI-11 / MI-14: a participant with rel ⟨participant⟩, _links.self and the expected uri; the problem, or undefined. */
export function participantProblem(w: ConformanceWorld, p: unknown, uri: string): string | undefined {
  if (!isObject(p)) return `not a participant resource: ${show(p)}`;
  if (p.rel !== rel(w.prefix, 'participant')) return `rel ${show(p.rel)} instead of ${rel(w.prefix, 'participant')}`;
  if (!hasLink(p, w.prefix, 'self')) return 'no _links.self';
  if (!sameUri(p.uri, uri)) return `uri ${show(p.uri)} instead of ${uri}`;
  return undefined;
}

const ERROR_CODE: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  500: 'ServiceFailure',
};

/** The `code` an error body carries for an HTTP status (ERR-1). */
export function errorCodeFor(status: number): string | undefined {
  return ERROR_CODE[status];
}

/**
 * Fails `req` unless `x` is the refusal described: the status, an application/json error body (ERR-1) whose `code`
 * matches the status, the subcode (`None` also matches an absent subcode) and, when given, `parameters` naming
 * `member`. `subcode` may list alternatives separated by `|`.
 */
export function checkRefusal(w: ConformanceWorld, req: string, x: Exchange, status: number, subcode = 'None', member?: string): void {
  const code = errorCodeFor(status);
  w.check(req, x.status === status, `${status} ${code ?? ''}`.trim(), `${x.status ?? x.error}`, [x]);
  const body = objectBody(x);
  w.check(req, !!body && !jsonMediaTypeProblem(x), 'an application/json error body {code, subcode?, message?, parameters?}', jsonMediaTypeProblem(x) ?? show(x.responseBody), [x]);
  const b = body as Record<string, unknown>;
  w.check(req, b.code === code, `code ${code}`, b.code, [x]);
  const got = b.subcode === undefined ? 'None' : b.subcode;
  w.check(req, subcode.split('|').includes(String(got)), `subcode ${subcode}`, got, [x]);
  if (member !== undefined) {
    const params = b.parameters;
    w.check(req, isObject(params) && member in params, `parameters naming "${member}"`, params, [x]);
  }
  w.checkSchema(req, 'urn:ucwa-conformance:error:1', b, [x]);
}
