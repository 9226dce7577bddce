/**
 * The verdict rule for set-up failures (README "Reports, verdicts and the exit status"): a scenario is never
 * inconclusive because of a requirement it is itself tagged with. The shared set-up (discovery, sign-in, the
 * application, makeMeAvailable, startMessaging, receiving the invitation) throws Inconclusive naming the requirement
 * each of its steps checks; in the scenario tagged with that requirement the same throw is a failure of it, with
 * the exchange that showed it. Every other scenario stays inconclusive, naming it.
 */
import { Inconclusive } from './client';
import { RequirementFailure } from './expect';

/** `e` as the scenario tagged with `own` must report it: a failure of an own requirement, else unchanged. */
export function asOwnFailure(own: readonly string[], secrets: readonly string[], e: unknown): unknown {
  if (!(e instanceof Inconclusive) || !e.requirement || !own.includes(e.requirement)) return e;
  if (e.failure instanceof RequirementFailure) return e.failure;
  const what = e.message.replace(/^prerequisite \S+ failed:\s*/, '');
  return new RequirementFailure(e.requirement, `the step of the shared set-up that checks ${e.requirement} to succeed`, what, e.exchange ? [e.exchange] : [], secrets);
}
