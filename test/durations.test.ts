import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { DURATIONS_VARIABLE, durationsFile, durationsOf, readDurations, recordDurations, scenarioKey } from '../bin/durations';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require('../bin/slow-first.js') as { coordinator(o: { transform(event: string, fn: (x: Item[]) => Item[]): void }): void };
type Item = { pickle: { uri: string; name: string; tags: { name: string }[] } };

function order(items: Item[]): string[] {
  let fn: ((x: Item[]) => Item[]) | undefined;
  plugin.coordinator({ transform: (event, f) => event === 'pickles:order' && (fn = f) });
  return fn!(items).map((i) => i.pickle.name);
}

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

function run(cases: [name: string, startMs: number, endMs: number][]): Envelope[] {
  return cases.flatMap(([name, s, e], i) => [
    { pickle: { id: `p${i}`, uri: `/tmp/x/features/a.feature`, name, astNodeIds: [], language: 'en', steps: [], tags: [] } },
    { testCase: { id: `c${i}`, pickleId: `p${i}`, testSteps: [], testRunStartedId: 'r' } },
    { testCaseStarted: { id: `s${i}`, testCaseId: `c${i}`, attempt: 0, timestamp: at(s) } },
    { testCaseFinished: { testCaseStartedId: `s${i}`, timestamp: at(e), willBeRetried: false } },
  ]) as unknown as Envelope[];
}

test('durations are read from the messages by feature file and scenario name, and merged into the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'durations-'));
  try {
    const file = path.join(dir, 'sub', 'd.json');
    assert.deepEqual([...durationsOf(run([['A [taa→ucwa]', 1000, 3500], ['B', 1000, 1250]]))], [
      ['a.feature A [taa→ucwa]', 2500],
      ['a.feature B', 250],
    ]);
    recordDurations(file, run([['A', 0, 2000], ['B', 0, 100]]));
    recordDurations(file, run([['B', 0, 300]]));
    assert.deepEqual(readDurations(file).scenarios, { 'a.feature A': 2000, 'a.feature B': 300 });
    fs.writeFileSync(file, '{not json');
    assert.deepEqual(readDurations(file).scenarios, {}, 'an unreadable file is started afresh');
    assert.equal(durationsFile('x', dir), undefined, 'no node_modules: nowhere to cache');
    fs.mkdirSync(path.join(dir, 'node_modules'));
    assert.match(durationsFile('UCWA reference server', dir) ?? '', /node_modules\/\.cache\/ucwa-messaging-conformance\/durations-[0-9a-f]{16}\.json$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the longest recorded scenarios start first; unrecorded @slow ones before everything, other unrecorded ones last', () => {
  const item = (name: string, slow = false): Item => ({ pickle: { uri: 'features/x/b.feature', name, tags: slow ? [{ name: '@slow' }] : [] } });
  const items = [item('quick'), item('new'), item('long'), item('slow-new', true), item('mid')];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'durations-'));
  const file = path.join(dir, 'd.json');
  try {
    delete process.env[DURATIONS_VARIABLE];
    assert.deepEqual(order(items), ['slow-new', 'quick', 'new', 'long', 'mid'], 'without a record: @slow first, the rest as given');
    fs.writeFileSync(file, JSON.stringify({ version: 1, scenarios: { [scenarioKey('b.feature', 'quick')]: 50, [scenarioKey('b.feature', 'long')]: 2900, [scenarioKey('b.feature', 'mid')]: 400 } }));
    process.env[DURATIONS_VARIABLE] = file;
    assert.deepEqual(order(items), ['slow-new', 'long', 'mid', 'quick', 'new']);
  } finally {
    delete process.env[DURATIONS_VARIABLE];
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
