import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inconclusive, objectBody } from './client';
import { checkRefusal } from './checks';
import type { Exchange } from './exchange';
import { show } from './expect';
import { hasLink, link } from './links';
import { actionLink } from './answering';
import { checkAgreement, checkCompletion, eventTypes, finalStateFor, linkKeys, msLeftInWindow, noAnswerWindow, outcomeOf, secondsSinceCreation, spelled } from './outcomes';
import type { ConformanceWorld } from './world';
import { EVENT_WAIT_MS } from './timing';

const ROLES = ['caller', 'callee'] as const;

/** `sip:nobody-<32 hex>@<the callee's domain>` (LC-4). */
export function unknownUserUri(w: ConformanceWorld): string {
  const domain = w.pair.callee.uri.replace(/^sip:/i, '').split(';')[0]!.split('@')[1] ?? 'example.com';
  return `sip:nobody-${randomBytes(16).toString('hex')}@${domain}`;
}

/** LC-4 / LC-5: the startMessaging to an unreachable target answered 201 with a Location (SM-9). */
export function checkCreated(w: ConformanceWorld, req: string): void {
  const x = w.last!;
  w.check(req, x.status === 201 && w.invitations.has('caller'), '201 Created with a Location, whatever the target', `${x.status ?? x.error}`, [x]);
}

/** LC-4 / LC-5: the caller's completion with the given reason, before the upper bound of the window. */
export async function checkUnreachable(w: ConformanceWorld, req: string, code: string, subcode: string): Promise<void> {
  const e = await checkCompletion(w, req, 'caller', [`Failure ${code}/${subcode}`], Math.max(0, msLeftInWindow(w)));
  const s = secondsSinceCreation(w, e);
  if (s > 5) w.log(`${req}: completed ${s.toFixed(1)} s after the 201 (the profile's SHOULD target is 5 s)`);
}

/** LC-4: no invitation with the scenario's threadId on the callee's channel, observed at least until the EV-10 bound (1 s after the 201). */
export async function checkNothingIncoming(w: ConformanceWorld, req: string, created: Exchange): Promise<void> {
  const ch = w.channel('callee');
  const wait = created.receivedAt + 1000 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await ch.settled();
  if (ch.pendingSince === undefined && ch.failure) throw new Inconclusive(`the callee's channel stopped: ${ch.failure}`, ch.failureExchange);
  w.check(req, !ch.hasThread(w.threadId), `no invitation with threadId ${w.threadId} on the callee's channel`, ch.describe(), []);
}

/** LC-1: the caller's representation before any answer, then two after completion (labelled). */
export async function readAround(w: ConformanceWorld, when: 'before' | 'after'): Promise<void> {
  if (when === 'before') {
    w.labelled.set('before', await w.readInvitation('caller'));
    return;
  }
  await w.completed('caller');
  w.labelled.set('after 1', await w.readInvitation('caller'));
  w.labelled.set('after 2', await w.readInvitation('caller'));
}

/** LC-1: Connecting before the answer (and in the started copy), one completed, one final state in every later view. */
export async function checkOutgoingLifecycle(w: ConformanceWorld, req: string): Promise<void> {
  const before = w.labelled.get('before')!;
  const b = objectBody(before);
  w.check(req, before.status === 200 && b?.state === 'Connecting', 'state Connecting before any answer', `${before.status ?? before.error} state ${show(b?.state)}`, [before]);
  const url = w.invitation('caller').url;
  const events = w.channel('caller').about(url);
  const started = events.find((e) => e.type === 'started');
  if (started?.embeddedInvitation) w.check(req, started.embeddedInvitation.state === 'Connecting', 'state Connecting in the started copy', started.embeddedInvitation.state, []);
  const types = eventTypes(w, 'caller');
  w.check(req, types.filter((t) => t === 'completed').length === 1, 'exactly one completed event for the invitation', types.join(', '), []);
  const done = events.find((e) => e.type === 'completed')!;
  const final = finalStateFor(done.status);
  w.check(req, ['Success', 'Failure'].includes(done.status as string), 'completed with status Success or Failure', show(done.status), []);
  for (const label of ['after 1', 'after 2']) {
    const x = w.labelled.get(label)!;
    const s = objectBody(x)?.state;
    w.check(req, x.status === 200 && s === final, `state ${final} (as completed ${show(done.status)}) on the GET ${label === 'after 1' ? 'right after' : 'again after'} completion`, `${x.status ?? x.error} state ${show(s)}`, [x]);
  }
}

