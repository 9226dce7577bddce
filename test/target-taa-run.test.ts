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
