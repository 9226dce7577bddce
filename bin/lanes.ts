/**
 * Lanes: each Cucumber worker process runs several scenarios at once.
 *
 * The suite's scenarios spend most of their time waiting on the protocol (an event, a deadline, a 30 s read-back)
 * and little on the CPU, so a scenario per process wastes both memory (a Node process with Cucumber and the step
 * support loaded is ~90 MB) and start-up (each worker loads everything again) on a 2-core machine. Cucumber's own
 * worker (lib/runtime/parallel/worker.js) already runs every RUN command it receives as it arrives, each in a
 * fresh TestCaseRunner; only its coordinator-side adapter waits for a worker to finish before giving it more.
 * This adapter keeps up to `lanes` test cases in flight per worker process instead. Each scenario in a lane leases
 * its own caller/callee pair (steps/support/lanes.ts), so concurrent scenarios never share accounts. The one
 * thing lanes share is the process: an exception thrown outside any promise (a bug in step code) reaches every
 * step running at that moment, as Cucumber's uncaught-exception handler is per process.
 *
 * Installed by replacing the adapter class Cucumber's runtime instantiates for `parallel > 0`
 * (lib/runtime/make_runtime.js reads `ChildProcessAdapter` from that module when a run starts): pinned to the
 * Cucumber major of package.json; test/lanes.test.ts runs a parallel run through it.
 */
import type { ChildProcess } from 'node:child_process';
import { LANES_VARIABLE } from '../steps/support/lanes';

interface ManagedWorker {
  state: number;
  process: ChildProcess;
  id: string;
}

interface Message {
  type: string;
  success?: boolean;
  envelope?: unknown;
}

interface Item {
  pickle: unknown;
}

/** The fields of Cucumber's ChildProcessAdapter this subclass uses (TypeScript sees them as private). */
interface AdapterInternals {
  failing: boolean;
  idleInterventions: number;
  todo: Item[];
  inProgress: Record<string, Item>;
  workers: Record<string, ManagedWorker>;
  eventBroadcaster: { emit(event: string, envelope: unknown): void };
  supportCodeLibrary: { parallelCanAssign(pickle: unknown, inProgress: unknown[]): boolean };
  nextWorkPlacement(): { index: number; item: Item } | null;
  placementAt(index: number): { index: number; item: Item };
}

// Cucumber's WorkerState (a const enum in its typings)
const IDLE = 0;
const RUNNING = 2;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const adapterModule = require('@cucumber/cucumber/lib/runtime/parallel/adapter') as { ChildProcessAdapter: new (...args: unknown[]) => object };
const CucumberAdapter = adapterModule.ChildProcessAdapter;

let lanesPerWorker = 1;

class LaneAdapter extends CucumberAdapter {
  /** test cases in flight per worker id */
  private readonly busy = new Map<string, number>();
  /** set by run(): until then the workers start up, and what they say waits */
  private running = false;
  private readonly early: Message[] = [];
  private earlyExits: (number | null)[] = [];

  /**
   * The worker processes start as soon as the run knows what to load, while the coordinator still assembles the
   * test cases (Cucumber starts them only afterwards): their start-up, ~0.7 s of loading on this machine, overlaps
   * that work instead of following it.
   */
  constructor(...args: unknown[]) {
    super(...args);
    const total = (args[4] as { parallel: number }).parallel;
    for (let i = 0; i < total; i++) (this as unknown as { startWorker(id: string, total: number): void }).startWorker(String(i), total);
  }

  private get self(): AdapterInternals {
    return this as unknown as AdapterInternals;
  }

  async run(assembledTestCases: readonly Item[]): Promise<boolean> {
    const a = this.self as AdapterInternals & { onFinish?: (ok: boolean) => void; logger: { warn(m: string): void } };
    a.todo = Array.from(assembledTestCases);
    return new Promise<boolean>((resolve) => {
      a.onFinish = (ok) => {
        if (a.idleInterventions > 0) a.logger.warn(`WARNING: All workers went idle ${a.idleInterventions} time(s). Consider revising handler passed to setParallelCanAssign.`);
        resolve(ok);
      };
      this.running = true;
      // envelopes a worker sent while starting (BeforeAll hooks) follow testRunStarted and the test cases
      for (const m of this.early.splice(0)) a.eventBroadcaster.emit('envelope', m.envelope);
      for (const code of this.earlyExits.splice(0)) this.onWorkerProcessClose(code);
      for (const worker of Object.values(a.workers)) if (worker.state === IDLE) this.awakenWorkers(worker);
    });
  }