/** LC-2: the callee's started copy was Incoming, Connecting, with accept and decline. */
export function checkArrivedIncoming(w: ConformanceWorld, req: string): void {
  const started = w.channel('callee').about(w.invitation('callee').url).find((e) => e.type === 'started');
  const copy = started?.embeddedInvitation ?? started?.fetched;
  if (!copy) throw new Inconclusive("the callee's started event could not be read");
  w.check(req, copy.direction === 'Incoming', 'direction Incoming on arrival', copy.direction, []);
  w.check(req, copy.state === 'Connecting', 'state Connecting on arrival', copy.state, []);
  for (const name of ['accept', 'decline'])
    w.check(req, hasLink(copy, w.prefix, name), `${spelled(w, name)} on arrival`, `links ${linkKeys(copy)}`, []);
}

/** LC-2: each side has exactly one completed, and the two agree (§9.2). */
export async function checkCompletedOnceAndAgree(w: ConformanceWorld, req: string): Promise<void> {
  await checkAgreement(w, req);
  for (const role of ROLES) {
    const types = eventTypes(w, role);
    w.check(req, types.filter((t) => t === 'completed').length === 1, `exactly one completed on the ${role}'s channel`, types.join(', '), []);
  }
}

/** LC-3: waits for both completions until just past the window's upper bound (a miss fails `req`). */
export async function awaitNoAnswer(w: ConformanceWorld, req: string): Promise<void> {
  const ms = Math.max(0, msLeftInWindow(w)) + 2000;
  await Promise.all(ROLES.map((role) => w.waitEvent(req, () => w.channel(role).waitForInvitationEvent(w.invitation(role).url, 'completed', ms))));
}

/** LC-3: each side's completed arrived inside [max(0, N − early), N + late] after the receipt of the caller's 201. */
export async function checkInWindow(w: ConformanceWorld, req: string): Promise<void> {
  const { from, to } = noAnswerWindow(w);
  for (const role of ROLES) {
    const e = await w.completed(role, 0);
    const s = secondsSinceCreation(w, e);
    w.check(req, s >= from && s <= to, `the ${role}'s completed received ${from}–${to} s after the caller's 201`, `${s.toFixed(2)} s`, []);
  }
}

/** LC-6: reads both invitations right after completion and, when `delayS` is given, again `delayS` after each completion. */
export async function readAfterCompletion(w: ConformanceWorld, delayS?: number): Promise<void> {
  await Promise.all(
    ROLES.map(async (role) => {
      const done = await w.completed(role);
      w.labelled.set(`${role} right after`, await w.readInvitation(role));
      if (delayS === undefined) return;
      const wait = done.receivedAt + delayS * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      w.labelled.set(`${role} later`, await w.readInvitation(role));
    }),
  );
}

const KEPT = ['rel', 'direction', 'state', 'importance', 'subject', 'threadId', 'to', 'operationId'];

