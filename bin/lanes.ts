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
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { LANES_VARIABLE } from '../steps/support/lanes';
import { BATCH_MESSAGE, ENV_MESSAGE, PREPARE_MESSAGE } from './worker';
import { wantedOf, type Combination, type Wanted } from '../steps/support/pairs';
import { PairBudget } from './placement';

interface ManagedWorker {
  state: number;
  process: ChildProcess;
  id: string;
}

/** What Cucumber's adapter holds that startWorker uses (lib/runtime/parallel/adapter.js). */
interface StartInternals {
  environment: { cwd: string; env: NodeJS.ProcessEnv };
  testRunStartedId: string;
  options: unknown;
  snippetOptions: unknown;
  supportCodeLibrary: {
    originalCoordinates: unknown;
    stepDefinitions: { id: string }[];
    beforeTestCaseHookDefinitions: { id: string }[];
    afterTestCaseHookDefinitions: { id: string }[];
    beforeTestRunHookDefinitions: { id: string }[];
    afterTestRunHookDefinitions: { id: string }[];
  };
}

/** The suite's worker entry (bin/worker.ts), forked in place of Cucumber's run_worker.js. */
const WORKER_ENTRY = path.join(__dirname, 'worker.js');

/** Workers forked ahead of the run (startWorkersEarly), by id, with the worker count they were forked for. */
const forkedEarly = new Map<string, { process: ChildProcess; total: number; cwd: string }>();

/** A worker's environment: the run's, with the variables Cucumber's adapter gives each worker. */
function workerEnv(env: NodeJS.ProcessEnv, id: string, total: number): NodeJS.ProcessEnv {
  return { ...env, CUCUMBER_PARALLEL: 'true', CUCUMBER_TOTAL_WORKERS: String(total), CUCUMBER_WORKER_ID: id };
}

/**
 * V8's heap growth for the workers: the next full collection when the heap has grown by half over what the last one
 * kept, instead of V8's adaptive factor (up to 4 ×). A worker keeps ~45 MB alive, but its scenarios promote much
 * short-lived data to the old generation, and with the adaptive factor its heap reached 117–130 MB used before a
 * full collection in about half the full runs: the process tree's peak RSS moved between ~300 and ~380 MB from one
 * identical run to the next. With this factor two interleaved pairs of full runs peaked at 292 and 297 MB against
 * 351 and 379 MB, and quick runs cost ~0.05 s more. A growth flag given to the command line's node wins.
 */
export const WORKER_HEAP_GROWING_PERCENT = 50;

