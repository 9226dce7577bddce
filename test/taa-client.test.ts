import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Client, Inconclusive } from '../steps/support/client';
import { HttpTransport } from '../steps/support/http';
import { forgeToken, invalidToken, TaaClient } from '../steps/support/taa/client';
import { parseTargetDescription } from '../steps/support/target';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A local server whose answers a test sets per path; every request is recorded. */
function server(): Promise<{ origin: string; seen: Seen[]; routes: Map<string, (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }>; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const routes = new Map<string, (req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string }>();
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body: Buffer.concat(chunks).toString('utf8') });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const answer = routes.get(path)?.(req) ?? { status: 404 };
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...(answer.headers ?? {}) });
      res.end(answer.body ?? '');
    });
  });
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () =>
      resolve({ origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, routes, close: () => new Promise<void>((r) => s.close(() => r())) }),
    ),
  );
}

describe('the TAA client: 307/308 following (TDISC-3) and where credentials go (TARGET.md §11)', () => {
  let trusted: Awaited<ReturnType<typeof server>>;
  let untrusted: Awaited<ReturnType<typeof server>>;
  let taa: TaaClient;
  const token = 'tok-0123456789abcdef';

  before(async () => {
    trusted = await server();
    untrusted = await server();
    const target = parseTargetDescription(
      {
        relPrefix: 'service:',
        taa: { discoverUrl: `${trusted.origin}/platformservice/discover`, token: { url: `${trusted.origin}/tenant1/oauth2/token`, resource: 'https://sfb.example.com', issuer: 'https://sfb.example.com/tenant1/' }, allowHttpCallbackUrls: true },
        users: {
          caller: { uri: 'sip:helpdesk@example.com', transport: 'taa', clientId: 'app-1', clientSecret: 'app-1-secret', callbackUrl: 'http://127.0.0.1:9/cb/helpdesk' },
          callee: { uri: 'sip:orders@example.com', transport: 'taa', token: 'ready-token', callbackUrl: 'http://127.0.0.1:9/cb/orders' },
        },
      },
      'test',
      {},
    );
    taa = new TaaClient(new Client(target, new HttpTransport({ timeoutMs: 5000 })));
  });
  after(async () => {
    await trusted.close();
    await untrusted.close();
  });

  test('307 and 308 are followed with the same method, body and Authorization; the final URL is the base', async () => {
    trusted.routes.set('/a', () => ({ status: 307, headers: { Location: '/b?x=1' } }));
    trusted.routes.set('/b', () => ({ status: 308, headers: { Location: 'c' } }));
    trusted.routes.set('/c', () => ({ status: 201, headers: { Location: 'm1' } }));
    trusted.seen.length = 0;
    const x = await taa.request('POST', `${trusted.origin}/a`, 'caller', token, { body: { to: 'sip:x@example.com' } });
    assert.equal(x.status, 201);
    assert.equal(x.url, `${trusted.origin}/c`);
    assert.equal(x.hops?.length, 2);
    assert.equal(x.redirectProblem, undefined);
    assert.deepEqual(
      trusted.seen.map((s) => [s.method, s.url, s.authorization, s.body]),
      ['/a', '/b?x=1', '/c'].map((u) => ['POST', u, `Bearer ${token}`, '{"to":"sip:x@example.com"}']),
    );
  });

  test('a loop and a fourth hop end the chain on the redirect, marked; another 3xx is returned as it is', async () => {
    trusted.routes.set('/loop1', () => ({ status: 307, headers: { Location: '/loop2' } }));
    trusted.routes.set('/loop2', () => ({ status: 307, headers: { Location: '/loop1' } }));
    const loop = await taa.request('GET', `${trusted.origin}/loop1`, 'caller', token);
    assert.equal(loop.status, 307);
    assert.match(loop.redirectProblem ?? '', /redirect loop/);
    for (let i = 1; i <= 4; i++) trusted.routes.set(`/h${i}`, () => ({ status: 308, headers: { Location: `/h${i + 1}` } }));
    trusted.routes.set('/h5', () => ({ status: 200, body: '{}' }));
    trusted.seen.length = 0;
    const far = await taa.request('GET', `${trusted.origin}/h1`, 'caller', token);
    assert.equal(far.status, 308);
    assert.match(far.redirectProblem ?? '', /4th redirect/);
    assert.equal(trusted.seen.length, 4, 'the fourth Location is not requested');
    trusted.routes.set('/h4', () => ({ status: 200, body: '{}' }));
    assert.equal((await taa.request('GET', `${trusted.origin}/h1`, 'caller', token)).status, 200, 'three hops are followed');
    trusted.routes.set('/moved', () => ({ status: 302, headers: { Location: '/h5' } }));
    const moved = await taa.request('GET', `${trusted.origin}/moved`, 'caller', token);
    assert.equal(moved.status, 302);
    assert.equal(moved.redirectProblem, undefined);
  });

  test('a redirect to an untrusted origin is not followed with Authorization: nothing is sent there', async () => {
    const elsewhere = untrusted.origin; // another port: another origin
    trusted.routes.set('/away', () => ({ status: 307, headers: { Location: `${elsewhere}/steal` } }));
    untrusted.seen.length = 0;
    await assert.rejects(taa.request('GET', `${trusted.origin}/away`, 'caller', token), (e: unknown) => e instanceof Inconclusive && /untrusted origin/.test((e as Error).message));
    assert.equal(untrusted.seen.length, 0);
    // without a credential the same hop is an anonymous request and may go anywhere
    untrusted.routes.set('/steal', () => ({ status: 200, body: '{}' }));
    assert.equal((await taa.request('GET', `${trusted.origin}/away`, 'caller', undefined)).status, 200);
    assert.equal(untrusted.seen[0]?.authorization, undefined);
  });

  test('the client-credentials grant goes only to the token URL on a trusted origin, with resource', async () => {
    trusted.routes.set('/tenant1/oauth2/token', () => ({ status: 200, body: JSON.stringify({ access_token: 'issued-abcdef123456', token_type: 'Bearer', expires_in: 3599 }) }));
    trusted.seen.length = 0;
    const t = await taa.tokenFor({ uri: 'sip:helpdesk@example.com', transport: 'taa', clientId: 'app-1', clientSecret: 'app-1-secret' }, 'caller');
    assert.equal(t, 'issued-abcdef123456');
    const form = new URLSearchParams(trusted.seen[0]?.body);
    assert.deepEqual(Object.fromEntries(form), { grant_type: 'client_credentials', client_id: 'app-1', client_secret: 'app-1-secret', resource: 'https://sfb.example.com' });
    assert.equal(trusted.seen[0]?.authorization, undefined);
    assert.equal(await taa.tokenFor({ uri: 'sip:o@example.com', transport: 'taa', token: 'ready-token' }, 'callee'), 'ready-token');
  });

  test('applications are addressed by endpointId added with the URL builder, the existing query kept', async () => {
    trusted.routes.set('/platformservice/v1/applications', () => ({ status: 200, body: '{}' }));
    trusted.seen.length = 0;
    await taa.applications(`${trusted.origin}/platformservice/v1/applications?Region=eu`, 'sip:helpdesk@example.com', 'caller', token);
    assert.equal(trusted.seen[0]?.url, '/platformservice/v1/applications?Region=eu&endpointId=sip%3Ahelpdesk%40example.com');
  });

  test('forged and invalid tokens (TAUTH-1): RS256 with a suite key, plausible claims', async () => {
    const target = parseTargetDescription(
      { relPrefix: 'service:', taa: { discoverUrl: 'https://sfb.example.com/platformservice/discover', token: { url: 'https://login.example.com/tenant1/oauth2/token', resource: 'https://sfb.example.com', issuer: 'https://sfb.example.com/tenant1/' }, callbackReceiver: { bind: '127.0.0.1:0' } }, users: { caller: { uri: 'sip:a@example.com', transport: 'taa', clientId: 'app-1', clientSecret: 's', callbackUrl: 'https://cb.example.net/a' }, callee: { uri: 'sip:b@example.com', transport: 'taa', token: 't', callbackUrl: 'https://cb.example.net/b' } } },
      'test',
      {},
    );
    const forged = await forgeToken(target.users.caller, target);
    assert.equal(decodeProtectedHeader(forged).alg, 'RS256');
    const claims = decodeJwt(forged);
    assert.equal(claims.iss, 'https://sfb.example.com/tenant1/');
    assert.equal(claims.aud, 'https://sfb.example.com');
    assert.equal(claims.appid, 'app-1');
    assert.equal(claims.tid, 'tenant1');
    assert.ok(typeof claims.exp === 'number' && claims.exp > Date.now() / 1000 + 3000);
    assert.match(invalidToken(), /^invalid-[0-9a-f]{32}$/);
  });
});
