import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lanePlan, supportCodeIdsOf } from '../bin/lanes';
import { runSuite } from './support/suite';

test('the lane plan spreads the scenarios at once over the worker processes', () => {
  assert.deepEqual(lanePlan(1, 1), { workers: 0, lanes: 1 });
  assert.deepEqual(lanePlan(6, 1), { workers: 1, lanes: 6 });
  assert.deepEqual(lanePlan(6, 2), { workers: 2, lanes: 3 });
  assert.deepEqual(lanePlan(5, 2), { workers: 2, lanes: 3 });
  assert.deepEqual(lanePlan(2, 6), { workers: 2, lanes: 1 });
});

test('one worker process runs several scenarios at once, each with its own pair, and the run passes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanes-'));
  const r = await runSuite(['--report-dir', dir, '--area', 'events', '--tags', 'not @slow', '--parallel', '4'], { UCWA_CONFORMANCE_WORKERS: '1' });
  assert.equal(r.code, 0, r.out);
  const messages = fs.readFileSync(path.join(dir, 'messages.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, { id?: string; workerId?: string; testCaseStartedId?: string }>);
  const workers = new Set(messages.filter((m) => m.testCaseStarted).map((m) => m.testCaseStarted?.workerId));
  assert.equal(workers.size, 1, 'one worker process');
  let running = 0;
  let most = 0;
  for (const m of messages) {
    if (m.testCaseStarted) most = Math.max(most, ++running);
    if (m.testCaseFinished) running--;
  }
  assert.ok(most > 1, `scenarios overlapped (at most ${most} at once)`);
  assert.ok(most <= 4, `at most --parallel scenarios at once (${most})`);
});

/** Forks the suite's worker entry, sends `messages` in order, and resolves with READY or the exit and stderr. */
async function workerAnswers(messages: unknown[]): Promise<{ ready: boolean; code: number | null; stderr: string }> {
  const { fork } = await import('node:child_process');
  const { nodeArgs } = await import('../bin/root');
  const [flag, entry] = nodeArgs('bin/worker.ts');
  const child = fork(entry!, [], { execArgv: [flag!], env: { ...process.env, CUCUMBER_WORKER_ID: '0', CUCUMBER_TOTAL_WORKERS: '1' }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const isReady = (m: { type?: string; messages?: { type?: string }[] }) => m.type === 'READY' || (m.messages ?? []).some((x) => x.type === 'READY');
    child.on('message', (m: { type?: string; messages?: { type?: string }[] }) => {
      if (!isReady(m)) return;
      child.kill();
      resolve({ ready: true, code: null, stderr });
    });
    child.on('exit', (code) => resolve({ ready: false, code, stderr }));
    for (const m of messages) child.send(m as never);
  });
}

test('a worker prepared with the run’s support code reuses it at INITIALIZE, and refuses an INITIALIZE that names other code', async () => {
  const { loadConfiguration, loadSupport } = await import('@cucumber/cucumber/api');
  const { ENV_MESSAGE, PREPARE_MESSAGE } = await import('../bin/worker');
  const { ROOT } = await import('../bin/root');
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js' }, { cwd: ROOT });
  const library = (await loadSupport(runConfiguration, { cwd: ROOT })) as unknown as Parameters<typeof supportCodeIdsOf>[0];
  // the ids as the adapter's INITIALIZE and PREPARE give them
  const ids = supportCodeIdsOf(library);
  assert.ok(ids.stepDefinitionIds.length > 100);
  const prepare = { type: PREPARE_MESSAGE, supportCodeCoordinates: library.originalCoordinates, supportCodeIds: ids };
  const env = { type: ENV_MESSAGE, env: { ...process.env, CUCUMBER_WORKER_ID: '0', CUCUMBER_TOTAL_WORKERS: '1' } };
  const initialize = (supportCodeIds: typeof ids) => ({ type: 'INITIALIZE', testRunStartedId: 'run-1', supportCodeCoordinates: library.originalCoordinates, supportCodeIds, options: runConfiguration.runtime, snippetOptions: {} });
  const same = await workerAnswers([prepare, env, initialize(ids)]);
  assert.ok(same.ready, `READY after the prepared INITIALIZE (exit ${same.code}: ${same.stderr})`);
  const unprepared = await workerAnswers([env, initialize(ids)]);
  assert.ok(unprepared.ready, `READY without PREPARE, as Cucumber's worker does (exit ${unprepared.code}: ${unprepared.stderr})`);
  const other = await workerAnswers([prepare, env, initialize({ ...ids, stepDefinitionIds: ids.stepDefinitionIds.map((id) => `${id}-other`) })]);
  assert.equal(other.ready, false);
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /INITIALIZE names other support code than PREPARE did/);
});