function forkWorker(id: string, total: number, cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const execArgv = process.execArgv.some((a) => a.startsWith('--heap-growing-percent')) ? process.execArgv : [...process.execArgv, `--heap-growing-percent=${WORKER_HEAP_GROWING_PERCENT}`];
  return fork(WORKER_ENTRY, [], { cwd, env: workerEnv(env, id, total), execArgv, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
}

/**
 * Forks the run's `total` worker processes now, so that they load their code (bin/worker.ts) while the command line
 * still prepares the run (the start-up check, the per-combination features, Cucumber's configuration, support code
 * and test cases); the run's adapter takes them over. Call after useLanes, with the count lanePlan gives.
 */
export function startWorkersEarly(total: number, cwd: string): void {
  stopEarlyWorkers();
  for (let i = 0; i < total; i++) forkedEarly.set(String(i), { process: forkWorker(String(i), total, cwd, process.env), total, cwd });
}

/** The step definitions' and hooks' ids, as Cucumber's INITIALIZE gives them to a worker. */
export function supportCodeIdsOf(library: StartInternals['supportCodeLibrary']) {
  return {
    stepDefinitionIds: library.stepDefinitions.map((s) => s.id),
    beforeTestCaseHookDefinitionIds: library.beforeTestCaseHookDefinitions.map((h) => h.id),
    afterTestCaseHookDefinitionIds: library.afterTestCaseHookDefinitions.map((h) => h.id),
    beforeTestRunHookDefinitionIds: library.beforeTestRunHookDefinitions.map((h) => h.id),
    afterTestRunHookDefinitionIds: library.afterTestRunHookDefinitions.map((h) => h.id),
  };
}

/**
 * Tells the workers forked early which support code the run loaded (the coordinator's library, from loadSupport),
 * so that they load the step definitions now, while the coordinator parses the features and assembles the test
 * cases, instead of when Cucumber's INITIALIZE arrives after that (~0.15 s of the critical path). INITIALIZE must
 * then name the same code and ids (bin/worker.ts checks).
 */
export function prepareEarlyWorkers(library: unknown): void {
  const lib = library as StartInternals['supportCodeLibrary'];
  for (const w of forkedEarly.values())
    // a worker that died meanwhile is the adapter's to report (its INITIALIZE finds it gone): no error event here
    if (w.process.connected) w.process.send({ type: PREPARE_MESSAGE, supportCodeCoordinates: lib.originalCoordinates, supportCodeIds: supportCodeIdsOf(lib) }, () => {});
}

/** Ends the workers forked early that no run took over (a run stopped before Cucumber started). */
export function stopEarlyWorkers(): void {
  for (const w of forkedEarly.values()) if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill('SIGTERM');
  forkedEarly.clear();
}

interface Message {
  type: string;
  success?: boolean;
  envelope?: unknown;
}

interface Item {
  pickle: { tags: readonly { name: string }[] };
  testCase: { id: string };
}

interface Envelope {
  testCaseStarted?: { id: string; testCaseId: string };
  testCaseFinished?: { testCaseStartedId: string; willBeRetried: boolean };
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
/** the pairs' combinations of the run's target, for placement by free pairs (bin/placement.ts) */
let pairCombinations: readonly Combination[] | undefined;
/** answers the workers' own requests (the receiver's tap over IPC: steps/support/callbacks/ipc.ts) */
let serveWorkers: LaneOptions['serve'];

/** What a run adds to the lanes. */
export interface LaneOptions {
  /** the transport combinations of the target's pairs: scenarios are handed out only when a pair of theirs is free */
  combinations?: readonly Combination[];
  /**
   * Makes, for each worker process, the handler of the messages it sends beside Cucumber's (given how to answer
   * it); the handler returns whether the message was its own.
   */
  serve?: (send: (m: unknown) => void) => (message: { type?: string; id?: number }) => boolean;
}

class LaneAdapter extends CucumberAdapter {
  /** test cases in flight per worker id */
  private readonly busy = new Map<string, number>();
  /** set by run(): until then the workers start up, and what they say waits */
  private running = false;
  private readonly early: Message[] = [];
  private earlyExits: (number | null)[] = [];
  private readonly budget = pairCombinations ? new PairBudget(pairCombinations) : undefined;
  private readonly wants = new WeakMap<Item, Wanted | undefined>();
  /** testCaseStarted id → test case id, and per worker the test cases whose end it reported, oldest first */
  private readonly startedCases = new Map<string, string>();
  private readonly endedCases = new Map<string, string[]>();
  /** per worker id, the handler of its own requests (LaneOptions.serve) */
  private readonly served = new Map<string, (message: { type?: string; id?: number }) => boolean>();

  /**
   * The workers are taken over (forked early by startWorkersEarly, or forked now) and initialised as soon as the run
   * knows what to load, while the coordinator still assembles the test cases (Cucumber starts them only
   * afterwards): their start-up overlaps that work instead of following it.
   */
  constructor(...args: unknown[]) {
    super(...args);
    const total = (args[4] as { parallel: number }).parallel;
    for (let i = 0; i < total; i++) this.startWorker(String(i), total);
  }

  /**
   * Cucumber's startWorker (lib/runtime/parallel/adapter.js), with the suite's worker entry: a worker forked early
   * for this id is taken over, else one is forked now. Either way it first gets the run's environment (ENV_MESSAGE),
   * then Cucumber's INITIALIZE.
   */
  startWorker(id: string, total: number): void {
    const a = this as unknown as AdapterInternals & StartInternals;
    const ready = forkedEarly.get(id);
    forkedEarly.delete(id);
    const usable = ready && ready.total === total && ready.cwd === a.environment.cwd && ready.process.exitCode === null && ready.process.connected;
    if (ready && !usable) ready.process.kill('SIGTERM');
    const workerProcess = usable ? ready.process : forkWorker(id, total, a.environment.cwd, a.environment.env);
    const worker: ManagedWorker = { state: 3 /* WorkerState.new */, process: workerProcess, id };
    a.workers[id] = worker;
    const serve = serveWorkers?.((m) => {
      if (workerProcess.connected) workerProcess.send(m as never);
    });
    if (serve) this.served.set(id, serve);
    workerProcess.on('message', (message: Message) => this.parseWorkerMessage(worker, message));
    workerProcess.on('close', (exitCode: number | null) => {
      worker.state = 1; // WorkerState.closed
      this.onWorkerProcessClose(exitCode);
    });
    workerProcess.send({ type: ENV_MESSAGE, env: workerEnv(a.environment.env, id, total) });
    const library = a.supportCodeLibrary;
    workerProcess.send({
      type: 'INITIALIZE',
      testRunStartedId: a.testRunStartedId,
      supportCodeCoordinates: library.originalCoordinates,
      supportCodeIds: supportCodeIdsOf(library),
      options: a.options,
      snippetOptions: a.snippetOptions,
    });
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
      case 'ENVELOPE': {
        const e = message.envelope as Envelope;
        if (e.testCaseStarted) this.startedCases.set(e.testCaseStarted.id, e.testCaseStarted.testCaseId);
        if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) {
          const id = this.startedCases.get(e.testCaseFinished.testCaseStartedId);
          this.startedCases.delete(e.testCaseFinished.testCaseStartedId);
          if (id !== undefined) {
            const ended = this.endedCases.get(worker.id) ?? [];
            ended.push(id);
            this.endedCases.set(worker.id, ended);
          }
        }
        if (this.running) a.eventBroadcaster.emit('envelope', message.envelope);
        else this.early.push(message);
        break;
      }
      case 'FINISHED': {
        if (!message.success) a.failing = true;
        const n = (this.busy.get(worker.id) ?? 1) - 1;
        this.busy.set(worker.id, n);
        // FINISHED does not say which of the worker's test cases ended; its envelopes did (testCaseFinished comes
        // before FINISHED on the same channel): free that slot, else the worker's oldest
        const ended = this.endedCases.get(worker.id)?.shift();
        const mine = Object.keys(a.inProgress).filter((k) => k.startsWith(`${worker.id}:`));
        const slot = mine.find((k) => a.inProgress[k]?.testCase.id === ended) ?? mine[0];
        if (slot !== undefined) {
          this.budget?.give(this.wanted(a.inProgress[slot]!));
          delete a.inProgress[slot];
        }
        worker.state = n === 0 ? IDLE : RUNNING;
        this.awakenWorkers(worker);
        break;
      }
      case BATCH_MESSAGE:
        for (const m of (message as Message & { messages: Message[] }).messages) this.parseWorkerMessage(worker, m);
        break;
      default:
        if (this.served.get(worker.id)?.(message)) break;
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

  /** The pair a test case asks for, from its `@via:` tag (read once: the queue is scanned at every placement). */
  private wanted(item: Item): Wanted | undefined {
    if (!this.wants.has(item)) this.wants.set(item, wantedOf(item.pickle.tags.map((t) => t.name)));
    return this.wants.get(item);
  }

  /** Cucumber's rule (parallelCanAssign, in queue order), and a free pair for the scenario (bin/placement.ts). */
  nextWorkPlacement(): { index: number; item: Item } | null {
    const a = this.self;
    const inProgress = Object.values(a.inProgress).map((i) => i.pickle);
    for (let index = 0; index < a.todo.length; index++) {
      const item = a.todo[index]!;
      if (this.budget && !this.budget.fits(this.wanted(item))) continue;
      if (a.supportCodeLibrary.parallelCanAssign(item.pickle, inProgress)) return { index, item };
    }
    return null;
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
    this.budget?.take(this.wanted(placement.item));
    let slot = 0;
    while (`${worker.id}:${slot}` in a.inProgress) slot++;
    a.inProgress[`${worker.id}:${slot}`] = placement.item;
    this.busy.set(worker.id, n + 1);
    worker.state = RUNNING;
    worker.process.send({ type: 'RUN', assembledTestCase: withoutFeatureBody(placement.item), failing: a.failing });
    return true;
  }
}

/**
 * The test case as a worker needs it: Cucumber's worker passes the Gherkin document only to hooks (the suite's read
 * the pickle), and the whole document, every scenario of the feature copy, went through the IPC channel with each
 * of the ~750 test cases (a quick run's RUN messages: 8.2 MB of JSON written by the coordinator and parsed by the
 * worker; 2.9 MB without). The
 * document keeps its uri and its feature's name, tags, location and description, without the children.
 */
function withoutFeatureBody(item: Item): Item {
  const doc = (item as Item & { gherkinDocument?: { feature?: { children?: unknown[] } } }).gherkinDocument;
  if (!doc?.feature) return item;
  return { ...item, gherkinDocument: { ...doc, comments: [], feature: { ...doc.feature, children: [] } } } as Item;
}

/**
 * Makes the parallel runs of this process give each worker process up to `lanes` scenarios at once (LaneOptions:
 * only scenarios with a free pair, bin/placement.ts; the workers' own requests answered), and tells the
 * workers (through the environment they inherit) how many pairs each may lease. Returns a function that undoes it.
 */
export function useLanes(lanes: number, o: LaneOptions = {}): () => void {
  lanesPerWorker = Math.max(1, Math.floor(lanes));
  pairCombinations = o.combinations;
  serveWorkers = o.serve;
  const previous = process.env[LANES_VARIABLE];
  process.env[LANES_VARIABLE] = String(lanesPerWorker);
  adapterModule.ChildProcessAdapter = LaneAdapter;
  return () => {
    stopEarlyWorkers();
    pairCombinations = undefined;
    serveWorkers = undefined;
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
