/**
 * Which caller/callee pair a scenario uses. A worker process may run several scenarios at once (its lanes,
 * bin/lanes.ts); each scenario leases a pair of its own for its whole life and gives it back at clean-up, so two
 * scenarios running at the same time never share accounts. Worker w of a run with L lanes per worker leases from
 * the pairs w·L … w·L+L−1 (modulo the number of pairs); a process running one scenario at a time (no lanes, or the
 * suite's own tests) always gets its first pair.
 */

/** The environment variable through which the coordinator tells its workers their number of lanes. */
export const LANES_VARIABLE = 'UCWA_CONFORMANCE_LANES';

const leased = new Set<number>();

function lanes(): number {
  const n = Number(process.env[LANES_VARIABLE] ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

// each scenario in flight holds an 'uncaughtException' listener of Cucumber's while a step runs
if (lanes() >= 8) process.setMaxListeners(lanes() + 10);

export interface Lease<T> {
  pair: T;
  release(): void;
}

/** Leases the first free pair of this worker's range; `pairs` is the target's list (never empty). */
export function leasePair<T>(pairs: readonly T[]): Lease<T> {
  const base = Number(process.env.CUCUMBER_WORKER_ID ?? 0) * lanes();
  for (let i = 0; i < pairs.length; i++) {
    const index = (base + i) % pairs.length;
    if (leased.has(index)) continue;
    leased.add(index);
    let released = false;
    return {
      pair: pairs[index] as T,
      release: () => {
        if (!released) leased.delete(index);
        released = true;
      },
    };
  }
  // more scenarios at once than pairs (run.ts refuses such a --parallel): share the worker's first pair
  return { pair: pairs[base % pairs.length] as T, release: () => undefined };
}
