import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serveVariant } from '../bin/variant-server';
import type { Summary } from '../bin/summary';
import { validate } from '../steps/support/schemas';
import { runSuite } from './support/suite';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-rules-'));

/**
 * Issue #11 "ledgered deviations do not cascade": a target that accepts a 251-character subject (ERR-3 fails), run
 * whole with a ledger listing ERR-3 (and SEC-5, the local server's plain http), exits 0; ERR-16, whose first
 * scenario uses that refusal among others, is decided on the refusals the target does make.
 */
describe('a run whose every failure is in the deviation ledger', () => {
  let variant: Awaited<ReturnType<typeof serveVariant>>;
  let r: { code: number | null; out: string };
  let summary: Summary;
  let junit: string;
  let html: string;
  before(async () => {
    variant = await serveVariant(['subject-limit-251'], 2);
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'target.json'), JSON.stringify(variant.description));
    fs.writeFileSync(
      path.join(dir, 'ledger.json'),
      JSON.stringify({ deviations: [{ requirement: 'ERR-3', reason: 'accepts a 251-character subject' }, { requirement: 'SEC-5', reason: 'plain http on loopback' }] }),
    );
    r = await runSuite(['--target', path.join(dir, 'target.json'), '--deviations', path.join(dir, 'ledger.json'), '--report-dir', path.join(dir, 'reports'), '--tags', 'not @slow', '--parallel', '4'], { UCWA_CONFORMANCE_EVENT_WAIT_MS: '2000' });
    summary = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'summary.json'), 'utf8')) as Summary;
    junit = fs.readFileSync(path.join(dir, 'reports', 'junit.xml'), 'utf8');
    html = fs.readFileSync(path.join(dir, 'reports', 'conformance.html'), 'utf8');
  });
  after(() => variant?.close());

  test('exits 0, ERR-3 an expected fail, and ERR-16 decided (pass) on the refusals the target makes', () => {
    assert.equal(r.code, 0, r.out.slice(-3000));
    assert.deepEqual(validate('urn:ucwa-conformance:summary:1', summary), []);
    assert.equal(summary.requirements['ERR-3']?.verdict, 'expected fail');
    assert.equal(summary.requirements['ERR-16']?.verdict, 'pass');
    const refusedStarts = summary.scenarios.find((s) => s.requirements.includes('ERR-16') && /startMessaging/.test(s.name));
    assert.equal(refusedStarts?.verdict, 'pass');
    assert.equal(summary.totals.requirements.fail, 0);
    assert.equal(summary.totals.requirements.inconclusive, 0);
    assert.match(r.out, /expected fail \(in the deviation ledger\): .*ERR-3/);
    assert.match(junit, /expected fail \(deviation ledger\)/);
    assert.match(html, /ERR-3/);
  });
});

/**
 * A prerequisite that fails as the ledger says blocks what depends on it: the outgoing invitation never shows
 * ⟨cancel⟩ (MI-13, ledgered), so the cancel scenarios cannot cancel — blocked, named in every report, not gating.
 */
describe('requirements blocked by a ledgered deviation', () => {
  let variant: Awaited<ReturnType<typeof serveVariant>>;
  let r: { code: number | null; out: string };
  let dir: string;
  before(async () => {
    variant = await serveVariant(['cancel-link-missing-while-connecting'], 2);
    dir = tmp();
    fs.writeFileSync(path.join(dir, 'target.json'), JSON.stringify(variant.description));
    fs.writeFileSync(path.join(dir, 'ledger.json'), JSON.stringify({ deviations: [{ requirement: 'MI-13', reason: 'no cancel link yet' }] }));
    r = await runSuite(['--target', path.join(dir, 'target.json'), '--deviations', path.join(dir, 'ledger.json'), '--report-dir', path.join(dir, 'reports'), '--tags', '@req:MI-13 or @req:CAN-1 or @req:CAN-2', '--parallel', '2'], { UCWA_CONFORMANCE_EVENT_WAIT_MS: '2000' });
  });
  after(() => variant?.close());

  test('exits 0 and names the blocked requirements and what blocked them in summary.json, junit.xml, the HTML and the console', () => {
    assert.equal(r.code, 0, r.out.slice(-3000));
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'summary.json'), 'utf8')) as Summary;
    assert.deepEqual(validate('urn:ucwa-conformance:summary:1', summary), []);
    assert.equal(summary.requirements['MI-13']?.verdict, 'expected fail');
    for (const id of ['CAN-1', 'CAN-2']) {
      assert.equal(summary.requirements[id]?.verdict, 'blocked', id);
      assert.equal(summary.requirements[id]?.blockedBy, 'MI-13', id);
    }
    assert.ok(summary.totals.requirements.blocked >= 2);
    assert.equal(summary.gate.conforming, true);
    assert.match(fs.readFileSync(path.join(dir, 'reports', 'junit.xml'), 'utf8'), /<skipped message="blocked by the ledgered deviation MI-13/);
    assert.match(fs.readFileSync(path.join(dir, 'reports', 'conformance.html'), 'utf8'), /blocked by the ledgered deviation <a href="#req-MI-13">MI-13<\/a>/);
    assert.match(r.out, /blocked by a ledgered deviation \(not gating, not passed\): .*CAN-1 \(by MI-13\)/);
  });
});
