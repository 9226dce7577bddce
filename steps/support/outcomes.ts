import { header, Inconclusive, objectBody } from './client';
import { rel } from './dialect';
import type { ReceivedEvent } from './events';
import type { Exchange } from './exchange';
import { show } from './expect';
import { hasLink, isObject, resolveHref } from './links';
import type { ConformanceWorld, Role } from './world';
import { EVENT_WAIT_MS } from './timing';

/** A completion as §9.2 names it: `Success`, or `Failure` with `code/subcode`. */
export type Outcome = string;

/** `Success`, `Failure code/subcode`, or what the event carried instead. */
export function outcomeOf(e: ReceivedEvent): Outcome {
  if (e.status === 'Success') return 'Success';
  const r = isObject(e.reason) ? e.reason : {};
  return `${String(e.status)} ${String(r.code)}/${String(r.subcode)}`;
}

/** The caller's and the callee's completions that belong together (§9.2), for two-sided outcomes. */
export const PAIRED: readonly { caller: Outcome; callee: readonly Outcome[] }[] = [
  { caller: 'Success', callee: ['Success'] },
  { caller: 'Failure RemoteFailure/Declined', callee: ['Failure LocalFailure/Declined'] },
  { caller: 'Failure LocalFailure/Canceled', callee: ['Failure RemoteFailure/Canceled'] },
  { caller: 'Failure RemoteFailure/Timeout', callee: ['Failure LocalFailure/Timeout', 'Failure Informational/Missed'] },
];

/** The final `state` that goes with a completion status (§9.1). */
export function finalStateFor(status: unknown): string {
  return status === 'Success' ? 'Connected' : 'Failed';
}

/**
 * Waits for a role's `completed` event (deadline `timeoutMs`, a miss fails `req`) and fails `req` unless its outcome
 * is one of `wanted` and its embedded copy, if any, is in the matching final state.
 */
export async function checkCompletion(w: ConformanceWorld, req: string, role: Role, wanted: readonly Outcome[], timeoutMs = EVENT_WAIT_MS): Promise<ReceivedEvent> {
  const t = w.invitation(role);
  const e = await w.waitEvent(req, () => w.channel(role).waitForInvitationEvent(t.url, 'completed', timeoutMs));
  const x = w.channel(role).batches[e.batch - 1]?.exchange;
  w.check(req, wanted.includes(outcomeOf(e)), `the ${role}'s completed event with ${wanted.join(' or ')}`, `${outcomeOf(e)} (${show(e.raw)})`, [x]);
  const copy = e.embeddedInvitation;
  if (copy) w.check(req, copy.state === finalStateFor(e.status), `the invitation embedded in the ${role}'s completed event in state ${finalStateFor(e.status)}`, copy.state, [x]);
  return e;
}

/** The exchange whose 201 created the caller's tracked invitation (its Location is the invitation URL). */
export function creation(w: ConformanceWorld, role: Role = 'caller'): Exchange {
  const url = w.invitation(role).url;
  const x = w.client.exchanges.find((e) => e.method === 'POST' && e.status === 201 && resolveHref(header(e, 'location'), e.url) === url);
  if (!x) throw new Inconclusive(`the 201 that created the ${role}'s invitation ${url} was not recorded`);
  return x;
}

/** The no-answer window of the target in seconds (TARGET.md §4). */
export function noAnswerWindow(w: ConformanceWorld): { from: number; to: number } {
  const { noAnswerTimeoutSeconds: n, early, late } = w.target.timing;
  return { from: Math.max(0, n - early), to: n + late };
}

/** Milliseconds from the suite's receipt of the caller's 201 to the end of the window. */
export function msLeftInWindow(w: ConformanceWorld): number {
  return creation(w).receivedAt + noAnswerWindow(w).to * 1000 - performance.now();
}

/** Seconds from the receipt of the caller's 201 to the receipt of `e`. */
export function secondsSinceCreation(w: ConformanceWorld, e: ReceivedEvent): number {
  return (e.receivedAt - creation(w).receivedAt) / 1000;
}

/** LC-2 / LC-7: fails `req` unless the two sides' completions are a pair of §9.2 and both read back final. */
export async function checkAgreement(w: ConformanceWorld, req: string): Promise<{ caller: ReceivedEvent; callee: ReceivedEvent }> {
  const done = (role: Role) => w.waitEvent(req, () => w.channel(role).waitForInvitationEvent(w.invitation(role).url, 'completed', EVENT_WAIT_MS));
  const [caller, callee] = await Promise.all([done('caller'), done('callee')]);
  const pair = PAIRED.find((p) => p.caller === outcomeOf(caller));
  w.check(req, !!pair && pair.callee.includes(outcomeOf(callee)), 'completions that agree as §9.2 pairs them (both Success, or the paired Failure reasons)', `caller ${outcomeOf(caller)}, callee ${outcomeOf(callee)}`, []);
  for (const [role, e] of [['caller', caller], ['callee', callee]] as const) {
    const x = await w.readInvitation(role);
    const b = objectBody(x);
    w.check(req, x.status === 200 && b?.state === finalStateFor(e.status), `the ${role}'s invitation reads back in state ${finalStateFor(e.status)}`, `${x.status ?? x.error} state ${show(b?.state)}`, [x]);
  }
  return { caller, callee };
}

/** The events a channel carried about an invitation, as `started, updated, completed`. */
export function eventTypes(w: ConformanceWorld, role: Role): string[] {
  return w.channel(role).about(w.invitation(role).url).map((e) => e.type);
}

/** Whether a representation offers a link (⟨name⟩ in the dialect). */
export function offers(w: ConformanceWorld, body: Record<string, unknown>, name: string): boolean {
  return hasLink(body, w.prefix, name);
}

/** The `_links` keys of a representation, for failure messages. */
export function linkKeys(body: Record<string, unknown> | undefined): string {
  return Object.keys(isObject(body?._links) ? body._links : {}).join(', ') || '(none)';
}

/** ⟨name⟩ as spelled in the target's dialect. */
export function spelled(w: ConformanceWorld, name: string): string {
  return rel(w.prefix, name);
}
