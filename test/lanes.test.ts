import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lanePlan } from '../bin/lanes';
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
