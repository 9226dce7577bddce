/**
 * Placement by free pairs: the coordinator hands a worker a scenario only when a caller/callee pair it can lease is
 * free (TARGET.md §10), counting the scenarios it has handed out and not yet seen finish.
 *
 * Without it a lane took the next scenario in order whatever its transport combination, and a scenario whose
 * combination had every pair held waited inside the worker for one, holding a lane: when a run starts with its
 * longest scenarios (bin/slow-first.js), those of one or two combinations (the TAA callback-URL refusals and
 * no-effect checks, ~2.3 s of waiting each) held most lanes of a quick run for its first two seconds while the other
 * combinations' scenarios queued behind them (measured: ~60 scenarios/s then, ~250/s afterwards). With this rule a
 * blocked scenario stays in the queue and the next one that fits runs; the order is otherwise kept.
 *
 * The counts are Hall's condition for the two kinds of scenario (steps/support/pairs.ts): a two-sided one needs a
 * pair of exactly its combination, a caller-only one any pair of its caller's transport. A scenario without an
 * `@via:` tag (a run without TAA accounts: every pair serves it, and never more run at once than pairs) always fits.
 */
import { combinationLabel, type Combination, type Wanted } from '../steps/support/pairs';

export class PairBudget {
  /** pairs per combination label (`ucwa→taa`) and per caller transport */
  private readonly pairs = new Map<string, number>();
  private readonly callers = new Map<string, number>();
  /** scenarios handed out and not finished: two-sided per combination label, all per caller transport */
  private readonly twoSided = new Map<string, number>();
  private readonly byCaller = new Map<string, number>();

  constructor(combinations: readonly Combination[]) {
    for (const c of combinations) {
      bump(this.pairs, combinationLabel(c), 1);
      bump(this.callers, c.caller, 1);
    }
  }

  /** Whether a scenario that wants `w` could lease a pair now. */
  fits(w: Wanted | undefined): boolean {
    if (!w) return true;
    if ((this.byCaller.get(w.caller) ?? 0) + 1 > (this.callers.get(w.caller) ?? 0)) return false;
    return !w.callee || (this.twoSided.get(combinationLabel(w)) ?? 0) + 1 <= (this.pairs.get(combinationLabel(w)) ?? 0);
  }

  /** A scenario that wants `w` was handed out. */
  take(w: Wanted | undefined): void {
    if (!w) return;
    bump(this.byCaller, w.caller, 1);
    if (w.callee) bump(this.twoSided, combinationLabel(w), 1);
  }

  /** A scenario that wanted `w` finished. */
  give(w: Wanted | undefined): void {
    if (!w) return;
    bump(this.byCaller, w.caller, -1);
    if (w.callee) bump(this.twoSided, combinationLabel(w), -1);
  }
}

function bump(m: Map<string, number>, k: string, by: number): void {
  m.set(k, Math.max(0, (m.get(k) ?? 0) + by));
}
