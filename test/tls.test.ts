import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../reference/app';
import { runSuite } from './support/suite';

const HAS_OPENSSL = spawnable('openssl');

function spawnable(cmd: string): boolean {
  try {
    execFileSync(cmd, ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}


describe('https targets', { skip: !HAS_OPENSSL && 'openssl is not installed: no certificate can be made for the test' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
  const app = createApp();
  let server: https.Server;
  let target: string;
  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, app.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    target = path.join(dir, 'target.json');
    fs.writeFileSync(target, JSON.stringify(app.describe(url)));
  });
  after(async () => {
    app.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('an unknown CA is refused: the target is unreachable, exit 2', async () => {
    const r = await runSuite(['--target', target, '--report-dir', path.join(dir, 'r1'), '--tags', '@req:DISC-1']);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /target unreachable: .*(self[- ]signed|certificate)/i);
  });

  test('--ca trusts a private CA: the run passes and HTTPS (SEC-5) holds', async () => {
    const reports = path.join(dir, 'r2');
    const r = await runSuite(['--target', target, '--report-dir', reports, '--ca', path.join(dir, 'cert.pem'), '--tags', '@area:discovery or @req:SEC-5 or @req:SM-1']);
    assert.equal(r.code, 0, r.out);
    const s = JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { requirements: Record<string, { verdict: string }>; target: { tls: string } };
    assert.equal(s.requirements['SEC-5']?.verdict, 'pass');
    assert.match(s.target.tls, /verified against the system CAs and/);
  });

  test('--insecure switches verification off, loudly, and the reports say so', async () => {
    const reports = path.join(dir, 'r3');
    const r = await runSuite(['--target', target, '--report-dir', reports, '--insecure', '--tags', '@req:DISC-1']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /WARNING: --insecure/);
    assert.match(fs.readFileSync(path.join(reports, 'conformance.html'), 'utf8'), /TLS NOT verified \(--insecure\)/);
  });
});
