import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { tamperedReference } from './support/tamper';
import { runSuite } from './support/suite';
import { schemas } from '../steps/support/schemas';

/**
 * Hostile targets: each must make the suite end within a bounded time with exit 2 (dead target) or 1 (broken
 * target), with the reports written (when the run started) and no credential leaked.
 */

const PASSWORD = 'hostile-Secret-Pa55word';
const TOKEN = 'hostile-Bearer-Token-0123456789';

async function listen(handler: http.RequestListener) {
  const server = http.createServer(handler);
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

function describeTarget(discoveryUrl: string) {
  return {
    discoveryUrl,
    users: {
      caller: { uri: 'sip:alice@example.com', username: 'alice', password: { env: 'HOSTILE_PASSWORD' } },
      callee: { uri: 'sip:bob@example.com', token: { env: 'HOSTILE_TOKEN' } },
    },
  };
}

async function runAgainst(description: unknown, extra: string[] = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  const file = path.join(dir, 'target.json');
  fs.writeFileSync(file, JSON.stringify(description));
  const reports = path.join(dir, 'reports');
  const started = performance.now();
  const r = await runSuite(['--target', file, '--report-dir', reports, '--parallel', '1', ...extra], { HOSTILE_PASSWORD: PASSWORD, HOSTILE_TOKEN: TOKEN });
  const written = fs.existsSync(reports) ? fs.readdirSync(reports).map((f) => fs.readFileSync(path.join(reports, f), 'utf8')).join('\n') : '';
  const three = ['summary.json', 'junit.xml', 'conformance.html'].every((f) => fs.existsSync(path.join(reports, f)));
  const summary = three ? (JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { complete: boolean; stopped?: { cause: string; reason: string } }) : undefined;
  const junit = three ? fs.readFileSync(path.join(reports, 'junit.xml'), 'utf8') : '';
  const html = three ? fs.readFileSync(path.join(reports, 'conformance.html'), 'utf8') : '';
  if (summary) assert.ok(schemas().getSchema('urn:ucwa-conformance:summary:1')?.(summary), 'summary.json valid against its schema');
  return { ...r, seconds: (performance.now() - started) / 1000, reports: written, wrote: three, summary, junit, html };
}

/** The three reports of a run that stopped before any scenario say why. */
function stoppedReports(r: Awaited<ReturnType<typeof runAgainst>>, cause: string, reason: RegExp) {
  assert.ok(r.wrote, 'summary.json, junit.xml and conformance.html written');
  assert.equal(r.summary?.complete, false);
  assert.equal(r.summary?.stopped?.cause, cause);
  assert.match(r.summary?.stopped?.reason ?? '', reason);
  assert.match(r.junit, new RegExp(`<error message="${cause}: `));
  assert.match(r.html, new RegExp(`id="overall">${cause.toUpperCase()} — `));
}

function noLeak(r: { out: string; reports: string }) {
  for (const secret of [PASSWORD, TOKEN, encodeURIComponent(PASSWORD)]) {
    assert.equal(r.out.includes(secret), false, 'a secret on the console');
    assert.equal(r.reports.includes(secret), false, 'a secret in the reports');
  }
}

describe('hostile targets end the run in bounded time', { concurrency: true }, () => {
  test('a target that never answers: exit 2 within the request timeout', async () => {
    const { server, url } = await listen(() => undefined);
    try {
      const r = await runAgainst(describeTarget(`${url}/autodiscover`));
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /target unreachable: GET .*no complete answer within 10000 ms/);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      stoppedReports(r, 'target unreachable', /^GET .*autodiscover: no complete answer within 10000 ms/);
      noLeak(r);
    } finally {
      await close(server);
    }
  });

  test('a target that drips its answer a byte at a time: exit 2 within the request deadline', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const { server, url } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 500);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    });
    try {
      const r = await runAgainst(describeTarget(`${url}/autodiscover`));
      assert.equal(r.code, 2, r.out);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      stoppedReports(r, 'target unreachable', /no complete answer within 10000 ms/);
      noLeak(r);
    } finally {
      for (const t of timers) clearInterval(t);
      await close(server);
    }
  });

  test('a target that resets every connection: exit 2 at once', async () => {
    const { server, url } = await listen((req) => req.socket.destroy());
    try {
      const r = await runAgainst(describeTarget(`${url}/autodiscover`));
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /target unreachable: GET .*(ECONNRESET|socket hang up)/);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      stoppedReports(r, 'target unreachable', /ECONNRESET|socket hang up/);
      noLeak(r);
    } finally {
      await close(server);
    }
  });

  test('a target that answers garbage: the run completes, not conforming, reports written', async () => {
    const { server, url } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"_links": {"user": ');
    });
    try {
      const r = await runAgainst(describeTarget(`${url}/autodiscover`));
      assert.equal(r.code, 1, r.out);
      assert.ok(r.wrote, 'summary.json written');
      assert.match(r.out, /DISC-1 MUST failed/);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      noLeak(r);
    } finally {
      await close(server);
    }
  });

  test('a target that streams an enormous body: the read is capped, the run completes', async () => {
    const { server, url } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 200 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 200 * 1024 * 1024) res.once('drain', pump);
        else res.end();
      };
      res.on('close', () => (sent = Infinity));
      pump();
    });
    try {
      const r = await runAgainst(describeTarget(`${url}/autodiscover`));
      assert.equal(r.code, 1, r.out);
      assert.ok(r.wrote, 'summary.json written');
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      noLeak(r);
    } finally {
      await close(server);
    }
  });

  test('a target that answers an HTML page to everything: not conforming within 60 s, reports written', async () => {
    const { server, url } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>');
    });
    try {
      const r = await runAgainst(describeTarget(`${url}/autodiscover`));
      assert.equal(r.code, 1, r.out);
      assert.ok(r.wrote, 'the three reports written');
      assert.match(r.out, /DISC-1 MUST failed/);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      noLeak(r);
    } finally {
      await close(server);
    }
  });

  test('nobody listens at all (connection refused): exit 2 at once, reports say the target is unreachable', async () => {
    const { server, url } = await listen(() => undefined);
    await close(server);
    const r = await runAgainst(describeTarget(`${url}/autodiscover`));
    assert.equal(r.code, 2, r.out);
    assert.ok(r.seconds < 60, `${r.seconds} s`);
    stoppedReports(r, 'target unreachable', /ECONNREFUSED/);
  });

  test('an invalid target description writes the reports too, naming every problem by member, no credential in them', async () => {
    const d = { discoveryUrl: 'ftp://x', users: { caller: { uri: 'sip:a@x', username: 'a', password: PASSWORD }, callee: { uri: 'bob', token: TOKEN } }, trustedOrigins: ['https://a.example/path'] };
    const r = await runAgainst(d);
    assert.equal(r.code, 2, r.out);
    stoppedReports(r, 'configuration error', /^3 problems, the first: discoveryUrl/);
    for (const member of ['discoveryUrl', 'users.callee.uri', 'trustedOrigins[0]']) assert.ok(r.html.includes(member) && r.junit.includes(member), member);
    noLeak(r);
  });

  test('a deviation ledger naming an unknown requirement writes the reports too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-ledger-'));
    const ledger = path.join(dir, 'ledger.json');
    fs.writeFileSync(ledger, JSON.stringify({ deviations: [{ requirement: 'NOPE-1', reason: 'x' }] }));
    const r = await runAgainst(describeTarget('http://127.0.0.1:9/autodiscover'), ['--deviations', ledger]);
    assert.equal(r.code, 2, r.out);
    stoppedReports(r, 'configuration error', /NOPE-1/);
  });

  test('a target that labels JSON with the wrong media type fails WIRE-1 style checks', async () => {
    const ref = await tamperedReference((_req, body) => body);
    const { server, url } = await listen((req, res) => {
      // Forward to the reference server, relabelling every JSON body as text/html.
      const upstream = http.request(`${ref.url}${req.url}`, { method: req.method, headers: req.headers }, (u) => {
        const headers = { ...u.headers };
        if (String(headers['content-type']).includes('json')) headers['content-type'] = 'text/html';
        res.writeHead(u.statusCode ?? 502, headers);
        u.pipe(res);
      });
      req.pipe(upstream);
    });
    try {
      const d = { ...ref.description, discoveryUrl: `${url}/autodiscover` } as Record<string, unknown>;
      const r = await runAgainst(d, ['--tags', '@area:discovery or @req:SM-2']);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /FAIL/);
      assert.ok(r.wrote);
    } finally {
      await close(server);
      await ref.close();
    }
  });
});

