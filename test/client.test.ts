import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { bareName, canonicalize, rel } from '../steps/support/dialect';
import { decodeDataUri, hasLink, link, probeUrl, resolveHref, withQueryParameter } from '../steps/support/links';
import { Client, msRtcOAuthChallenge, UntrustedOrigin, User } from '../steps/support/client';
import { BREAKER_DIR_VARIABLE, breakerTripped, HttpTransport, initBreaker, resetTargetHealth } from '../steps/support/http';
import { parseTargetDescription } from '../steps/support/target';
import { formatExchange, redact, type Exchange } from '../steps/support/exchange';

test('rel spells ⟨name⟩ for each dialect, never prefixing self, next, resync, resume, customContent', () => {
  assert.equal(rel('ms:rtc:saas:', 'accept'), 'ms:rtc:saas:accept');
  assert.equal(rel('service:', 'accept'), 'service:accept');
  assert.equal(rel('', 'accept'), 'accept');
  for (const name of ['self', 'next', 'resync', 'resume', 'customContent']) {
    assert.equal(rel('ms:rtc:saas:', name), name);
    assert.equal(rel('service:', name), name);
  }
});

test('a rel spelled for another dialect satisfies nothing', () => {
  assert.equal(bareName('ms:rtc:saas:', 'ms:rtc:saas:accept'), 'accept');
  assert.equal(bareName('ms:rtc:saas:', 'accept'), '?accept');
  assert.equal(bareName('ms:rtc:saas:', 'service:accept'), '?service:accept');
  assert.equal(bareName('', 'ms:rtc:saas:accept'), '?ms:rtc:saas:accept');
  assert.equal(bareName('', 'accept'), 'accept');
  assert.equal(bareName('service:', 'self'), 'self');
  assert.equal(bareName('service:', 'service:self'), '?service:self');
  const body = { _links: { accept: { href: '/a' } } };
  assert.equal(hasLink(body, 'ms:rtc:saas:', 'accept'), false);
  assert.equal(hasLink(body, '', 'accept'), true);
});

test('canonicalize strips the dialect from link keys, embedded keys and rel values, deeply', () => {
  const doc = {
    rel: 'service:messagingInvitation',
    subject: 'service:keep',
    _links: { self: { href: '/i' }, 'service:cancel': { href: '/c' }, accept: { href: '/x' }, customContent: { href: 'data:,' } },
    _embedded: { 'service:from': { rel: 'service:participant', _links: { self: { href: '/p' } } } },
    sender: [{ rel: 'service:communication', events: [{ link: { rel: 'service:messagingInvitation', href: '/i' } }] }],
  };
  assert.deepEqual(canonicalize(doc, 'service:'), {
    rel: 'messagingInvitation',
    subject: 'service:keep',
    _links: { self: { href: '/i' }, cancel: { href: '/c' }, '?accept': { href: '/x' }, customContent: { href: 'data:,' } },
    _embedded: { from: { rel: 'participant', _links: { self: { href: '/p' } } } },
    sender: [{ rel: 'communication', events: [{ link: { rel: 'messagingInvitation', href: '/i' } }] }],
  });
});

test('links resolve against the URL of the response that carried them (WIRE-4)', () => {
  const doc = { url: 'https://h.example/ucwa/v1/applications/a1?x=1', body: { _links: { 'ms:rtc:saas:events': [{ href: 'a1/events?ack=1' }], self: { href: '//other.example/s' } } } };
  assert.equal(link(doc, 'ms:rtc:saas:', 'events'), 'https://h.example/ucwa/v1/applications/a1/events?ack=1');
  assert.equal(link(doc, 'ms:rtc:saas:', 'self'), 'https://other.example/s');
  assert.equal(link(doc, 'ms:rtc:saas:', 'missing'), undefined);
  assert.equal(resolveHref('', 'https://h.example/'), undefined);
  assert.equal(resolveHref(5, 'https://h.example/'), undefined);
});

