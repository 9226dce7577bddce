import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { startReferenceServer } from '../reference/server';
import { validate } from '../steps/support/schemas';
import { tamperedReference } from './support/tamper';
import { runSuite } from './support/suite';

const CHROMIUM = '/usr/bin/chromium';

type Json = Record<string, unknown>;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'reports-'));
}


function readAll(dir: string): string {
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

/** A broken implementation: the reference server with one fault switched on — no ⟨cancel⟩ while Connecting (MI-13). */
const FAULT = { faults: ['cancel-link-missing-while-connecting'] };
const unchanged = (_req: unknown, body: unknown) => body;

describe('reports of a run against a broken implementation', () => {
  let server: Awaited<ReturnType<typeof tamperedReference>>;
  let dir: string;
  let run: { code: number | null; out: string };
  let calleeToken: string;
  const secrets: string[] = [];

  before(async () => {
    server = await tamperedReference(unchanged, FAULT);
    const d = server.description as { users: { caller: Json; callee: Json } };
    // The caller's password comes from the environment, the callee signs in with a token issued beforehand.
    const grant = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: String(d.users.callee.username), password: String(d.users.callee.password) }),
    });
    calleeToken = ((await grant.json()) as { access_token: string }).access_token;
    secrets.push(String(d.users.caller.password), calleeToken);
    const description = {
      ...server.description,
      users: {
        ...(server.description.users as Json),
        caller: { uri: d.users.caller.uri, username: d.users.caller.username, password: { env: 'REPORT_TEST_CALLER_PASSWORD' } },
        callee: { uri: d.users.callee.uri, token: { env: 'REPORT_TEST_CALLEE_TOKEN' } },
      },
    };
    dir = tmp();
    fs.writeFileSync(path.join(dir, '..', `${path.basename(dir)}-target.json`), JSON.stringify(description));
    run = await runSuite(['--target', path.join(dir, '..', `${path.basename(dir)}-target.json`), '--report-dir', dir, '--tags', '@area:startMessaging or @area:discovery or @area:accept'], {
      REPORT_TEST_CALLER_PASSWORD: String(d.users.caller.password),
      REPORT_TEST_CALLEE_TOKEN: calleeToken,
    });
  });

  after(async () => {
    await server.close();
  });

  test('the run exits 1 and names the failed requirement', () => {
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /MI-13 MUST failed/);
  });

  test('summary.json validates against its schema and agrees with junit.xml and conformance.html', () => {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {
      requirements: Record<string, { verdict: string }>;
      gate: { exitCode: number; conforming: unknown };
      totals: { scenarios: Record<string, number> };
    };
    assert.deepEqual(validate('urn:ucwa-conformance:summary:1', summary), []);
    assert.equal(summary.requirements['MI-13']?.verdict, 'fail');
    assert.equal(summary.requirements['SM-1']?.verdict, 'pass');
    assert.equal(summary.gate.exitCode, 1);
    assert.equal(summary.gate.conforming, false);
    const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    assert.equal((junit.match(/<failure /g) ?? []).length, summary.totals.scenarios.fail);
    assert.match(junit, /name="\[MI-13\][^"]*"[^>]*>\s*<failure message="[^"]*cancel/);
    const html = fs.readFileSync(path.join(dir, 'conformance.html'), 'utf8');
    assert.match(html, /id="req-MI-13"[^>]*>.*?v-fail/s);
    assert.match(html, /class="failure" data-verdict="fail"[\s\S]*MI-13[\s\S]*Recorded exchanges[\s\S]*GET http:\/\/127\.0\.0\.1/);
    for (const f of ['cucumber.html', 'messages.ndjson']) assert.ok(fs.statSync(path.join(dir, f)).size > 0);
  });

  test('no password or token appears in any report or on the console', () => {
    const everything = `${readAll(dir)}\n${run.out}`;
    for (const s of secrets) assert.equal(everything.includes(s), false, `a secret of ${s.length} characters leaked`);
    assert.match(readAll(dir), /«redacted»/);
  });

  test('the HTML report renders in headless Chromium without console errors and shows the right counts', { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} is not installed (.ci/run installs it)` }, async () => {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { totals: { requirements: Record<string, number> } };
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`file://${path.join(dir, 'conformance.html')}`);
      assert.match((await page.textContent('#overall')) ?? '', /NOT CONFORMING/);
      for (const [verdict, n] of Object.entries(summary.totals.requirements))
        assert.match((await page.textContent(`#requirement-counts [data-count="${verdict}"]`)) ?? '', new RegExp(`\\b${n}$`), verdict);
      assert.equal(await page.locator('#matrix tr[data-verdict="fail"]').count(), summary.totals.requirements.fail);
      await page.uncheck('input[data-filter="verdict:pass"]');
      assert.equal(await page.locator('#matrix tr[data-verdict="pass"]:visible').count(), 0);
      assert.ok((await page.locator('#matrix tr[data-verdict="fail"]:visible').count()) > 0);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });

  test('the matrix command highlights the requirement on which two runs differ', async () => {
    const good = tmp();
    const ok = await runSuite(['--report-dir', good, '--tags', '@req:MI-13 or @req:SM-1']);
    assert.equal(ok.code, 0, ok.out);
    const out = path.join(tmp(), 'matrix.html');
    const r = await runSuite(['matrix', good, dir, '--out', out]);
    assert.equal(r.code, 0, r.out);
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /<tr class="differs" data-differs="true"><th>MI-13<\/th>.*v-pass.*v-fail/);
    assert.match(html, /<tr class="" data-differs="false"><th>SM-1<\/th>/);
  });
});

