import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

test('after npm pack and an install elsewhere, `npx ucwa-conformance --help` and the matrix command work', { timeout: 300_000 }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
  const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  const tarball = path.join(work, packed);
  assert.ok(fs.existsSync(tarball), `npm pack wrote ${packed}`);
  const app = path.join(work, 'elsewhere');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'elsewhere', version: '1.0.0', private: true }));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], { cwd: app, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);

  const help = spawnSync('npx', ['--no-install', 'ucwa-conformance', '--help'], { cwd: app, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  for (const option of ['--target', '--report-dir', '--deviations', '--level', '--tags', '--area', '--parallel', '--profile', 'TARGET'])
    assert.match(help.stdout, new RegExp(option.replace(/-/g, '\\-')), option);

  const runA = path.join(app, 'run-a');
  const runB = path.join(app, 'run-b');
  const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'examples', 'summary', 'valid-one-requirement.json'), 'utf8')) as {
    requirements: Record<string, { verdict: string }>;
  };
  fs.mkdirSync(runA);
  fs.mkdirSync(runB);
  fs.writeFileSync(path.join(runA, 'summary.json'), JSON.stringify(example));
  example.requirements['SM-1']!.verdict = 'fail';
  fs.writeFileSync(path.join(runB, 'summary.json'), JSON.stringify(example));
  const matrix = spawnSync('npx', ['--no-install', 'ucwa-conformance', 'matrix', 'run-a', 'run-b', '--out', 'matrix.html'], { cwd: app, encoding: 'utf8' });
  assert.equal(matrix.status, 0, matrix.stderr);
  assert.match(fs.readFileSync(path.join(app, 'matrix.html'), 'utf8'), /data-differs="true"><th>SM-1<\/th>/);
});
