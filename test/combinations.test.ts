import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { expandFeatures, sourceUri, type Expansion } from '../bin/combinations';
import { featureFiles, FEATURES_DIR, loadScenarios, ROOT, type ScenarioInfo } from '../bin/features';
import { notApplicableReason } from '../steps/support/applicability';
import { leasePair, NoSuchPair, PAIRS_DIR_VARIABLE, parallelCap, wantedOf } from '../steps/support/pairs';
import type { Target } from '../steps/support/target';

/** A target with the given pairs (`ucwa-taa` …), built by hand: only what the expansion and leasing read. */
function targetWith(...combinations: string[]): Target {
  let n = 0;
  const account = (transport: string) => ({ uri: `sip:u${n++}@example.com`, transport, ...(transport === 'taa' ? { clientId: 'app', clientSecret: 's', callbackUrl: `http://127.0.0.1:1/cb/${n}` } : { username: 'u', password: 'p' }) });
  const pairs = combinations.map((c) => {
    const [caller, callee] = c.split('-') as [string, string];
    return { caller: account(caller), callee: account(callee) };
  });
  const [first, ...rest] = pairs;
  return {
    name: 'hand-written',
    users: { caller: first!.caller, callee: first!.callee, pairs: rest },
    fixtures: {},
    capabilities: { addMessaging: true, acceptAndBridge: true, startAdhocMeeting: true, customContent: true, startMessagingWithIdentity: true },
  } as unknown as Target;
}

/** A feature file of TAA scenarios as F writes them (in a temp folder, beside copies of two real features). */
const extra = fs.mkdtempSync(path.join(os.tmpdir(), 'combinations-test-'));
const taaFeature = path.join(extra, 'taa-example.feature');
fs.writeFileSync(
  taaFeature,
  `@area:taa-discovery
Feature: TAA example

  @req:TDISC-1 @must @via-needs:taa-caller
  Scenario: The platform discovery document links the applications
    When the caller discovers the platform
    Then the discovery document links the applications

  @req:CB-7 @must @via-needs:taa-callee
  Scenario: The callee's context comes back on every callback
    Given the caller has started messaging the callee
    Then every callback carries the context

  @req:TAUTH-4 @must @via-needs:ucwa-and-taa
  Scenario: Tokens do not cross transports
    Given the caller has started messaging the callee
    Then the other side's token is refused
`,
);
const files = [path.join(FEATURES_DIR, 'discovery', 'sign-in.feature'), path.join(FEATURES_DIR, 'lifecycle', 'lifecycle.feature'), taaFeature];
const expansions: Expansion[] = [];
after(() => {
  for (const x of expansions) x.remove();
  fs.rmSync(extra, { recursive: true, force: true });
});

function expand(target: Target, only = files): { x: Expansion; scenarios: ScenarioInfo[] } {
  const x = expandFeatures(target, { files: only });
  assert.ok(x, 'an expansion');
  expansions.push(x);
  return { x, scenarios: loadScenarios(x.paths) };
}

const named = (scenarios: ScenarioInfo[], id: string) =>
  scenarios
    .filter((s) => s.requirements.includes(id))
    .map((s) => s.name)
    .sort();

