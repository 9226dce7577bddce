/**
 * Lanes: a worker process may run several scenarios at once (bin/lanes.ts). Each scenario leases a caller/callee
 * pair of its own for its whole life (steps/support/pairs.ts, within and across processes), so two scenarios
 * running at the same time never share accounts.
 */

/** The environment variable through which the coordinator tells its workers their number of lanes. */
export const LANES_VARIABLE = 'UCWA_CONFORMANCE_LANES';

function lanes(): number {
  const n = Number(process.env[LANES_VARIABLE] ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

// each scenario in flight holds an 'uncaughtException' listener of Cucumber's while a step runs
if (lanes() >= 8) process.setMaxListeners(lanes() + 10);