describe('credentials go only to trusted origins (TARGET.md §11)', () => {
  let other: { server: http.Server; url: string };
  let main: { server: http.Server; url: string };
  const received: string[] = [];

  before(async () => {
    // Another origin that records any Authorization it receives.
    other = await listen((req, res) => {
      if (req.headers.authorization) received.push(req.headers.authorization);
      res.writeHead(401, { 'www-authenticate': `MsRtcOAuth href="${main.url}/oauth/token",grant_type="password"`, 'content-type': 'application/json' });
      res.end('{}');
    });
    main = await listen((req, res) => {
      if (req.headers.authorization) received.push(`main:${req.headers.authorization}`);
      if (req.url === '/autodiscover') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ _links: { self: { href: '/autodiscover' }, user: { href: `${other.url}/autodiscover/user` } } }));
      } else if (req.url === '/oauth/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 }));
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: `${other.url}/autodiscover` });
        res.end();
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"code":"NotFound"}');
      }
    });
  });

  after(async () => {
    await close(other.server);
    await close(main.server);
  });

  test('a user link to an untrusted origin gets no Authorization: exit 2 before any scenario, naming the origin', async () => {
    const r = await runAgainst(describeTarget(`${main.url}/autodiscover`), ['--tags', '@area:discovery']);
    assert.equal(received.filter((a) => !a.startsWith('main:')).length, 0, `Authorization sent to another origin: ${received.length}`);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`origin ${other.url} is not trusted.*add "${other.url}" to trustedOrigins`));
    stoppedReports(r, 'configuration error', /untrusted origin/);
    noLeak(r);
  });

  test('a redirect of the discovery URL to another origin is not followed', async () => {
    const before = received.length;
    const r = await runAgainst(describeTarget(`${main.url}/redirect`), ['--tags', '@req:DISC-1']);
    assert.equal(r.code, 1, r.out);
    assert.equal(received.length, before);
    noLeak(r);
  });
});
