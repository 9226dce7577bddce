import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FAULTS } from '../reference/faults';
import { nodeArgs, ROOT } from '../bin/root';

interface Report {
  baseline: { passed: boolean; problems: string[] };
  variants: { name: string; verdict: string; breaks: string[]; diagnosedBy: string[]; failing: string[] }[];
  totals: { variants: number; caught: number; correctlyDiagnosed: number; caughtPercent: number; diagnosedPercent: number };
  passed: boolean;
}

test('mutation self-test: the unmodified reference server passes and every fault variant is caught by its own requirement', { timeout: 900_000 }, async () => {
  assert.ok(FAULTS.length >= 60, `at least 60 variants (${FAULTS.length})`);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'selftest-')), 'selftest.json');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, nodeArgs('bin/selftest.ts', '--out', out), { cwd: ROOT, env: { ...process.env, TARGET: '' }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', resolve);
  });
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
  assert.deepEqual(report.baseline.problems, [], 'the unmodified reference server passes');
  const missed = report.variants.filter((v) => v.verdict !== 'caught').map((v) => `${v.verdict}: ${v.name} (breaks ${v.breaks.join(' ')}; failing ${v.failing.join('; ') || 'nothing'})`);
  assert.deepEqual(missed, [], 'every variant is caught by a scenario tagged with a requirement it declares');
  assert.equal(report.totals.variants, FAULTS.length);
  assert.ok(report.totals.diagnosedPercent >= 95);
  assert.equal(code, 0);
});