test('the only URL changes: a query parameter kept with the query, and the probe URL', () => {
  assert.equal(withQueryParameter('https://h/m?ack=1', 'to', 'sip:bob@example.com'), 'https://h/m?ack=1&to=sip%3Abob%40example.com');
  assert.equal(probeUrl('https://h/a/inv1?v=2'), 'https://h/a/inv1x404?v=2');
  assert.equal(probeUrl('https://h/a/inv1/'), 'https://h/a/inv1x404/');
});

test('data URIs decode from base64 and percent-encoding, + as space and %2B as plus (WIRE-5)', () => {
  const text = 'Hi Bob + ünï ✓\r\n';
  assert.equal(decodeDataUri(`data:text/plain;base64,${Buffer.from(text).toString('base64')}`)?.toString(), text);
  assert.equal(decodeDataUri('data:text/plain;charset=utf-8,Hi%20Bob+%2B%20%C3%BCn%C3%AF%20%E2%9C%93%0D%0A')?.toString(), text);
  assert.equal(decodeDataUri('data:,ünï😀')?.toString(), 'ünï😀');
  assert.equal(decodeDataUri('https://example.com/m'), undefined);
});

test('the MsRtcOAuth challenge is found among several WWW-Authenticate values', () => {
  const x = {
    responseHeaders: { 'www-authenticate': ['Bearer realm="x"', 'MsRtcOAuth href="https://h/oauth/token",grant_type="urn:microsoft.rtc:windows,password,urn:microsoft.rtc:anonmeeting"'] },
  } as unknown as Exchange;
  assert.deepEqual(msRtcOAuthChallenge(x), { href: 'https://h/oauth/token', grantTypes: ['urn:microsoft.rtc:windows', 'password', 'urn:microsoft.rtc:anonmeeting'] });
  assert.equal(msRtcOAuthChallenge({ responseHeaders: { 'www-authenticate': 'Basic' } } as unknown as Exchange), undefined);
});

const echo: http.RequestListener = (req, res) => {
  if (req.url === '/hang') return;
  if (req.url === '/huge') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('x'.repeat(100_000));
    return;
  }
  res.writeHead(201, { 'content-type': 'application/json', location: '/made' });
  res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null }));
};

test('the transport serves an in-process app and a URL with the same code, and never follows redirects', async () => {
  const server = http.createServer(echo).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const t = new HttpTransport({ app: echo, appOrigin: 'http://reference.invalid', timeoutMs: 2000 });
    const a = await t.send({ who: 'caller', method: 'POST', url: 'http://reference.invalid/x?y=1', body: '{}' });
    const b = await t.send({ who: 'caller', method: 'POST', url: `${url}/x?y=1`, body: '{}' });
    for (const x of [a, b]) {
      assert.equal(x.status, 201);
      assert.equal(x.responseHeaders.location, '/made');
      assert.deepEqual(JSON.parse(x.responseBody ?? ''), { method: 'POST', url: '/x?y=1', auth: null });
    }
  } finally {
    server.close();
  }
});

test('a hanging answer ends within the timeout and a huge body is cut at the read cap', async () => {
  const t = new HttpTransport({ app: echo, appOrigin: 'http://reference.invalid', timeoutMs: 300, maxBodyBytes: 1000 });
  const hang = await t.send({ who: 'caller', method: 'GET', url: 'http://reference.invalid/hang' });
  assert.match(hang.error ?? '', /no complete answer within 300 ms/);
  // nothing else answered while it hung: the breaker tripped (tested below); forget it for the next exchange
  resetTargetHealth();
  const huge = await t.send({ who: 'caller', method: 'GET', url: 'http://reference.invalid/huge' });
  assert.equal(huge.truncated, true);
  assert.equal(huge.responseBody?.length, 1000);
});

