import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnStandaloneReference } from '../bin/standalone';
import { loadCatalogue } from '../bin/features';
import { runSuite } from './support/suite';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
}


interface Summary {
  totals: { scenarios: Record<string, number>; requirements: Record<string, number> };
  scenarios: { name: string; verdict: string; detail?: string; requirements: string[]; level: string }[];
  gate: { exitCode: number; conforming: boolean | string };
}

function summary(dir: string): Summary {
  return JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
}

// The whole suite, @slow scenarios included, runs against the reference server in the self-test's baseline
// (test/selftest.test.ts); here each dialect runs the scenarios that are not dominated by protocol waits.
for (const prefix of ['ms:rtc:saas:', '', 'service:']) {
  test(`the suite passes against the embedded reference server in the "${prefix}" dialect and writes the reports`, async () => {
    const dir = tmp();
    const r = await runSuite(['--rel-prefix', prefix, '--report-dir', dir, '--tags', 'not @slow']);
    assert.equal(r.code, 0, r.out);
    for (const f of ['conformance.html', 'cucumber.html', 'messages.ndjson', 'junit.xml', 'summary.json']) assert.ok(fs.statSync(path.join(dir, f)).size > 0, f);
    const s = summary(dir);
    assert.deepEqual(s.scenarios.filter((x) => x.verdict === 'fail' || x.verdict === 'inconclusive'), [], r.out);
    assert.equal(s.gate.exitCode, 0);
    assert.ok(s.totals.scenarios.pass > 0);
    assert.match(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8'), /<testsuite/);
  });
}

test('a standalone reference server and its printed description pass the same', async () => {
  const { process: server, description } = await spawnStandaloneReference();
  try {
    const dir = tmp();
    const file = path.join(dir, 'target.json');
    fs.writeFileSync(file, JSON.stringify(description));
    const r = await runSuite(['--target', file, '--report-dir', dir, '--tags', 'not @slow']);
    assert.equal(r.code, 0, r.out);
  } finally {
    server.kill('SIGTERM');
  }
});

test('without capabilities and fixtures the dependent scenarios are not applicable, with their reason, and the run exits 0', async () => {
  const { process: server, description: full } = await spawnStandaloneReference();
  try {
    const users = full.users as { caller: { uri: string; username: string; password: string }; callee: unknown };
    const minimal = { discoveryUrl: full.discoveryUrl, users: { caller: { uri: users.caller.uri, token: 'unused-token-for-this-test' }, callee: users.callee } };
    const dir = tmp();
    const file = path.join(dir, 'target.json');
    fs.writeFileSync(file, JSON.stringify(minimal));
    const r = await runSuite(['--target', file, '--report-dir', dir, '--tags', '@req:AUTH-1']);
    assert.equal(r.code, 0, r.out);
    const s = summary(dir);
    assert.deepEqual(
      s.scenarios.map((x) => [x.verdict, x.detail]),
      [['not applicable', 'users.caller signs in with a token (give users.caller.username and password)']],
    );
    assert.match(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8'), /<skipped/);
  } finally {
    server.kill('SIGTERM');
  }
});

test('against the minimal description of TARGET.md §8 the dependent requirements are not applicable with their reasons, and the run exits 0', async () => {
  const { process: server, description: full } = await spawnStandaloneReference<{ discoveryUrl: string; users: { caller: unknown; callee: unknown } }>();
  try {
    const dir = tmp();
    const file = path.join(dir, 'target.json');
    fs.writeFileSync(file, JSON.stringify({ discoveryUrl: full.discoveryUrl, users: { caller: full.users.caller, callee: full.users.callee } }));
    const r = await runSuite(['--target', file, '--report-dir', dir, '--tags', 'not @slow']);
    assert.equal(r.code, 0, r.out);
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { requirements: Record<string, { verdict: string; enabledBy?: string }> };
    const na = Object.entries(s.requirements).filter(([, v]) => v.verdict === 'not applicable');
    // the UCWA requirements that need a capability or fixture, and every TAA-only requirement (PROFILE.md §15: the
    // description has no TAA account)
    const taaOnly = loadCatalogue().filter((r) => r.section.startsWith('15.')).map((r) => r.id);
    assert.deepEqual(na.map(([id]) => id).sort(), ['ADD-1', 'ADD-2', 'ADD-3', 'ADD-4', 'ERR-10', 'ERR-11', 'ERR-13', 'ERR-8', 'LC-5', 'OPT-1', 'OPT-2', 'OPT-3', ...taaOnly].sort());
    for (const [id, v] of na) assert.match(v.enabledBy ?? '', /^(capabilities|fixtures|users|taa)\b/, `${id} names the member that would enable it`);
    assert.deepEqual(Object.entries(s.requirements).filter(([, v]) => v.verdict === 'fail' || v.verdict === 'inconclusive'), []);
  } finally {
    server.kill('SIGTERM');
  }
});

test('a broken target description stops the run with exit 2, naming each member, before any request', async () => {
  const dir = tmp();
  const file = path.join(dir, 'target.json');
  fs.writeFileSync(file, JSON.stringify({ discoveryUrl: 'nope', users: { caller: { uri: 'sip:a@x' } }, capabilities: { addMesaging: true } }));
  const r = await runSuite(['--target', file, '--report-dir', dir]);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /discoveryUrl: must be an absolute http: or https: URL/);
  assert.match(r.out, /users\.callee: required member is missing/);
  assert.match(r.out, /capabilities\.addMesaging: unknown member/);
  // reports on every ending (issue 11): the summary says why, every problem by member, and no scenario ran
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { complete: boolean; stopped: { cause: string; problems: string[] }; totals: { scenarios: Record<string, number> } };
  assert.equal(summary.complete, false);
  assert.equal(summary.stopped.cause, 'configuration error');
  for (const member of ['discoveryUrl:', 'users.callee:', 'capabilities.addMesaging:']) assert.ok(summary.stopped.problems.some((p) => p.startsWith(member)), member);
  assert.equal(Object.values(summary.totals.scenarios).reduce((a, b) => a + b, 0), 0);
});

test('the TARGET variable is read when --target is absent', async () => {
  const r = await runSuite(['--report-dir', tmp()], { TARGET: '/nonexistent/target.json' });
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /\/nonexistent\/target\.json/);
});

test('an unreachable target stops the run with exit 2', async () => {
  const dir = tmp();
  const file = path.join(dir, 'target.json');
  fs.writeFileSync(file, JSON.stringify({
    discoveryUrl: 'http://127.0.0.1:9/autodiscover',
    users: { caller: { uri: 'sip:a@example.com', token: 'x' }, callee: { uri: 'sip:b@example.com', token: 'y' } },
  }));
  const r = await runSuite(['--target', file, '--report-dir', dir]);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /target unreachable/);
});
