import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Account, Pair, Target } from './target';

/**
 * Transport combinations (PROFILE.md §15.1, D37; TARGET.md §10) and the leasing of caller/callee pairs across the
 * Cucumber worker processes of one run.
 */
export type Transport = 'ucwa' | 'taa';
export const TRANSPORTS: readonly Transport[] = ['ucwa', 'taa'];

/** The transports of a pair: caller → callee. */
export interface Combination {
  caller: Transport;
  callee: Transport;
}

/** What a scenario asks for: a two-sided scenario names both sides, a caller-only one only the caller. */
export interface Wanted {
  caller: Transport;
  callee?: Transport;
}

/** An account's transport: `ucwa` unless it says `taa` (TARGET.md §3). */
export function transportOf(a: { transport?: string } | undefined): Transport {
  return a?.transport === 'taa' ? 'taa' : 'ucwa';
}

/** `ucwa→taa` for two sides, `taa` for a caller alone: how reports name a combination. */
export function combinationLabel(w: Wanted): string {
  return w.callee ? `${w.caller}→${w.callee}` : w.caller;
}

/** `ucwa-taa` / `taa`: the value of the `@via:` tag. */
export function viaValue(w: Wanted): string {
  return w.callee ? `${w.caller}-${w.callee}` : w.caller;
}

/** The pairs of the target in order: users.caller/callee first, then users.pairs. */
export function pairsOf(target: Target): Pair[] {
  return [{ caller: target.users.caller, callee: target.users.callee }, ...target.users.pairs];
}

/** The member that declares pair `index` of pairsOf(). */
export function pairMember(index: number): string {
  return index === 0 ? 'users.caller/users.callee' : `users.pairs[${index - 1}]`;
}

export function combinationOfPair(p: Pair): Combination {
  return { caller: transportOf(p.caller), callee: transportOf(p.callee) };
}

/** Every account of the description that the suite may sign in as (not users.unavailable). */
function accounts(target: Target): Account[] {
  const fixtures = Object.values(target.fixtures).filter((v): v is Account => typeof v === 'object' && v !== null && 'uri' in v);
  return [...pairsOf(target).flatMap((p) => [p.caller, p.callee]), ...fixtures];
}

/** What the target holds: the combinations of its pairs (in first-seen order), its caller transports, any TAA account. */
export interface Present {
  combinations: Combination[];
  callers: Transport[];
  callees: Transport[];
  anyTaa: boolean;
  anyUcwa: boolean;
}

export function present(target: Target): Present {
  const combinations: Combination[] = [];
  for (const p of pairsOf(target)) {
    const c = combinationOfPair(p);
    if (!combinations.some((x) => x.caller === c.caller && x.callee === c.callee)) combinations.push(c);
  }
  const all = accounts(target).map(transportOf);
  return {
    combinations,
    callers: TRANSPORTS.filter((t) => combinations.some((c) => c.caller === t)),
    callees: TRANSPORTS.filter((t) => combinations.some((c) => c.callee === t)),
    anyTaa: all.includes('taa'),
    anyUcwa: all.includes('ucwa'),
  };
}

/** The transport combination a scenario copy runs in, from its `@via:` tag (bin/combinations.ts); undefined without one. */
export function wantedOf(tags: readonly string[]): Wanted | undefined {
  for (const t of tags) {
    const m = /^@via:(ucwa|taa)(?:-(ucwa|taa))?$/.exec(t);
    if (m) return { caller: m[1] as Transport, ...(m[2] ? { callee: m[2] as Transport } : {}) };
  }
  return undefined;
}

/** The lease of one pair for one scenario. */
export interface PairLease {
  pair: Pair;
  /** index in pairsOf(target) */
  index: number;
  /** the member that declares the pair, for messages */
  member: string;
  /** the transports of the pair leased (for a caller-only scenario the callee's is whatever the pair has) */
  combination: Combination;
  /** gives the pair back; idempotent */
  release(): void;
}

/**
 * The directory of pair locks shared by the run's worker processes (the coordinator, bin/run.ts, creates it and
 * sets this variable before the workers start). Without it, leases are this process's own.
 */
export const PAIRS_DIR_VARIABLE = 'UCWA_CONFORMANCE_PAIRS_DIR';

