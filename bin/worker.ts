/**
 * The entry of the suite's worker processes: bin/lanes.ts forks this file instead of Cucumber's run_worker.js.
 *
 * A worker spends most of its start-up loading code: Cucumber's runtime, then the step definitions with everything
 * they import (the protocol client, the schemas' validation code, superagent, jose, …). Cucumber forks its workers
 * only after the coordinator has loaded the same code, parsed the features and assembled every test case, so on
 * two cores the worker's loading followed the coordinator's instead of overlapping it. The command line forks
 * this entry early instead (bin/lanes.ts `startWorkersEarly`), and it
 *  1. makes Cucumber's step matching use the native RegExp match indices (bin/match-indices.ts);
 *  2. loads Cucumber's worker runtime, its package index, and every step support module that registers nothing with Cucumber (all of
 *     steps/support but world and hooks, which call setWorldConstructor, Before, After…: they, and the step
 *     definitions, must register after Cucumber's builder is reset, so they load in step 3);
 *  3. loads the step definitions as soon as the coordinator has loaded its own (PREPARE_MESSAGE, from
 *     bin/lanes.ts prepareEarlyWorkers): they register with Cucumber's builder while the coordinator parses the
 *     features, and Cucumber's INITIALIZE, when it names the same code, reuses them (reuseLoadedSupport);
 *  4. waits for the environment of the run (ENV_MESSAGE, sent by the adapter just before Cucumber's INITIALIZE:
 *     the breaker's folder, the lanes, the receiver's tap… are decided after the fork), makes it its own, and
 *     hands the process to Cucumber's run_worker.js, which answers INITIALIZE, RUN and FINALIZE as usual.
 * The modules loaded in steps 2 and 3 see the environment of the fork: none of them reads a variable of the run at load
 * time (those it reads at load — CUCUMBER_WORKER_ID, UCWA_CONFORMANCE_LANES, UCWA_CONFORMANCE_EVENT_WAIT_MS — are
 * set before the fork).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useNativeMatchIndices } from './match-indices';

/** The message that carries the run's environment; the adapter sends it before Cucumber's INITIALIZE. */
export const ENV_MESSAGE = 'UCWA_CONFORMANCE_ENVIRONMENT';

/** The step support modules that register with Cucumber, loaded only once its builder is reset (PREPARE or INITIALIZE). */
const REGISTERING = ['world.js', 'hooks.js'];

/** The compiled step support modules a worker can load before it is initialised. */
export function preloadable(supportDir = path.join(__dirname, '..', 'steps', 'support')): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.js') && !(dir === supportDir && REGISTERING.includes(e.name))) out.push(p);
    }
  };
  if (fs.existsSync(supportDir)) visit(supportDir);
  return out;
}

/** The message that carries several of the worker's messages at once, in the order they were sent. */
export const BATCH_MESSAGE = 'UCWA_CONFORMANCE_BATCH';

/**
 * Batches process.send: the messages a worker sends in one turn of the event loop go as one BATCH_MESSAGE (or alone,
 * when there is one), which the coordinator's adapter unpacks in order (bin/lanes.ts). A quick run sends ~12,000
 * messages (each step's testStepStarted and testStepFinished, attachments, FINISHED, the tap's requests), each
 * one write on the channel and one read and 'message' event on the other side. process.exit flushes first:
 * Cucumber's worker exits right after sending its last messages, as it did before.
 */
/** At most this many messages in one batch, so that a busy stretch of the worker never makes one huge message. */
const MAX_BATCH = 64;

function batchSends(): void {
  const send = process.send?.bind(process);
  if (!send) return;
  let queue: unknown[] = [];
  const flush = () => {
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    if (process.connected) send(batch.length === 1 ? batch[0] : { type: BATCH_MESSAGE, messages: batch });
  };
  process.send = ((m: unknown) => {
    if (!queue.length) setImmediate(flush);
    queue.push(m);
    if (queue.length >= MAX_BATCH) flush();
    return true;
  }) as typeof process.send;
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    flush();
    return exit(code as number);
  }) as typeof process.exit;
}

