import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSuite } from './support/suite';

/** TARGET.md §12 and issue 12: TAA descriptions the suite cannot use stop before any request, exit 2, naming the member, reports written. */

function description(callbackPort: number, withTaa = true): Record<string, unknown> {
  return {
    relPrefix: 'service:',
    ...(withTaa ? { taa: { discoverUrl: 'http://127.0.0.1:9/platformservice/discover', allowHttpCallbackUrls: true } } : {}),
    users: {
      caller: { uri: 'sip:helpdesk@example.com', transport: 'taa', token: 'tok-helpdesk-0123', callbackUrl: `http://127.0.0.1:${callbackPort}/cb/helpdesk` },
      callee: { uri: 'sip:orders@example.com', transport: 'taa', token: 'tok-orders-0123', callbackUrl: `http://127.0.0.1:${callbackPort}/cb/orders` },
    },
  };
}

function write(d: unknown): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taa-run-'));
  const file = path.join(dir, 'target.json');
  fs.writeFileSync(file, JSON.stringify(d));
  return { file, dir: path.join(dir, 'reports') };
}

test('a TAA account without taa, and a callback URL whose port is taken, stop with exit 2 naming the member', async () => {
  const busy = http.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as AddressInfo).port;
  try {
    const missing = write(description(port, false));
    const a = await runSuite(['--target', missing.file, '--report-dir', missing.dir]);
    assert.equal(a.code, 2, a.out);
    assert.match(a.out, /taa: required member is missing \(users\.caller is a TAA account/);
    assert.ok(!a.out.includes('tok-helpdesk-0123'));
    assert.ok(fs.existsSync(path.join(missing.dir, 'summary.json')));

    const taken = write(description(port));
    const b = await runSuite(['--target', taken.file, '--report-dir', taken.dir]);
    assert.equal(b.code, 2, b.out);
    assert.match(b.out, /users\.caller\.callbackUrl: the callback receiver cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    const summary = JSON.parse(fs.readFileSync(path.join(taken.dir, 'summary.json'), 'utf8')) as { stopped?: { cause: string; reason: string } };
    assert.equal(summary.stopped?.cause, 'configuration error');
    assert.match(summary.stopped?.reason ?? '', /^users\.caller\.callbackUrl:/);
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
  }
});

/** A free loopback port (bound and released at once). */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('a TAA-only description (no discoveryUrl) runs against the standalone reference server; when no callback reaches the receiver, CB-3 is named', async () => {
  const { spawnStandaloneReference } = await import('../bin/standalone');
  const port = await freePort();
  const { process: server, description } = await spawnStandaloneReference<Record<string, any>>(['--taa', '--callback-origin', `http://127.0.0.1:${port}`, '--callback-allow-http']);
  try {
    const taa = (a: { transport?: string }) => a.transport === 'taa';
    const pairs = [{ caller: description.users.caller, callee: description.users.callee }, ...(description.users.pairs ?? [])].filter((p: any) => taa(p.caller) && taa(p.callee));
    const only = { name: 'TAA only', relPrefix: description.relPrefix, taa: description.taa, users: { caller: pairs[0].caller, callee: pairs[0].callee } };
    assert.equal('discoveryUrl' in only, false);
    const ok = write(only);
    const a = await runSuite(['--target', ok.file, '--report-dir', ok.dir, '--tags', '@req:LC-2']);
    assert.equal(a.code, 0, a.out);
    assert.match(a.out, /Scenarios: 1 — 1 passed/);
    assert.match(a.out, /Callback receiver \(127\.0\.0\.1:\d+\): [1-9]\d* requests recorded, 0 of them/);

    // the same accounts with callback URLs the platform does not call: nothing reaches the receiver
    const other = await freePort();
    const lost = write(JSON.parse(JSON.stringify(only).split(`127.0.0.1:${port}`).join(`127.0.0.1:${other}`)));
    const b = await runSuite(['--target', lost.file, '--report-dir', lost.dir, '--tags', '@req:LC-2']);
    assert.equal(b.code, 2, b.out);
    assert.match(b.out, /INCONCLUSIVE .*\n\s+prerequisite CB-3 failed: no request reached the callback receiver during the run .*check that the callback URLs reach the receiver/);
  } finally {
    server.kill('SIGTERM');
  }
});
