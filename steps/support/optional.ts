import { header, Inconclusive, objectBody } from './client';
import { representations } from './checks';
import { rel } from './dialect';
import type { Exchange } from './exchange';
import { show } from './expect';
import { decodeDataUri, embedded, hasLink, isObject, link, rawHref, resolveHref } from './links';
import { actionLink } from './answering';
import { eventTypes, linkKeys } from './outcomes';
import { unique } from './values';
import { type ConformanceWorld, type Role } from './world';
import { EVENT_WAIT_MS } from './timing';

const ROLES = ['caller', 'callee'] as const;

/** Every representation of a role's invitation seen: the last GET, embedded copies and GETs made on arrival of a link-only event. */
export function allRepresentations(w: ConformanceWorld, role: Role): { what: string; body: Record<string, unknown> }[] {
  const out = representations(w, role);
  for (const e of w.channel(role).about(w.invitation(role).url)) if (e.fetched) out.push({ what: `GET on arrival of the ${e.type} event`, body: e.fetched });
  return out;
}

/** OPT-1: in every representation of the callee's invitation ⟨acceptAndBridge⟩ is present exactly when ⟨accept⟩ is, and it was offered at least once. */
export function checkBridgeWithAccept(w: ConformanceWorld, req: string): void {
  const reps = allRepresentations(w, 'callee');
  w.check(req, reps.some((r) => hasLink(r.body, w.prefix, 'accept')), `a representation offering ${rel(w.prefix, 'accept')} (before the answer)`, reps.map((r) => `${r.what}: ${linkKeys(r.body)}`).join('; '), []);
  for (const { what, body } of reps) {
    const a = hasLink(body, w.prefix, 'accept');
    w.check(req, hasLink(body, w.prefix, 'acceptAndBridge') === a, `${rel(w.prefix, 'acceptAndBridge')} ${a ? 'present' : 'absent'} as ${rel(w.prefix, 'accept')} is (${what}, state ${show(body.state)})`, `links ${linkKeys(body)}`, []);
  }
}

/** OPT-1: POST ⟨acceptAndBridge⟩ with `body`; fails `req` when the declared capability's link is missing. Sets `last`. */
export async function acceptAndBridge(w: ConformanceWorld, req: string, body: Record<string, unknown>): Promise<Exchange> {
  const t = w.invitation('callee');
  const href = t.remembered.acceptAndBridge;
  w.check(req, !!href, `${rel(w.prefix, 'acceptAndBridge')} on the unanswered incoming invitation (capability declared)`, `links ${linkKeys(t.body)}`, []);
  w.last = await w.app('callee').post(href!, { body });
  return w.last;
}

/** OPT-1: the callee's invitation reads back still Connecting with ⟨accept⟩ and ⟨decline⟩. */
export async function checkStillUnanswered(w: ConformanceWorld, req: string): Promise<void> {
  const x = await w.readInvitation('callee');
  const b = objectBody(x);
  w.check(req, x.status === 200 && b?.state === 'Connecting', "the callee's invitation still Connecting", `${x.status ?? x.error} state ${show(b?.state)}`, [x]);
  for (const name of ['accept', 'decline']) w.check(req, hasLink(b!, w.prefix, name), `${rel(w.prefix, name)} still offered`, `links ${linkKeys(b)}`, [x]);
}

/** OPT-2: POST ⟨startAdhocMeeting⟩ on the unanswered incoming invitation; fails `req` when the declared capability's link is missing. */
export async function startAdhocMeeting(w: ConformanceWorld, req: string): Promise<Exchange> {
  const t = w.invitation('callee');
  const href = t.remembered.startAdhocMeeting;
  w.check(req, !!href, `${rel(w.prefix, 'startAdhocMeeting')} on the unanswered incoming invitation (capability declared)`, `links ${linkKeys(t.body)}`, []);
  w.last = await w.app('callee').post(href!, { body: { subject: 'Ad hoc meeting from the conformance suite', operationId: unique() } });
  return w.last;
}

