import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { CallbackReceiver, routeKey } from '../steps/support/callbacks/receiver';
import { ReceiverClient } from '../steps/support/callbacks/client';

/** One raw HTTP request to the receiver, with an optional `Expect: 100-continue` handshake. */
function send(url: string, o: { method?: string; body?: string; headers?: Record<string, string>; expectContinue?: boolean } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(o.headers ?? {}) };
    if (o.expectContinue) headers.Expect = '100-continue';
    const req = http.request(url, { method: o.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), continued }));
    });
    req.on('error', reject);
    if (o.expectContinue) {
      req.on('continue', () => {
        continued = true;
        req.end(o.body ?? '');
      });
    } else req.end(o.body ?? '');
  });
}

const started = (thread: string) =>
  JSON.stringify({
    _links: { self: { href: '/events?ack=1' } },
    baseuri: 'http://platform.example',
    sender: [{ rel: 'service:communication', href: '/c', events: [{ type: 'started', link: { rel: 'service:messagingInvitation', href: '/inv/1' }, _embedded: { 'service:messagingInvitation': { threadId: thread } } }] }],
  });
const updated = JSON.stringify({ baseuri: 'http://platform.example', sender: [{ rel: 'service:conversation', href: '/conv', events: [{ type: 'updated', link: { rel: 'service:conversation', href: '/conv' } }] }] });