describe('the deviation ledger', () => {
  let server: Awaited<ReturnType<typeof tamperedReference>>;
  let target: string;
  before(async () => {
    server = await tamperedReference(unchanged, FAULT);
    target = path.join(tmp(), 'target.json');
    fs.writeFileSync(target, JSON.stringify(server.description));
  });
  after(async () => server.close());

  async function withLedger(deviations: unknown[]) {
    const ledger = path.join(tmp(), 'deviations.json');
    fs.writeFileSync(ledger, JSON.stringify({ deviations }));
    const dir = tmp();
    return { ...(await runSuite(['--target', target, '--report-dir', dir, '--deviations', ledger, '--tags', '@req:MI-13 or @req:SM-1'])), dir };
  }

  test('a listed failure is an expected fail and does not fail the gate', async () => {
    const r = await withLedger([{ requirement: 'MI-13', reason: 'cancel link not implemented yet', link: 'https://tracker.example/42' }]);
    assert.equal(r.code, 0, r.out);
    const s = JSON.parse(fs.readFileSync(path.join(r.dir, 'summary.json'), 'utf8')) as { requirements: Record<string, { verdict: string }> };
    assert.equal(s.requirements['MI-13']?.verdict, 'expected fail');
    assert.match(fs.readFileSync(path.join(r.dir, 'junit.xml'), 'utf8'), /<skipped message="expected fail/);
  });

  test('an unexpected pass, or an entry past its date, fails the gate with a clear message', async () => {
    const pass = await withLedger([{ requirement: 'SM-1', reason: 'thought broken' }]);
    assert.equal(pass.code, 1, pass.out);
    assert.match(pass.out, /SM-1 passed although the deviation ledger lists it/);
    const expired = await withLedger([{ requirement: 'MI-13', reason: 'fix promised', until: '2020-01-31' }]);
    assert.equal(expired.code, 1, expired.out);
    assert.match(expired.out, /MI-13: the deviation ledger entry expired on 2020-01-31/);
  });

  test('an entry naming an unknown requirement is a configuration error', async () => {
    const r = await withLedger([{ requirement: 'XX-99', reason: 'typo' }]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /deviations\[0\]\.requirement: XX-99 is not a requirement of the profile/);
  });
});

/**
 * Issue #12: a target with UCWA and TAA accounts in all four combinations (the reference server with its TAA
 * surface): each two-sided requirement is reported per combination (`CAN-1 [taa→ucwa]`), the UCWA-only and the
 * TAA-only ones once, as the caller transport they check; every report names the source feature file.
 */
describe('reports of a run with TAA accounts', () => {
  let server: Awaited<ReturnType<typeof startReferenceServer>>;
  let dir: string;
  let run: { code: number | null; out: string };
  before(async () => {
    // a free port for the suite's callback receiver, which the description's callback URLs name
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    server = await startReferenceServer({ taa: { callbackOrigin: `http://127.0.0.1:${port}` }, callbackAllowHttp: true });
    dir = tmp();
    const target = path.join(dir, '..', `${path.basename(dir)}-target.json`);
    fs.writeFileSync(target, JSON.stringify(server.description));
    run = await runSuite(['--target', target, '--report-dir', dir, '--tags', '@req:CAN-1 or @req:DISC-1 or @req:TDISC-1', '--parallel', '4']);
  });
  after(async () => server?.close());

  test('summary.json validates and gives each requirement its verdict per combination; HTML, junit and console show them', () => {
    assert.equal(run.code, 0, run.out.slice(-4000));
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {
      requirements: Record<string, { verdict: string; combinations?: Record<string, { verdict: string }> }>;
      scenarios: { name: string; uri: string; line?: number; combination?: string }[];
      target: { combinations?: Record<string, number>; taaDiscoverUrl?: string; declaredDeviations: string[] };
    };
    assert.deepEqual(validate('urn:ucwa-conformance:summary:1', summary), []);
    assert.deepEqual(Object.keys(summary.target.combinations ?? {}), ['ucwa→ucwa', 'ucwa→taa', 'taa→ucwa', 'taa→taa']);
    assert.match(summary.target.taaDiscoverUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/.*discover/);
    assert.ok(summary.target.declaredDeviations.some((d) => /taa\.allowHttpCallbackUrls/.test(d)), summary.target.declaredDeviations.join('; '));
    assert.deepEqual(summary.requirements['CAN-1']?.combinations, {
      'ucwa→ucwa': { verdict: 'pass', scenarios: ['cancel on a Connecting outgoing invitation answers 204 No Content [ucwa→ucwa]'] },
      'ucwa→taa': { verdict: 'pass', scenarios: ['cancel on a Connecting outgoing invitation answers 204 No Content [ucwa→taa]'] },
      'taa→ucwa': { verdict: 'pass', scenarios: ['cancel on a Connecting outgoing invitation answers 204 No Content [taa→ucwa]'] },
      'taa→taa': { verdict: 'pass', scenarios: ['cancel on a Connecting outgoing invitation answers 204 No Content [taa→taa]'] },
    });
    assert.deepEqual(Object.keys(summary.requirements['DISC-1']?.combinations ?? {}), ['ucwa']);
    assert.deepEqual(Object.keys(summary.requirements['TDISC-1']?.combinations ?? {}), ['taa']);
    for (const s of summary.scenarios) assert.match(s.uri, /^features\/[\w/-]+\.feature$/, `${s.name}: ${s.uri}`);
    const html = fs.readFileSync(path.join(dir, 'conformance.html'), 'utf8');
    assert.match(html, /id="req-CAN-1".*data-combination="taa→ucwa" data-combination-verdict="pass"/);
    assert.match(html, /id="combinations">ucwa→ucwa/);
    assert.match(html, /id="taa-discover"><code>http:/);
    assert.match(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8'), /<testsuite name="features\/cancel\/cancel\.feature" tests="4"[\s\S]*name="\[CAN-1\] cancel on a Connecting outgoing invitation answers 204 No Content \[taa→taa\]"/);
    assert.match(run.out, /Scenarios: 6 — 6 passed/);
  });
});
