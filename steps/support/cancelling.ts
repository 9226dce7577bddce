import { Inconclusive, objectBody } from './client';
import { show } from './expect';
import { messagingState } from './modality';
import type { ConformanceWorld } from './world';

/** CAN-3: reads the caller's completed invitation and its messaging before the late cancel (labelled). */
export async function recordBeforeCancel(w: ConformanceWorld): Promise<void> {
  const x = await w.readInvitation('caller');
  if (x.status !== 200) throw new Inconclusive(`prerequisite MI-1 failed: GET on the caller's invitation answered ${x.status ?? x.error}`, x);
  w.labelled.set('invitation before', x);
  w.labelled.set('messaging before', (await messagingState(w, 'caller')).x);
}

/** CAN-3: the invitation keeps its state and the messaging its state (Connected after an accepted invitation). */
export async function checkUnchangedAfterCancel(w: ConformanceWorld, req: string): Promise<void> {
  const before = objectBody(w.labelled.get('invitation before')!)!;
  const x = await w.readInvitation('caller');
  const after = objectBody(x);
  w.check(req, x.status === 200 && after?.state === before.state, `the caller's invitation still in state ${show(before.state)}`, `${x.status ?? x.error} state ${show(after?.state)}`, [x]);
  const was = objectBody(w.labelled.get('messaging before')!)?.state;
  const now = await messagingState(w, 'caller');
  w.check(req, now.state === was, `the caller's messaging still in state ${show(was)} (Connected after success, MI-15)`, show(now.state), [now.x]);
}

/**
 * The caller cancels its tracked invitation on the cancel link of a fresh read (a prerequisite of the scenario, not
 * the request under test): inconclusive naming MI-13 or CAN-1 when that fails.
 */
export async function cancelAsPrerequisite(w: ConformanceWorld): Promise<void> {
  await w.readInvitation('caller');
  const cancel = w.invitation('caller').remembered.cancel;
  if (!cancel) throw new Inconclusive("prerequisite MI-13 failed: the caller's invitation offers no cancel link");
  const x = await w.app('caller').post(cancel);
  w.last = x;
  if (x.status !== 204) throw new Inconclusive(`prerequisite CAN-1 failed: cancel answered ${x.status ?? x.error}`, x);
}
