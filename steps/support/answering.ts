import { Inconclusive, objectBody } from './client';
import type { Exchange } from './exchange';
import { show } from './expect';
import { checkRefusal } from './checks';
import { linkKeys, offers, spelled } from './outcomes';
import type { ConformanceWorld, Role } from './world';

/** Which requirement shows the link on which side (for prerequisite messages). */
const SHOWN_BY: Record<string, string> = { accept: 'MI-12', decline: 'MI-12', cancel: 'MI-13' };
/** Which requirement a successful answer belongs to (for prerequisite messages). */
const ANSWERED_BY: Record<string, string> = { accept: 'ACC-1', decline: 'DEC-1', cancel: 'CAN-1' };
const ROLE_OF: Record<string, Role> = { accept: 'callee', decline: 'callee', cancel: 'caller' };

/**
 * The href of an action link (`accept`, `decline`, `cancel`, …) of a role's invitation: remembered from an earlier
 * representation, else from a GET now; throws Inconclusive naming the requirement that shows the link.
 */
export async function actionLink(w: ConformanceWorld, role: Role, name: string, prerequisite = SHOWN_BY[name] ?? 'MI-10'): Promise<string> {
  const t = w.invitation(role);
  if (!t.remembered[name]) await w.readInvitation(role);
  const href = t.remembered[name];
  if (!href) throw new Inconclusive(`prerequisite ${prerequisite} failed: the ${role}'s invitation offers no ${spelled(w, name)} (links: ${linkKeys(t.body)})`);
  return href;
}

/** POSTs an action (`accept`, `decline` with an optional body, `cancel`) on the right side's invitation; sets `last`. */
export async function act(w: ConformanceWorld, name: 'accept' | 'decline' | 'cancel', body?: Record<string, unknown>): Promise<Exchange> {
  const role = ROLE_OF[name] as Role;
  const href = await actionLink(w, role, name);
  const x = await w.app(role).post(href, body === undefined ? {} : { body });
  w.last = x;
  w.labelled.set(name, x);
  return x;
}

/** Like `act`, for a step that only sets the scene: anything but 2xx makes the scenario inconclusive. */
export async function actAsPrerequisite(w: ConformanceWorld, name: 'accept' | 'decline' | 'cancel', body?: Record<string, unknown>): Promise<Exchange> {
  const x = await act(w, name, body);
  if (x.status === undefined || x.status < 200 || x.status > 299) throw new Inconclusive(`prerequisite ${ANSWERED_BY[name]} failed: ${name} answered ${x.status ?? x.error}`, x);
  return x;
}

/** ACC-3 / DEC-3: GET the answered callee invitation at once, then POST the remembered accept and decline again. */
export async function readAndAnswerAgain(w: ConformanceWorld): Promise<void> {
  const accept = await actionLink(w, 'callee', 'accept');
  const decline = await actionLink(w, 'callee', 'decline');
  w.labelled.set('read', await w.readInvitation('callee'));
  w.labelled.set('further accept', await w.app('callee').post(accept));
  w.labelled.set('further decline', await w.app('callee').post(decline));
}

/** Fails `req` unless the GET made right after the answer shows a representation without ⟨accept⟩ and ⟨decline⟩. */
export function checkNoAnswerLinks(w: ConformanceWorld, req: string): void {
  const x = w.labelled.get('read');
  if (!x) throw new Error('suite defect: the callee did not read its invitation after the answer');
  const b = objectBody(x);
  w.check(req, x.status === 200 && !!b, "200 with the callee's invitation", `${x.status ?? x.error}`, [x]);
  for (const name of ['accept', 'decline'])
    w.check(req, !offers(w, b!, name), `no ${spelled(w, name)} on the answered invitation (state ${show(b!.state)})`, `links ${linkKeys(b)}`, [x]);
}

/** Fails `req` unless every labelled request in `labels` was refused as given. */
export function checkEachRefused(w: ConformanceWorld, req: string, labels: readonly string[], status: number, subcode: string): void {
  for (const label of labels) {
    const x = w.labelled.get(label);
    if (!x) throw new Error(`suite defect: no request labelled "${label}"`);
    checkRefusal(w, req, x, status, subcode);
  }
}