test('the run-wide breaker: a time-out with no authenticated answer meanwhile stops every further request, also in other processes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'breaker-'));
  const before = process.env[BREAKER_DIR_VARIABLE];
  process.env[BREAKER_DIR_VARIABLE] = dir;
  try {
    resetTargetHealth();
    initBreaker(dir);
    const t = new HttpTransport({ app: echo, appOrigin: 'http://reference.invalid', timeoutMs: 300 });
    assert.equal((await t.send({ who: 'caller', method: 'GET', url: 'http://reference.invalid/x' })).status, 201);
    // a request with its own deadline (a P-GET, a probe) that ends unanswered does not trip it alone …
    await t.send({ who: 'caller', method: 'GET', url: 'http://reference.invalid/hang', timeoutMs: 200 });
    assert.equal(breakerTripped(dir), undefined);
    // … a request with the normal deadline during which no authenticated request was answered does (the anonymous
    // answer before it does not count)
    await t.send({ who: 'caller', method: 'GET', url: 'http://reference.invalid/hang' });
    assert.match(breakerTripped(dir) ?? '', /GET http:\/\/reference\.invalid\/hang had no complete answer within 300 ms, and no authenticated request was answered meanwhile/);
    // another worker sees the file, not this process's memory
    resetTargetHealth();
    assert.match(breakerTripped(dir) ?? '', /reference\.invalid\/hang/);
    const refused = await t.send({ who: 'caller', method: 'GET', url: 'http://reference.invalid/x' });
    assert.equal(refused.status, undefined);
    assert.match(refused.error ?? '', /^not sent: the target stopped answering/);
  } finally {
    if (before === undefined) delete process.env[BREAKER_DIR_VARIABLE];
    else process.env[BREAKER_DIR_VARIABLE] = before;
    resetTargetHealth();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a bearer token or a password grant is never sent to an untrusted origin; the request is not sent at all', async () => {
  const seen: string[] = [];
  const app: http.RequestListener = (req, res) => {
    seen.push(`${req.method} ${req.headers.host}${req.url} ${req.headers.authorization ?? '-'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  };
  const target = parseTargetDescription(
    { discoveryUrl: 'http://lyncdiscover.example/autodiscover', trustedOrigins: ['http://lyncweb.example'], users: { caller: { uri: 'sip:a@example.com', username: 'a', password: 'pw-123456' }, callee: { uri: 'sip:b@example.com', token: 'tok-b' } } },
    'test',
    {},
  );
  const client = new Client(target, new HttpTransport({ app, appOrigin: 'http://evil.example' }));
  await assert.rejects(client.request('GET', 'http://evil.example/ucwa', 'caller', 'tok-123456'), (e: unknown) => e instanceof UntrustedOrigin && /origin http:\/\/evil\.example is not trusted/.test(e.message) && e.name === 'Inconclusive');
  const user = new User(client, 'caller', target.users.caller);
  user.tokenUrl = 'http://evil.example/oauth/token';
  await assert.rejects(async () => user.passwordGrant('a', 'pw-123456'), (e: unknown) => e instanceof UntrustedOrigin && /the password grant of the caller/.test(e.message));
  assert.deepEqual(seen, []);
  assert.deepEqual(client.withheldAuthorization, ['GET http://evil.example/ucwa', 'POST http://evil.example/oauth/token']);
  // anonymous requests may go anywhere
  assert.equal((await client.request('GET', 'http://evil.example/autodiscover/user', 'caller', undefined)).status, 200);
  assert.equal(seen.length, 1);
});

test('exchanges are redacted: Authorization, secrets, tokens and passwords', () => {
  const x: Exchange = {
    seq: 1, who: 'caller', method: 'POST', url: 'https://h/token',
    requestHeaders: { Authorization: 'Bearer abc.def', 'Content-Type': 'application/x-www-form-urlencoded' },
    requestBody: 'grant_type=password&username=alice&password=S3cret%21pw',
    status: 200, responseHeaders: { 'content-type': 'application/json' },
    responseBody: '{"access_token":"tok-123456","token_type":"Bearer","echo":"S3cret!pw"}',
    sentAt: 0, receivedAt: 5,
  };
  const text = formatExchange(x, ['S3cret!pw']);
  assert.doesNotMatch(text, /abc\.def|S3cret|tok-123456/);
  assert.match(text, /Authorization: «redacted»/);
  assert.equal(redact('Bearer zz-123456', []), 'Bearer «redacted»');
  assert.equal(redact('a bearer token is issued', []), 'a bearer token is issued');
});