function main(): void {
  useNativeMatchIndices();
  batchSends();
  const supportDir = path.join(__dirname, '..', 'steps', 'support');
  require('@cucumber/cucumber/lib/runtime/parallel/worker');
  // the package's index, which the step files import for Given/When/Then (its CLI, API and formatters: ~0.15 s)
  require('@cucumber/cucumber');
  for (const file of preloadable(supportDir)) require(file);
  // a support module that imported world or hooks would have registered them before Cucumber's reset, and the run
  // would silently lose its World and hooks: refuse to start instead
  const early = REGISTERING.map((f) => path.join(supportDir, f)).filter((f) => require.cache[f]);
  if (early.length) throw new Error(`bin/worker.ts: ${early.map((f) => path.relative(supportDir, f)).join(', ')} loaded before Cucumber's builder was reset (imported by a step support module); import what is needed from another module`);
  const prepared = reuseLoadedSupport();
  const beforeRun = (m: { type?: string; env?: Record<string, string> } & Partial<Preparation>) => {
    if (m?.type === PREPARE_MESSAGE && m.supportCodeCoordinates && m.supportCodeIds) {
      prepared.load({ supportCodeCoordinates: m.supportCodeCoordinates, supportCodeIds: m.supportCodeIds });
      return;
    }
    process.off('message', beforeRun);
    if (m?.type !== ENV_MESSAGE || !m.env) throw new Error(`bin/worker.ts: the first message must be ${PREPARE_MESSAGE} or ${ENV_MESSAGE}, got ${JSON.stringify(m?.type)}`);
    for (const k of Object.keys(process.env)) if (!(k in m.env)) delete process.env[k];
    Object.assign(process.env, m.env);
    require('@cucumber/cucumber/lib/runtime/parallel/run_worker');
  };
  process.on('message', beforeRun);
}

/** The message that names the run's support code ahead of Cucumber's INITIALIZE (bin/lanes.ts prepareEarlyWorkers). */
export const PREPARE_MESSAGE = 'UCWA_CONFORMANCE_PREPARE';

/** What PREPARE_MESSAGE carries: the two members of Cucumber's INITIALIZE that decide which support code loads. */
interface Preparation {
  supportCodeCoordinates: { requireModules: string[]; requirePaths: string[]; importPaths: string[]; loaders: string[] };
  supportCodeIds: Record<string, string[]>;
}

interface Builder {
  reset(cwd: string, newId: () => string, coordinates: Preparation['supportCodeCoordinates']): void;
  finalize(ids: Preparation['supportCodeIds']): unknown;
}

/**
 * Loading the step definitions before INITIALIZE. Cucumber's worker, on INITIALIZE, resets its support code
 * library builder, requires the support files (each registers its steps and hooks) and finalizes the library with
 * the coordinator's ids. PREPARE_MESSAGE does the same earlier, while the coordinator still parses and assembles;
 * when INITIALIZE then names the same coordinates and ids, Cucumber's initialize runs with the builder's reset and
 * finalize answered by what was prepared (the files are in Node's module cache: requiring them again registers
 * nothing). An INITIALIZE that names other code ends the worker with an error: its files are loaded and could not
 * register again. A failure while preparing (a step file that throws) is raised at INITIALIZE, where Cucumber
 * reports it as it would have.
 */
function reuseLoadedSupport(): { load(p: Preparation): void } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const builder = (require('@cucumber/cucumber/lib/support_code_library_builder/index') as { default: Builder }).default;
  const tryRequire = (require('@cucumber/cucumber/lib/try_require') as { default: (m: string) => unknown }).default;
  const { uuid } = (require('@cucumber/messages') as { IdGenerator: { uuid(): () => string } }).IdGenerator;
  const { ChildProcessWorker } = require('@cucumber/cucumber/lib/runtime/parallel/worker') as { ChildProcessWorker: { prototype: { initialize(c: Preparation): Promise<void> } } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  let prepared: { key: string; library?: unknown; error?: unknown } | undefined;
  const keyOf = (p: Preparation) => JSON.stringify([p.supportCodeCoordinates, p.supportCodeIds]);
  const initialize = ChildProcessWorker.prototype.initialize;
  ChildProcessWorker.prototype.initialize = async function (this: unknown, command: Preparation): Promise<void> {
    if (!prepared) return initialize.call(this, command);
    if (prepared.error !== undefined) throw prepared.error;
    if (prepared.key !== keyOf(command)) throw new Error('bin/worker.ts: INITIALIZE names other support code than PREPARE did; the step definitions are loaded and cannot register again');
    const { reset, finalize } = builder;
    const library = prepared.library;
    builder.reset = () => {};
    builder.finalize = () => library;
    try {
      return await initialize.call(this, command);
    } finally {
      builder.reset = reset;
      builder.finalize = finalize;
    }
  };
  return {
    load(p: Preparation): void {
      if (prepared) throw new Error(`bin/worker.ts: ${PREPARE_MESSAGE} arrived twice`);
      const c = p.supportCodeCoordinates;
      // ESM support files and loaders load asynchronously in Cucumber's initialize: left to it
      if (c.importPaths.length || c.loaders.length) return;
      prepared = { key: keyOf(p) };
      try {
        builder.reset(process.cwd(), uuid(), c);
        for (const m of c.requireModules) tryRequire(m);
        for (const f of c.requirePaths) tryRequire(f);
        prepared.library = builder.finalize(p.supportCodeIds);
      } catch (e) {
        prepared.error = e;
      }
    },
  };
}

if (require.main === module) main();
