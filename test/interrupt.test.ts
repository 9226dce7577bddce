import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../reference/app';
import { nodeArgs, ROOT } from '../bin/root';
import { runSuite } from './support/suite';

async function interruptedRun(signal: 'SIGINT' | 'SIGTERM', parallel: number) {
  const app = createApp();
  const server = http.createServer(app.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'interrupt-'));
  fs.writeFileSync(path.join(dir, 'target.json'), JSON.stringify(app.describe(url)));
  try {
    const child = spawn(process.execPath, nodeArgs('bin/conformance.ts', '--target', path.join(dir, 'target.json'), '--report-dir', path.join(dir, 'reports'), '--parallel', String(parallel), '--tags', '@req:LC-3 or @area:discovery'), {
      cwd: ROOT,
      env: { ...process.env, TARGET: '' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    // Interrupt once the slow scenarios hold applications and connecting invitations (LC-3's unanswered invitation
    // stays Connecting for its 30 s, whatever order the recorded durations give the scenarios).
    const deadline = Date.now() + 30_000;
    while (app.stats().connectingInvitations === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(app.stats().connectingInvitations > 0, `no invitation was started: ${out}`);
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((r) => setTimeout(r, 300));
    return { code, out, stats: app.stats(), reports: path.join(dir, 'reports') };
  } finally {
    app.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

for (const [signal, parallel] of [['SIGINT', 1], ['SIGTERM', 2]] as const) {
  test(`${signal} during a run (parallel ${parallel}): reports written and marked interrupted, nothing left on the target`, { timeout: 90_000 }, async () => {
    const r = await interruptedRun(signal, parallel);
    assert.equal(r.code, 2, r.out);
    const summary = JSON.parse(fs.readFileSync(path.join(r.reports, 'summary.json'), 'utf8')) as { complete: boolean; interruption?: string };
    assert.equal(summary.complete, false);
    assert.equal(summary.interruption, signal);
    assert.match(fs.readFileSync(path.join(r.reports, 'conformance.html'), 'utf8'), /INTERRUPTED/);
    assert.deepEqual(fs.readdirSync(r.reports).filter((f) => f.endsWith('.partial')), []);
    assert.equal(fs.existsSync(path.join(r.reports, 'cucumber.html')), false, "Cucumber's half-written report is not left as if complete");
    assert.equal(r.stats.applications, 0, `applications left: ${JSON.stringify(r.stats)} ${r.out}`);
    assert.equal(r.stats.connectingInvitations, 0, `invitations left open: ${JSON.stringify(r.stats)}`);
  });
}

test('a complete run leaves no application and no open invitation behind', { timeout: 120_000 }, async () => {
  const app = createApp({ noAnswerTimeoutSeconds: 2 });
  const server = http.createServer(app.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cleanup-'));
  fs.writeFileSync(path.join(dir, 'target.json'), JSON.stringify({ ...app.describe(url), timing: { noAnswerTimeoutSeconds: 2, toleranceSeconds: { early: 1, late: 3 } } }));
  try {
    const { code } = await runSuite(['--target', path.join(dir, 'target.json'), '--report-dir', path.join(dir, 'reports'), '--tags', 'not @slow']);
    assert.ok(code === 0 || code === 1, `exit ${code}`);
    const s = app.stats();
    assert.equal(s.applications, 0, JSON.stringify(s));
    assert.equal(s.connectingInvitations, 0, JSON.stringify(s));
  } finally {
    app.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
