import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTransport } from '../steps/support/http';

/** A server that answers with the request headers it received and counts its connections. */
async function headerEcho(): Promise<{ url: string; connections: () => number; close: () => void }> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/hang') return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

test('the transport sends the headers the exchange records and nothing it does not (no Accept-Encoding, no default Content-Type)', async () => {
  const s = await headerEcho();
  try {
    const t = new HttpTransport({ timeoutMs: 2000 });
    const x = await t.send({ who: 'caller', method: 'POST', url: `${s.url}/x`, headers: { Accept: 'application/json' }, body: 'a=1' });
    const got = JSON.parse(x.responseBody ?? '{}') as Record<string, string>;
    assert.equal(got.accept, 'application/json');
    assert.equal(got['accept-encoding'], undefined);
    assert.equal(got['content-type'], undefined);
    assert.equal(got['content-length'], '3');
    assert.deepEqual(x.requestHeaders, { Accept: 'application/json' });
  } finally {
    s.close();
  }
});

test('requests of a process reuse an open connection', async () => {
  const s = await headerEcho();
  try {
    const t = new HttpTransport({ timeoutMs: 2000 });
    for (let i = 0; i < 5; i++) assert.equal((await t.send({ who: 'caller', method: 'GET', url: `${s.url}/x` })).status, 200);
    assert.equal(s.connections(), 1);
  } finally {
    s.close();
  }
});

test('an aborted request ends its exchange with the error ABORTED (not a missed deadline)', async () => {
  const s = await headerEcho();
  try {
    const t = new HttpTransport({ timeoutMs: 5000 });
    const pending = t.send({ who: 'caller (events)', method: 'GET', url: `${s.url}/hang` });
    await new Promise((r) => setTimeout(r, 100));
    t.abortWho((who) => who.endsWith('(events)'));
    const x = await pending;
    assert.match(x.error ?? '', /^ABORTED/);
  } finally {
    s.close();
  }
});