/** LC-6: every read answered 200 with the final representation: self, final state, no answer or cancel links, unchanged members. */
export async function checkFinalReads(w: ConformanceWorld, req: string): Promise<void> {
  for (const role of ROLES) {
    const done = await w.completed(role);
    const url = w.invitation(role).url;
    const first = objectBody(w.labelled.get(`${role} right after`)!);
    for (const label of [`${role} right after`, `${role} later`]) {
      const x = w.labelled.get(label);
      if (!x) continue;
      const b = objectBody(x);
      w.check(req, x.status === 200 && !!b, `200 with the ${role}'s completed invitation (${label.replace(`${role} `, '')})`, `${x.status ?? x.error}`, [x]);
      w.check(req, b!.rel === spelled(w, 'messagingInvitation') && link({ url, body: b! }, w.prefix, 'self') === url, `rel ${spelled(w, 'messagingInvitation')} with self ${url}`, `rel ${show(b!.rel)}, self ${show(link({ url, body: b! }, w.prefix, 'self'))}`, [x]);
      w.check(req, b!.state === finalStateFor(done.status), `final state ${finalStateFor(done.status)}`, b!.state, [x]);
      for (const name of ['accept', 'decline', 'cancel']) w.check(req, !hasLink(b!, w.prefix, name), `no ${spelled(w, name)} on a completed invitation`, `links ${linkKeys(b!)}`, [x]);
      for (const k of KEPT) w.check(req, show(b![k]) === show(first?.[k]), `${k} as read right after completion: ${show(first?.[k])}`, show(b![k]), [x]);
    }
  }
}

/**
 * LC-7: the caller's cancel raced against the callee's accept at one offset of the answer window — before the
 * accept, with it, on its 204, some hundred ms after it, or again and again until the caller's completed event
 * arrives (a server that completes the caller late must still refuse, or honour on both sides, a cancel in that
 * gap). Labelled `accept` and `cancel`, `cancel 2`, …
 */
export async function race(w: ConformanceWorld, offset: string): Promise<void> {
  const [cancel, accept] = await Promise.all([actionLink(w, 'caller', 'cancel'), actionLink(w, 'callee', 'accept')]);
  const cancels: Exchange[] = [];
  const sendCancel = async () => void cancels.push(await w.app('caller').post(cancel));
  const sendAccept = async () => void w.labelled.set('accept', await w.app('callee').post(accept));
  if (offset === '20 ms before') await Promise.all([sendCancel(), sleep(20).then(sendAccept)]);
  else if (offset === 'at the same moment as') await Promise.all([sendCancel(), sendAccept()]);
  else if (offset === 'as soon as the 204 arrives of') await sendAccept().then(sendCancel);
  else if (offset === '300 ms after the 204 of') await sendAccept().then(() => sleep(300)).then(sendCancel);
  else if (offset.startsWith('every 100 ms until')) {
    await sendAccept();
    const ch = w.channel('caller');
    const url = w.invitation('caller').url;
    const deadline = performance.now() + EVENT_WAIT_MS;
    do await sendCancel();
    while (!ch.about(url).some((e) => e.type === 'completed') && performance.now() < deadline && (await sleep(100), true));
  } else throw new Error(`suite defect: unknown race offset "${offset}"`);
  cancels.forEach((x, i) => w.labelled.set(i === 0 ? 'cancel' : `cancel ${i + 1}`, x));
}

/** The racing requests of LC-7 by label. */
function racing(w: ConformanceWorld): [string, Exchange][] {
  return [...w.labelled].filter(([label]) => label === 'accept' || label.startsWith('cancel'));
}

/** LC-7: each racing request got 204 or 409 Conflict/None. */
export function checkRaceAnswers(w: ConformanceWorld, req: string): void {
  for (const [, x] of racing(w)) if (x.status !== 204) checkRefusal(w, req, x, 409, 'None');
}

/** LC-7: both sides agree, and the outcome is that of a request that got 204 (a refused request changes nothing). */
export async function checkRaceOutcome(w: ConformanceWorld, req: string): Promise<void> {
  const { caller } = await checkAgreement(w, req);
  const winner = outcomeOf(caller) === 'Success' ? 'accept' : outcomeOf(caller) === 'Failure LocalFailure/Canceled' ? 'cancel' : undefined;
  w.check(req, !!winner, 'Success (accept won) or LocalFailure/Canceled (cancel won)', outcomeOf(caller), []);
  const xs = racing(w).filter(([label]) => label.startsWith(winner!)).map(([, x]) => x);
  w.check(req, xs.some((x) => x.status === 204), `the winning ${winner} answered 204`, xs.map((x) => `${x.status ?? x.error}`).join(', '), xs);
}