const heldHere = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes lock `index` in `dir`, or removes it when its owner process is gone; true when taken. A pair this process
 * holds (another lane's scenario) and a lock that exists are passed over without creating anything: the waiting
 * scenarios poll every 100 ms, and a lease attempt per poll and pair cost seconds of CPU in a run (measured).
 */
function tryLock(dir: string | undefined, index: number): boolean {
  if (heldHere.has(index)) return false;
  if (!dir) {
    heldHere.add(index);
    return true;
  }
  const lock = path.join(dir, `pair-${index}`);
  // The lock is a file holding its owner's pid, created exclusively ('wx'): one open and one write per lease, one
  // unlink per release (a lock folder cost a quick run about 1.5 s of CPU in mkdtemp, rename and recursive rm).
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
    heldHere.add(index);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let owner: number | undefined;
  try {
    owner = Number(fs.readFileSync(lock, 'utf8'));
  } catch {
    return false; // released just now: the next round takes it
  }
  // a worker that died holding the pair (its After never ran): free it for the next round (an empty file is a lock
  // being written just now)
  if (owner && owner !== process.pid && !alive(owner)) fs.rmSync(lock, { force: true });
  return false;
}

/** Scenarios of this process waiting for a pair: woken at once when one of this process's leases ends. */
const waiting = new Set<() => void>();

function unlock(dir: string | undefined, index: number): void {
  heldHere.delete(index);
  for (const wake of [...waiting]) wake();
  if (dir) fs.rmSync(path.join(dir, `pair-${index}`), { force: true });
}

/** Pairs that serve `wanted`, this worker's own first (so that with as many pairs as workers no one ever waits). */
export function candidates(target: Target, wanted: Wanted, worker = Number(process.env.CUCUMBER_WORKER_ID ?? 0)): number[] {
  const fits = pairsOf(target)
    .map((p, i) => ({ c: combinationOfPair(p), i }))
    .filter(({ c }) => c.caller === wanted.caller && (wanted.callee === undefined || c.callee === wanted.callee))
    .map(({ i }) => i);
  if (!fits.length) return [];
  const home = ((worker % fits.length) + fits.length) % fits.length;
  return [...fits.slice(home), ...fits.slice(0, home)];
}

/** No pair of the target serves the combination a scenario asks for. */
export class NoSuchPair extends Error {
  constructor(wanted: Wanted) {
    super(`no pair of the target description is ${combinationLabel(wanted)}${wanted.callee ? '' : ' (caller)'}: the scenario cannot take one`);
    this.name = 'NoSuchPair';
  }
}

/**
 * Leases a free pair of the combination `wanted` for a scenario's whole duration (TARGET.md §10): no two concurrent
 * scenarios of the run hold one pair. Waits (polling the lock directory) while every fitting pair is held; rejects
 * with NoSuchPair at once when none fits, and when `signal` aborts or `timeoutMs` passes while waiting.
 * A caller-only scenario (no `callee`) takes any pair with that caller transport.
 */
export async function leasePair(target: Target, wanted: Wanted, o: { signal?: AbortSignal; timeoutMs?: number; pollMs?: number } = {}): Promise<PairLease> {
  const order = candidates(target, wanted);
  if (!order.length) throw new NoSuchPair(wanted);
  const dir = process.env[PAIRS_DIR_VARIABLE] || undefined;
  const deadline = Date.now() + (o.timeoutMs ?? 15 * 60_000);
  const pairs = pairsOf(target);
  for (;;) {
    if (o.signal?.aborted) throw new Error(`the scenario ended while waiting for a ${combinationLabel(wanted)} pair`);
    for (const index of order)
      if (tryLock(dir, index)) {
        let held = true;
        const pair = pairs[index]!;
        return {
          pair,
          index,
          member: pairMember(index),
          combination: combinationOfPair(pair),
          release: () => {
            if (held) unlock(dir, index);
            held = false;
          },
        };
      }
    if (Date.now() > deadline) throw new Error(`no ${combinationLabel(wanted)} pair became free in ${Math.round((o.timeoutMs ?? 15 * 60_000) / 1000)} s`);
    // another process's release is seen at the next poll; this process's wakes the waiters at once
    await new Promise<void>((r) => {
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        r();
      };
      const timer = setTimeout(wake, o.pollMs ?? 100);
      waiting.add(wake);
    });
  }
}

/** Prepares an empty lock directory (the coordinator calls this before the workers start). */
export function initPairs(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

/**
 * How many scenarios may run at once (TARGET.md §10): the number of pairs of the most numerous combination, at most
 * `limit`. Scenarios of a scarcer combination wait for a pair of theirs (leasePair), so correctness never depends on
 * this figure; it only keeps workers from idling.
 */
export function parallelCap(target: Target, limit = 6): number {
  return Math.min(limit, Math.max(...pairsPerCombination(target).values()));
}

/** How many pairs each combination (`ucwa→taa`) has. */
export function pairsPerCombination(target: Target): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pairsOf(target)) {
    const k = combinationLabel(combinationOfPair(p));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}