describe('expansion per transport combination', () => {
  test('all four combinations: two-sided scenarios once per combination, caller-only once per caller transport, families filtered', () => {
    const { x, scenarios } = expand(targetWith('ucwa-ucwa', 'ucwa-taa', 'taa-ucwa', 'taa-taa'));
    assert.ok(!x.dir.startsWith(ROOT), 'the copies live outside the tree');
    const lc3 = scenarios.filter((s) => s.requirements.includes('LC-3'));
    assert.deepEqual(lc3.map((s) => wantedOf(s.tags)).map((w) => `${w?.caller}-${w?.callee}`).sort(), ['taa-taa', 'taa-ucwa', 'ucwa-taa', 'ucwa-ucwa']);
    for (const s of lc3) {
      const via = s.tags.find((t) => t.startsWith('@via:'))!.slice(5);
      assert.ok(s.name.endsWith(` [${via.replace('-', '→')}]`), s.name);
      assert.equal(notApplicableReason(s.tags, targetWith('ucwa-ucwa', 'ucwa-taa', 'taa-ucwa', 'taa-taa')), undefined);
    }
    // DISC-1 checks the caller (caller-only, UCWA-only family): once, as the UCWA caller
    assert.deepEqual(named(scenarios, 'DISC-1'), ['The discovery document leads to the user resource [ucwa]']);
    // APP-4 checks the callee (@via-needs:ucwa-callee): wherever the callee is UCWA
    assert.deepEqual(named(scenarios, 'APP-4'), ['The callee makes itself available for messaging [taa→ucwa]', 'The callee makes itself available for messaging [ucwa→ucwa]']);
    assert.deepEqual(named(scenarios, 'TDISC-1'), ['The platform discovery document links the applications [taa]']);
    assert.deepEqual(named(scenarios, 'CB-7'), ["The callee's context comes back on every callback [taa→taa]", "The callee's context comes back on every callback [ucwa→taa]"]);
    assert.deepEqual(named(scenarios, 'TAUTH-4'), ['Tokens do not cross transports [taa→ucwa]', 'Tokens do not cross transports [ucwa→taa]']);
    assert.equal(x.notApplicable, 0);
    assert.deepEqual(x.folders, { 'ucwa-ucwa': 'ucwa→ucwa', 'ucwa-taa': 'ucwa→taa', 'taa-ucwa': 'taa→ucwa', 'taa-taa': 'taa→taa', ucwa: 'ucwa', taa: 'taa' });
  });

  test('a copy keeps its source line and its uri maps back to the source file', () => {
    const { scenarios } = expand(targetWith('ucwa-ucwa', 'taa-ucwa'));
    const source = loadScenarios([files[1]!]);
    const copy = scenarios.find((s) => s.requirements.includes('LC-3') && s.tags.includes('@via:taa-ucwa'))!;
    assert.equal(sourceUri(copy.uri), 'features/lifecycle/lifecycle.feature');
    assert.equal(sourceUri(path.resolve(ROOT, copy.uri)), 'features/lifecycle/lifecycle.feature');
    assert.equal(sourceUri('features/x.feature'), 'features/x.feature');
    const text = fs.readFileSync(path.resolve(ROOT, copy.uri), 'utf8').split('\n');
    const original = fs.readFileSync(files[1]!, 'utf8').split('\n');
    assert.equal(text.length, original.length);
    const line = original.findIndex((l) => l.includes(`Scenario: ${source.find((s) => s.requirements.includes('LC-3'))!.name}`));
    assert.ok(line >= 0);
    assert.equal(text[line], `${original[line]} [taa→ucwa]`);
  });

  test('only ucwa→taa: everything runs there or as the UCWA caller; what needs a TAA caller or a UCWA callee is not applicable, with its reason', () => {
    const target = targetWith('ucwa-taa', 'ucwa-taa');
    const { x, scenarios } = expand(target);
    const vias = new Set(scenarios.map((s) => s.tags.find((t) => t.startsWith('@via:')) ?? 'none'));
    assert.deepEqual([...vias].sort(), ['@via:ucwa', '@via:ucwa-taa', 'none']);
    assert.deepEqual(named(scenarios, 'LC-3'), ['An unanswered invitation times out on both sides inside the window [ucwa→taa]']);
    assert.deepEqual(named(scenarios, 'CB-7'), ["The callee's context comes back on every callback [ucwa→taa]"]);
    const reason = (id: string) => scenarios.filter((s) => s.requirements.includes(id)).map((s) => notApplicableReason(s.tags, target));
    assert.deepEqual(reason('TDISC-1'), ['no TAA caller']);
    assert.deepEqual(reason('APP-4'), ['no UCWA callee in the target description']);
    assert.deepEqual(reason('TAUTH-4'), [undefined]);
    assert.deepEqual(reason('DISC-1'), [undefined]);
    assert.equal(x.notApplicable, 2);
    assert.equal(named(scenarios, 'TDISC-1')[0], 'The platform discovery document links the applications', 'a not-applicable copy keeps its name');
  });

  test('TAA only: the UCWA-only families are not applicable, naming the missing UCWA side', () => {
    const target = targetWith('taa-taa');
    const { scenarios } = expand(target);
    const reason = (id: string) => scenarios.filter((s) => s.requirements.includes(id)).map((s) => notApplicableReason(s.tags, target));
    assert.deepEqual(reason('DISC-1'), ['no UCWA caller in the target description']);
    assert.deepEqual(reason('AUTH-1'), ['no UCWA caller in the target description'], 'the transport reason comes before @needs:caller-password');
    assert.deepEqual(reason('TAUTH-4'), ['no UCWA account beside the TAA accounts']);
    assert.deepEqual(reason('TDISC-1'), [undefined]);
  });

  test('without TAA accounts nothing is copied, and TAA scenarios are not applicable: no TAA account in the target description', () => {
    const target = targetWith('ucwa-ucwa', 'ucwa-ucwa');
    assert.equal(expandFeatures(target, { files }), undefined);
    const taa = loadScenarios([taaFeature]);
    assert.deepEqual(
      taa.map((s) => notApplicableReason(s.tags, target)),
      ['no TAA account in the target description', 'no TAA account in the target description', 'no TAA account in the target description'],
    );
    // the real features: none is made not applicable by a transport
    for (const s of loadScenarios(featureFiles(FEATURES_DIR)).filter((x) => !x.tags.some((t) => t.startsWith('@via-needs:'))))
      assert.doesNotMatch(notApplicableReason(s.tags, target) ?? '', /TAA|UCWA|pair/, s.name);
  });

  test('every feature file of the tree expands and parses in all four combinations', () => {
    const x = expandFeatures(targetWith('ucwa-ucwa', 'ucwa-taa', 'taa-ucwa', 'taa-taa'));
    assert.ok(x);
    expansions.push(x);
    const copies = loadScenarios(x.paths);
    const sources = loadScenarios();
    assert.ok(copies.length > sources.length * 2, `${copies.length} copies of ${sources.length} scenarios`);
    for (const s of sources) assert.ok(copies.some((c) => sourceUri(c.uri) === s.uri && c.name.startsWith(s.name)), `${s.uri}: ${s.name}`);
  });
});