/** OPT-2: 201 with a Location. */
export function checkMeetingCreated(w: ConformanceWorld, req: string): void {
  const x = w.last!;
  w.check(req, x.status === 201 && !!resolveHref(header(x, 'location'), x.url), '201 Created with the Location of the online-meeting invitation', `${x.status ?? x.error}, Location ${show(header(x, 'location'))}`, [x]);
}

/** OPT-2: declines the messaging invitation if it is still Connecting, then each side sees exactly one completed. */
export async function checkStillCompletesOnce(w: ConformanceWorld, req: string): Promise<void> {
  const x = await w.readInvitation('callee');
  if (objectBody(x)?.state === 'Connecting') {
    const d = await w.app('callee').post(await actionLink(w, 'callee', 'decline'));
    if (d.status !== 204) throw new Inconclusive(`prerequisite DEC-1 failed: decline answered ${d.status ?? d.error}`, d);
  }
  for (const role of ROLES) {
    await w.waitEvent(req, () => w.channel(role).waitForInvitationEvent(w.invitation(role).url, 'completed', EVENT_WAIT_MS));
    const types = eventTypes(w, role);
    w.check(req, types.filter((t) => t === 'completed').length === 1, `exactly one completed for the ${role}'s messaging invitation`, types.join(', '), []);
  }
}

/** OPT-3: a JSON custom content as a base64 data URI, unique to the scenario. */
export function customContentUri(): string {
  const json = JSON.stringify({ kind: 'conformance', id: unique(), text: 'Grüße ✓ "quoted" & <tagged>' });
  return `data:application/json;base64,${Buffer.from(json, 'utf8').toString('base64')}`;
}

/** OPT-3: both invitations show `_links.customContent` (never prefixed) decoding to the bytes sent. */
export function checkCustomContent(w: ConformanceWorld, req: string): void {
  const links = w.sent?._links;
  const sent = isObject(links) && isObject(links.customContent) ? decodeDataUri(String(links.customContent.href)) : undefined;
  if (!sent) throw new Error('suite defect: no customContent was sent');
  for (const role of ROLES) {
    const reps = allRepresentations(w, role);
    if (!reps.length) throw new Inconclusive(`no representation of the ${role}'s invitation was obtained`);
    for (const { what, body } of reps) {
      const spelt = Object.keys(isObject(body._links) ? body._links : {}).filter((k) => k !== 'customContent' && /(^|:)customContent$/.test(k));
      w.check(req, spelt.length === 0, `customContent only under the unprefixed key _links.customContent on the ${role}'s invitation (${what})`, `also ${spelt.join(', ')}`, []);
      const href = rawHref(body, w.prefix, 'customContent');
      const got = href === undefined ? undefined : decodeDataUri(href);
      w.check(req, !!got && got.equals(sent), `_links.customContent decoding to ${show(sent.toString('utf8'))} on the ${role}'s invitation (${what})`, got ? show(got.toString('utf8')) : `links ${linkKeys(body)}`, []);
    }
  }
}

/** OPT-4: ⟨application⟩ links and embeds on every representation seen resolve to the owning application's self; how many were found. */
export function checkApplicationLinks(w: ConformanceWorld, req: string): number {
  let found = 0;
  for (const role of ROLES) {
    const reps = allRepresentations(w, role);
    if (!reps.length) throw new Inconclusive(`no representation of the ${role}'s invitation was obtained`);
    const own = w.app(role).url;
    const base = w.invitation(role).url;
    for (const { what, body } of reps) {
      const raw = isObject(body._links) ? body._links[rel(w.prefix, 'application')] : undefined;
      for (const l of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
        found++;
        const href = isObject(l) ? resolveHref(l.href, base) : undefined;
        w.check(req, href === own, `${rel(w.prefix, 'application')} on the ${role}'s invitation (${what}) resolving to its application ${own}`, show(href ?? l), []);
      }
      const e = embedded(body, w.prefix, 'application');
      if (e === undefined) continue;
      found++;
      const self = isObject(e) ? link({ url: base, body: e }, w.prefix, 'self') : undefined;
      w.check(req, self === own, `the embedded ${rel(w.prefix, 'application')} on the ${role}'s invitation (${what}) with self ${own}`, show(self ?? e), []);
    }
  }
  return found;
}
