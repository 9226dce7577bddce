import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { Progress, useColor } from '../bin/console';
import { runSuite } from './support/suite';

test('the console of a conforming run with a SHOULD warning says CONFORMING with 1 warning and nowhere "1 failed"', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  const { code, out } = await runSuite(['--report-dir', dir, '--parallel', '2', '--tags', '@req:SEC-5 or @req:SM-3'], { NO_COLOR: '1' });
  assert.equal(code, 0, out);
  // one requirement warned (SEC-5), whatever the number of transport combinations it ran in
  assert.match(out, /^Verdict: CONFORMING — 1 warning \(\d+ scenarios\)$/m);
  assert.doesNotMatch(out, /\b1 failed\b/);
  // Cucumber's own count ("2 scenarios (1 failed, 1 passed)") is not printed
  assert.doesNotMatch(out, /\d+ scenarios? \(/);
  // one warning block per transport combination the scenario ran in (`[taa→ucwa]`), each with its first exchange only
  assert.match(out, /^WARNING features\/.*Discovery and every href use HTTPS( \[[a-z→]+\])?$/m);
  const warnings = (out.match(/^WARNING /gm) ?? []).length;
  assert.match(out, /expected: https for discoveryUrl/);
  assert.match(out, /actual: {3}\d+ plain-http URLs/);
  assert.equal((out.match(/^ {6}#\d+ /gm) ?? []).length, warnings, out);
  assert.match(out, /more exchanges? in the HTML report \(or --verbose\)/);
  assert.doesNotMatch(out, /\x1b\[/, 'NO_COLOR: no escape codes');

  const verbose = await runSuite(['--report-dir', dir, '--parallel', '1', '--tags', '@req:SEC-5', '--verbose']);
  assert.ok((verbose.out.match(/^ {6}#\d+ /gm) ?? []).length > 1, verbose.out);
});

test('the progress line counts verdicts by the suite\'s rules: a failed SHOULD scenario is a warning, not a failure', () => {
  const lines: string[] = [];
  const p = new Progress({ write: (t) => lines.push(t), tty: false, color: false, gateLevel: 'must', deviations: new Map() });
  const t = { seconds: 0, nanos: 0 };
  const feed: Envelope[] = [
    { pickle: { id: 'p1', uri: 'a.feature', name: 'https', language: 'en', steps: [], tags: [{ name: '@should', astNodeId: 'x' }, { name: '@req:SEC-5', astNodeId: 'x' }], astNodeIds: ['s1'] } },
    { pickle: { id: 'p2', uri: 'a.feature', name: 'slow one', language: 'en', steps: [], tags: [{ name: '@must', astNodeId: 'x' }], astNodeIds: ['s2'] } },
    { testCase: { id: 'c1', pickleId: 'p1', testSteps: [] } },
    { testCase: { id: 'c2', pickleId: 'p2', testSteps: [] } },
    { testCaseStarted: { id: 'r1', testCaseId: 'c1', attempt: 0, timestamp: t } },
    { testCaseStarted: { id: 'r2', testCaseId: 'c2', attempt: 0, timestamp: t } },
    { testStepFinished: { testCaseStartedId: 'r1', testStepId: 's', timestamp: t, testStepResult: { status: 'FAILED' as never, duration: t, exception: { type: 'RequirementFailure', message: '[SEC-5] no' } } } },
    { testCaseFinished: { testCaseStartedId: 'r1', timestamp: t, willBeRetried: false } },
  ] as Envelope[];
  for (const m of feed) p.onMessage(m);
  assert.match(p.line(), /^1\/2 scenarios · 0:0\d · 0 failed · 1 warnings · 0 inconclusive · running \d+ s: slow one$/);
  assert.equal(useColor({ isTTY: true }, 'default', { NO_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, 'ci', {}), false);
  assert.equal(useColor({ isTTY: false }, 'default', {}), false);
  assert.equal(useColor({ isTTY: true }, 'default', {}), true);
});