describe('pair leases', () => {
  test('a leased pair is not leased again until released; a caller-only lease takes any pair with that caller', async () => {
    delete process.env[PAIRS_DIR_VARIABLE];
    const target = targetWith('ucwa-taa', 'taa-ucwa');
    const a = await leasePair(target, { caller: 'ucwa', callee: 'taa' });
    assert.equal(a.index, 0);
    assert.deepEqual(a.combination, { caller: 'ucwa', callee: 'taa' });
    let second: number | undefined;
    const waiting = leasePair(target, { caller: 'ucwa', callee: 'taa' }, { pollMs: 5 }).then((l) => {
      second = l.index;
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(second, undefined, 'waits while the only ucwa→taa pair is held');
    const other = await leasePair(target, { caller: 'taa' });
    assert.equal(other.member, 'users.pairs[0]');
    a.release();
    a.release();
    const b = await waiting;
    assert.equal(b.index, 0);
    b.release();
    other.release();
    await assert.rejects(leasePair(target, { caller: 'taa', callee: 'taa' }), NoSuchPair);
  });

  test('across processes: the lock directory holds leases, and a lock whose owner process is gone is taken over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairs-test-'));
    process.env[PAIRS_DIR_VARIABLE] = dir;
    try {
      const target = targetWith('ucwa-ucwa', 'ucwa-ucwa');
      fs.writeFileSync(path.join(dir, 'pair-0'), String(process.pid)); // held by a live process
      fs.writeFileSync(path.join(dir, 'pair-1'), '2147483646'); // its owner is gone
      const l = await leasePair(target, { caller: 'ucwa', callee: 'ucwa' }, { pollMs: 5 });
      assert.equal(l.index, 1);
      assert.equal(fs.readFileSync(path.join(dir, 'pair-1'), 'utf8'), String(process.pid));
      l.release();
      assert.equal(fs.existsSync(path.join(dir, 'pair-1')), false);
      await assert.rejects(leasePair(target, { caller: 'taa' }), NoSuchPair);
      await assert.rejects(leasePair(targetWith('ucwa-ucwa'), { caller: 'ucwa', callee: 'ucwa' }, { pollMs: 5, timeoutMs: 30 }), /no ucwa→ucwa pair became free/);
    } finally {
      delete process.env[PAIRS_DIR_VARIABLE];
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('four processes leasing two pairs never hold one pair at the same time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairs-test-'));
    const log = path.join(dir, 'log');
    const pairsDir = path.join(dir, 'locks');
    fs.mkdirSync(pairsDir);
    const code = `
      const fs = require('node:fs');
      const { leasePair } = require(${JSON.stringify(path.join(ROOT, 'steps/support/pairs.ts'))});
      const a = (n) => ({ uri: 'sip:' + n + '@example.com', transport: 'ucwa' });
      const target = { users: { caller: a('a'), callee: a('b'), pairs: [{ caller: a('c'), callee: a('d') }] }, fixtures: {} };
      (async () => {
        for (let i = 0; i < 5; i++) {
          const l = await leasePair(target, { caller: 'ucwa', callee: 'ucwa' }, { pollMs: 2 });
          fs.appendFileSync(${JSON.stringify(log)}, 'take ' + l.index + '\\n');
          await new Promise((r) => setTimeout(r, 10));
          fs.appendFileSync(${JSON.stringify(log)}, 'give ' + l.index + '\\n');
          l.release();
        }
      })();`;
    try {
      const codes = await Promise.all(
        [0, 1, 2, 3].map(
          (w) =>
            new Promise<number | null>((resolve) => {
              const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, [PAIRS_DIR_VARIABLE]: pairsDir, CUCUMBER_WORKER_ID: String(w) }, stdio: 'inherit' });
              child.on('exit', resolve);
            }),
        ),
      );
      assert.deepEqual(codes, [0, 0, 0, 0]);
      const events = fs.readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(events.length, 40);
      const held = new Set<string>();
      for (const e of events) {
        const [what, index] = e.split(' ') as [string, string];
        if (what === 'take') {
          assert.ok(!held.has(index), `pair ${index} taken twice at once:\n${events.join('\n')}`);
          held.add(index);
        } else held.delete(index);
      }
      assert.deepEqual(fs.readdirSync(pairsDir), [], 'every lease given back, no temporary folder left');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('parallelism: as many scenarios at once as the most numerous combination has pairs', () => {
    assert.equal(parallelCap(targetWith('ucwa-ucwa', 'ucwa-ucwa', 'ucwa-ucwa')), 3);
    assert.equal(parallelCap(targetWith('ucwa-ucwa', 'ucwa-taa', 'ucwa-taa', 'taa-taa')), 2);
    assert.equal(parallelCap(targetWith(...Array(8).fill('taa-ucwa'))), 6);
  });
});