  onWorkerProcessClose(exitCode: number | null): void {
    if (!this.running) {
      this.earlyExits.push(exitCode);
      return;
    }
    (CucumberAdapter.prototype as unknown as { onWorkerProcessClose(c: number | null): void }).onWorkerProcessClose.call(this, exitCode);
  }

  parseWorkerMessage(worker: ManagedWorker, message: Message): void {
    const a = this.self;
    switch (message.type) {
      case 'READY':
        worker.state = IDLE;
        this.busy.set(worker.id, 0);
        if (this.running) this.awakenWorkers(worker);
        break;
      case 'ENVELOPE':
        if (this.running) a.eventBroadcaster.emit('envelope', message.envelope);
        else this.early.push(message);
        break;
      case 'FINISHED': {
        if (!message.success) a.failing = true;
        const n = (this.busy.get(worker.id) ?? 1) - 1;
        this.busy.set(worker.id, n);
        // FINISHED does not say which of the worker's test cases ended: drop its oldest slot (the suite sets no
        // parallelCanAssign rule, the only reader of which ones are in progress besides their count)
        const slot = Object.keys(a.inProgress).find((k) => k.startsWith(`${worker.id}:`));
        if (slot !== undefined) delete a.inProgress[slot];
        worker.state = n === 0 ? IDLE : RUNNING;
        this.awakenWorkers(worker);
        break;
      }
      default:
        throw new Error(`Unexpected message from worker: ${JSON.stringify(message)}`);
    }
  }

  awakenWorkers(triggeringWorker: ManagedWorker): void {
    const a = this.self;
    for (const worker of Object.values(a.workers)) while (this.hasRoom(worker) && this.giveWork(worker)) {}
    if (Object.keys(a.inProgress).length === 0 && a.todo.length > 0) {
      this.giveWork(triggeringWorker, true);
      a.idleInterventions++;
    }
  }

  private hasRoom(worker: ManagedWorker): boolean {
    const n = this.busy.get(worker.id);
    return n !== undefined && n < lanesPerWorker && (worker.state === IDLE || worker.state === RUNNING);
  }

  /** Gives the worker one test case (or, with nothing left and nothing in flight, the order to finish); returns whether it took one. */
  giveWork(worker: ManagedWorker, force = false): boolean {
    const a = this.self;
    const n = this.busy.get(worker.id) ?? 0;
    if (a.todo.length < 1) {
      if (n === 0 && worker.state !== RUNNING) {
        worker.state = RUNNING;
        this.busy.delete(worker.id);
        worker.process.send({ type: 'FINALIZE' });
      }
      return false;
    }
    const placement = force ? a.placementAt(0) : a.nextWorkPlacement();
    if (placement === null) return false;
    a.todo.splice(placement.index, 1);
    let slot = 0;
    while (`${worker.id}:${slot}` in a.inProgress) slot++;
    a.inProgress[`${worker.id}:${slot}`] = placement.item;
    this.busy.set(worker.id, n + 1);
    worker.state = RUNNING;
    worker.process.send({ type: 'RUN', assembledTestCase: placement.item, failing: a.failing });
    return true;
  }
}

/**
 * Makes the parallel runs of this process give each worker process up to `lanes` scenarios at once, and tells the
 * workers (through the environment they inherit) how many pairs each may lease. Returns a function that undoes it.
 */
export function useLanes(lanes: number): () => void {
  lanesPerWorker = Math.max(1, Math.floor(lanes));
  const previous = process.env[LANES_VARIABLE];
  process.env[LANES_VARIABLE] = String(lanesPerWorker);
  adapterModule.ChildProcessAdapter = LaneAdapter;
  return () => {
    adapterModule.ChildProcessAdapter = CucumberAdapter;
    if (previous === undefined) delete process.env[LANES_VARIABLE];
    else process.env[LANES_VARIABLE] = previous;
  };
}

/**
 * Worker processes by default: chosen from measurements on the 2-core machine (README "Speed"): one process per
 * core beside the coordinator's (which serves the embedded reference server and reads every message) is enough for
 * scenarios that mostly wait; more processes cost memory and start-up and gain nothing.
 */
export const DEFAULT_WORKER_PROCESSES = 1;

/** How `parallel` scenarios at once are spread: over how many worker processes, with how many lanes each. */
export function lanePlan(parallel: number, workers = Number(process.env.UCWA_CONFORMANCE_WORKERS ?? DEFAULT_WORKER_PROCESSES)): { workers: number; lanes: number } {
  if (parallel <= 1) return { workers: 0, lanes: 1 };
  const w = Math.max(1, Math.min(parallel, Number.isInteger(workers) && workers >= 1 ? workers : DEFAULT_WORKER_PROCESSES));
  return { workers: w, lanes: Math.ceil(parallel / w) };
}