describe('the callback receiver (PROFILE.md §15.7) over real HTTP', () => {
  let r: CallbackReceiver;
  let origin: string;
  let client: ReceiverClient;
  before(async () => {
    r = await CallbackReceiver.start({ listen: ['127.0.0.1:0'] });
    origin = r.localOrigin;
    r.addRoute({ kind: 'default', url: `${origin}/cb/orders?tenant=t1`, account: 'sip:orders@example.com' });
    r.conversationUrlBase = `${origin}/taa-conv/`;
    client = new ReceiverClient(r.tapUrl);
  });
  after(() => r.close());

  test('a callback on a declared URL is answered 200 with no body at once, and recorded with its arrival time, URL, headers and body', async () => {
    const res = await send(`${origin}/cb/orders?tenant=t1`, { body: updated, headers: { Authorization: 'Bearer eyJhbGciOi.x.y' } });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-length'], '0');
    const c = r.records.at(-1)!;
    assert.equal(c.route?.account, 'sip:orders@example.com');
    assert.equal(c.url, `${origin}/cb/orders?tenant=t1`);
    assert.equal(c.body, updated);
    assert.equal(c.headers.authorization, 'Bearer eyJhbGciOi.x.y');
    // measured inside the receiver (arrival → answer), not through the loaded client
    assert.ok(c.answeredAt - c.arrivedAt < 200, `answered ${c.answeredAt - c.arrivedAt} ms after arrival`);
  });

  test('the query minus callbackContext identifies the URL; the context is recorded percent-decoded', async () => {
    const res = await send(`${origin}/cb/orders?tenant=t1&callbackContext=${encodeURIComponent('a b&c=d/é')}`, { body: updated });
    assert.equal(res.status, 200);
    assert.equal(r.records.at(-1)?.callbackContext, 'a b&c=d/é');
    assert.equal(routeKey('http://x/cb?callbackContext=1&a=2'), routeKey('/cb?a=2'));
  });

  test('an unknown path is answered 404 and a method other than POST 405 (with Allow), both recorded without a route', async () => {
    const mark = await client.mark();
    assert.equal((await send(`${origin}/cb/nobody`, { body: updated })).status, 404);
    assert.equal(r.records.at(-1)?.route, undefined);
    assert.equal((await send(`${origin}/cb/orders`, { body: updated })).status, 404, 'the query is part of the identity');
    const get = await send(`${origin}/cb/orders?tenant=t1`, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.deepEqual((await client.callbacks({ unmatched: true, since: mark })).map((c) => c.answer.status), [404, 404, 405]);
  });

  test('Expect: 100-continue is accepted', async () => {
    const res = await send(`${origin}/cb/orders?tenant=t1`, { body: updated, expectContinue: true });
    assert.equal(res.continued, true);
    assert.equal(res.status, 200);
    assert.equal(r.records.at(-1)?.body, updated);
  });

  test('answer rules: a context answer for the next started only, a held answer, 204 until removed', async () => {
    const url = `${origin}/cb/orders?tenant=t1`;
    await client.rule({ url, match: 'invitation-started', json: { callbackContext: 'ctx-1' } });
    assert.equal((await send(url, { body: updated })).body, '', 'not a started callback: plain 200');
    const ctx = await send(url, { body: started('t-1') });
    assert.equal(ctx.status, 200);
    assert.equal(ctx.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(ctx.body), { callbackContext: 'ctx-1' });
    assert.equal((await send(url, { body: started('t-2') })).body, '', 'the rule answered once');

    await client.rule({ url, holdMs: 300 });
    const t0 = performance.now();
    assert.equal((await send(url, { body: updated })).status, 200);
    assert.ok(performance.now() - t0 >= 290, 'the answer was held');
    assert.equal(r.records.at(-1)?.answer.heldMs, 300);

    const always = await client.rule({ url, status: 204, times: 'always' });
    assert.equal((await send(url, { body: updated })).status, 204);
    assert.equal((await send(url, { body: updated })).status, 204);
    await always.remove();
    assert.equal((await send(url, { body: updated })).status, 200);
  });

  test('the tap: a long-poll returns a callback as it arrives; fresh conversation URLs are routes, padded on request', async () => {
    const mark = await client.mark();
    const waiting = client.waitFor((c) => c.seq > mark && c.body.includes('t-long'), 10_000);
    setTimeout(() => void send(`${origin}/cb/orders?tenant=t1`, { body: started('t-long') }), 50);
    const got = await waiting;
    assert.ok(got && got.seq > mark);
    const conv = await client.conversationUrl();
    assert.match(conv, new RegExp(`^${origin}/taa-conv/[0-9a-f-]{36}$`));
    const padded = await client.conversationUrl({ length: 1024 });
    assert.equal(padded.length, 1024);
    assert.equal((await send(padded, { body: updated })).status, 200);
    assert.equal(r.records.at(-1)?.route?.kind, 'conversation');
    assert.equal((await send(`${origin}/taa-conv/not-issued`, { body: updated })).status, 404);
    assert.deepEqual((await client.info()).listening, r.listening);
  });
});

describe('callbacks in the reports, and a receiver that cannot listen', () => {
  test('a callback shown as an exchange hides its Authorization token and every secret', async () => {
    const { callbackAsExchange } = await import('../steps/support/callbacks/channel');
    const { formatExchange } = await import('../steps/support/exchange');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl';
    const x = callbackAsExchange(
      { seq: 7, arrivedAt: performance.timeOrigin + 10, answeredAt: performance.timeOrigin + 11, method: 'POST', url: 'http://127.0.0.1:1/cb/a', path: '/cb/a', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: `{"note":"client-secret-value","t":"${jwt}"}`, answer: { status: 200 } },
      'callee (callbacks)',
    );
    // the channel hands the token over for redaction (CallbackOwner.record), so it is hidden wherever it appears
    const text = formatExchange(x, ['client-secret-value', jwt]);
    assert.ok(!text.includes(jwt), text);
    assert.ok(!text.includes('client-secret-value'), text);
    assert.match(text, /authorization: «redacted»/);
    assert.equal(x.seq, 100_007);
  });

  test('a callback URL whose socket is taken stops with a configuration error naming the member', async () => {
    const { startReceiverFor } = await import('../steps/support/callbacks/receiver');
    const { parseTargetDescription } = await import('../steps/support/target');
    const { ConfigurationError } = await import('../bin/errors');
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as import('node:net').AddressInfo).port;
    try {
      const target = parseTargetDescription(
        {
          relPrefix: 'service:',
          taa: { discoverUrl: 'http://127.0.0.1:1/platformservice/discover', allowHttpCallbackUrls: true },
          users: {
            caller: { uri: 'sip:a@example.com', transport: 'taa', token: 'tok-a', callbackUrl: 'http://127.0.0.1:0/cb/a' },
            callee: { uri: 'sip:b@example.com', transport: 'taa', token: 'tok-b', callbackUrl: `http://127.0.0.1:${port}/cb/b` },
          },
        },
        'test',
        {},
      );
      await assert.rejects(startReceiverFor(target), (e: unknown) => e instanceof ConfigurationError && /^users\.callee\.callbackUrl: the callback receiver cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/.test((e as Error).message));
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });
});

test('with callbackReceiver.tls the receiver speaks TLS on the https callback URLs (TARGET.md §12)', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const https = await import('node:https');
  const { selfSignedTls } = await import('../reference/tls');
  const { startReceiverFor } = await import('../steps/support/callbacks/receiver');
  const { parseTargetDescription } = await import('../steps/support/target');
  const tls = await selfSignedTls('127.0.0.1');
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cb-tls-')), 'key.pem');
  fs.writeFileSync(keyFile, tls.key);
  // a free port for the https callback URL
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as import('node:net').AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const target = parseTargetDescription(
    {
      relPrefix: 'service:',
      taa: { discoverUrl: 'https://127.0.0.1:1/platformservice/discover', callbackReceiver: { tls: { certFile: tls.certFile, keyFile } } },
      users: {
        caller: { uri: 'sip:a@example.com', transport: 'taa', token: 'tok-a', callbackUrl: `https://127.0.0.1:${port}/cb/a` },
        callee: { uri: 'sip:b@example.com', transport: 'taa', token: 'tok-b', callbackUrl: `https://127.0.0.1:${port}/cb/b` },
      },
    },
    'test',
    {},
  );
  const r = await startReceiverFor(target);
  try {
    assert.equal(r.conversationUrlBase, `https://127.0.0.1:${port}/taa-conv/`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(`https://127.0.0.1:${port}/cb/b`, { method: 'POST', ca: tls.cert, headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(updated);
    });
    assert.equal(status, 200);
    assert.equal(r.records.at(-1)?.route?.account, 'sip:b@example.com');
    assert.equal(r.records.at(-1)?.url, `https://127.0.0.1:${port}/cb/b`);
  } finally {
    await r.close();
  }
});

test('CallbackChannel: an endpoint gets its default URL and its conversation URLs, hrefs against baseuri, arrival time from the receiver', async () => {
  const { CallbackChannel } = await import('../steps/support/callbacks/channel');
  const r = await CallbackReceiver.start({ listen: ['127.0.0.1:0'] });
  try {
    const origin = r.localOrigin;
    r.addRoute({ kind: 'default', url: `${origin}/cb/orders`, account: 'sip:orders@example.com' });
    r.addRoute({ kind: 'default', url: `${origin}/cb/other`, account: 'sip:other@example.com' });
    r.conversationUrlBase = `${origin}/taa-conv/`;
    const client = new ReceiverClient(r.tapUrl);
    const recorded: string[] = [];
    const ch = new CallbackChannel(
      { role: 'callee', account: { uri: 'SIP:Orders@example.com', transport: 'taa' }, prefix: 'service:', get: () => Promise.reject(new Error('no GET expected')), secrets: () => [], record: (x, token) => recorded.push(`${x.who} ${x.url} ${token ?? ''}`) },
      client,
    );
    await ch.start();
    const conv = await client.conversationUrl();
    ch.addConversationUrl(conv);
    const body = (thread: string, base: string) =>
      JSON.stringify({
        baseuri: base,
        _links: { self: { href: '/events?ack=1' } },
        sender: [{ rel: 'service:communication', href: 'communication?endpointId=sip:orders@example.com', events: [{ type: 'started', link: { rel: 'service:messagingInvitation', href: '/platform/inv/1' }, _embedded: { 'service:messagingInvitation': { threadId: thread } } }] }],
      });
    await send(`${origin}/cb/other`, { body: body('t-other', 'http://platform.example/a/') });
    await send(`${origin}/cb/orders`, { body: body('t-mine', 'http://platform.example/apps/h1/'), headers: { Authorization: 'Bearer cb.jwt.token' } });
    await send(conv, { body: body('t-conv', 'http://platform.example/apps/h1/') });
    const mine = await ch.waitForStartedWithThread('t-mine', 5000);
    assert.equal(mine.linkHref, 'http://platform.example/platform/inv/1');
    assert.equal(mine.senderHref, 'http://platform.example/apps/h1/communication?endpointId=sip:orders@example.com');
    const c = r.records.find((x) => x.body.includes('t-mine'))!;
    assert.ok(Math.abs(mine.receivedAt - (c.arrivedAt - performance.timeOrigin)) < 1, 'receivedAt is the arrival at the receiver');
    assert.equal(ch.batches[mine.batch - 1]?.callback, true);
    await ch.waitForStartedWithThread('t-conv', 5000);
    assert.equal(ch.hasThread('t-other'), false, "another account's callbacks are not this endpoint's");
    assert.deepEqual(recorded.map((s) => s.split(' ')[0]), ['callee', 'callee']);
    assert.match(recorded[0] ?? '', /cb\.jwt\.token$/);
    ch.stop();
  } finally {
    await r.close();
  }
});

describe("the receiver's tap over the worker's IPC channel (steps/support/callbacks/ipc.ts)", () => {
  test('reads, long-polls, rules and conversation URLs answer as over HTTP, and a cancelled long-poll leaves no waiter', async () => {
    const { IpcTap, tapRelay } = await import('../steps/support/callbacks/ipc');
    const r = await CallbackReceiver.start({ listen: ['127.0.0.1:0'] });
    try {
      const origin = r.localOrigin;
      r.addRoute({ kind: 'default', url: `${origin}/cb/ipc`, account: 'sip:ipc@example.com' });
      r.conversationUrlBase = `${origin}/taa-conv/`;
      // the coordinator's relay answers by emitting on this process, where IpcTap listens as a worker does
      const relay = tapRelay(r, (m) => void setImmediate(() => process.emit('message' as never, m as never)));
      const ipc = new ReceiverClient(r.tapUrl, new IpcTap((m) => void relay(m as { type?: string; id?: number })));
      const http = new ReceiverClient(r.tapUrl);
      const mark = await ipc.mark();
      assert.equal(mark, await http.mark(), 'both see the same newest callback');
      const seen: number[] = [];
      const stop = ipc.subscribe((c) => seen.push(c.seq));
      await new Promise((res) => setTimeout(res, 50));
      assert.equal((await send(`${origin}/cb/ipc`, { body: updated })).status, 200);
      const deadline = Date.now() + 2000;
      while (!seen.length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      assert.deepEqual(seen, [r.records.at(-1)!.seq], 'the long-poll delivered the callback');
      stop();
      assert.deepEqual((await ipc.callbacks({ since: mark })).map((c) => c.seq), (await http.callbacks({ since: mark })).map((c) => c.seq));
      const rule = await ipc.rule({ url: `${origin}/cb/ipc`, status: 503, times: 1 });
      assert.equal((await send(`${origin}/cb/ipc`, { body: updated })).status, 503, 'the rule registered over IPC answered');
      await rule.remove();
      assert.match(await ipc.conversationUrl(), new RegExp(`^${origin}/taa-conv/`));
      await new Promise((res) => setTimeout(res, 50));
      assert.equal((r as unknown as { polls: Set<unknown> }).polls.size, 0, 'the cancelled long-poll is gone from the receiver');
    } finally {
      await r.close();
    }
  });
});
