import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope } from '@cucumber/messages';
import { failureText } from '../bin/console';
import type { CatalogueEntry } from '../bin/features';
import { matrixHtml } from '../bin/matrix';
import { conformanceHtml } from '../bin/report/html';
import { junitXml } from '../bin/report/junit';
import { buildSummary, type TargetSummary } from '../bin/summary';
import { consoleText, decide, entries, scenarioResults, type ScenarioResult } from '../bin/verdicts';
import { validate } from '../steps/support/schemas';
import type { Target } from '../steps/support/target';

const t = { seconds: 0, nanos: 0 };
const COPY = (via: string) => `../../tmp/ucwa-conformance-features-AbC123/${via}/features/lifecycle/lifecycle.feature`;

/** The Cucumber messages of one finished scenario copy: its document (for the line), pickle, status. */
function copy(id: string, name: string, tags: string[], uri: string, status: string, error?: { type: string; message: string }): Envelope[] {
  return [
    { gherkinDocument: { uri, comments: [], feature: { tags: [], location: { line: 1 }, language: 'en', keyword: 'Feature', name: 'f', description: '', children: [{ scenario: { id: `ast${id}`, location: { line: 42, column: 3 }, tags: [], keyword: 'Scenario', name, description: '', steps: [], examples: [] } }] } } },
    { pickle: { id: `p${id}`, name, uri, tags: tags.map((n) => ({ name: n, astNodeId: '' })), astNodeIds: [`ast${id}`], steps: [], language: 'en' } },
    { testCase: { id: `tc${id}`, pickleId: `p${id}`, testSteps: [], testRunStartedId: '' } },
    { testCaseStarted: { id: `s${id}`, testCaseId: `tc${id}`, attempt: 0, timestamp: t } },
    { testStepFinished: { testCaseStartedId: `s${id}`, testStepId: '', timestamp: t, testStepResult: { status, duration: t, ...(error ? { exception: error, message: error.message } : {}) } } },
    { testCaseFinished: { testCaseStartedId: `s${id}`, timestamp: t, willBeRetried: false } },
  ] as unknown as Envelope[];
}

const catalogue: CatalogueEntry[] = [
  { id: 'LC-3', level: 'MUST', area: 'lifecycle', section: '9', title: 'An unanswered invitation times out', enabledBy: null },
  { id: 'DISC-1', level: 'MUST', area: 'discovery', section: '3.1', title: 'Discovery', enabledBy: null },
  { id: 'TDISC-1', level: 'MUST', area: 'taa-discovery', section: '15.2', title: 'TAA discovery', enabledBy: null, pending: 'not yet' },
  { id: 'SM-1', level: 'MUST', area: 'startMessaging', section: '5', title: 'startMessaging', enabledBy: null },
];

const failure = { type: 'RequirementFailure', message: '[LC-3 MUST — times out]\n  expected: completed within 25–40 s\n  actual:   no completed' };

function run(): ScenarioResult[] {
  return scenarioResults(
    [
      ...copy('1', 'times out [ucwa→ucwa]', ['@req:LC-3', '@must', '@via:ucwa-ucwa'], COPY('ucwa-ucwa'), 'PASSED'),
      ...copy('2', 'times out [taa→ucwa]', ['@req:LC-3', '@must', '@via:taa-ucwa'], COPY('taa-ucwa'), 'FAILED', failure),
      ...copy('3', 'times out [taa→taa]', ['@req:LC-3', '@must', '@via:taa-taa'], COPY('taa-taa'), 'FAILED', { type: 'Inconclusive', message: 'the callee never signed in' }),
      ...copy('4', 'discovery', ['@req:DISC-1', '@must', '@via-needs:ucwa-caller'], '../../tmp/ucwa-conformance-features-AbC123/not-applicable/features/discovery/sign-in.feature', 'SKIPPED'),
      ...copy('5', 'starts [ucwa]', ['@req:SM-1', '@must', '@via:ucwa'], COPY('ucwa'), 'PASSED'),
      ...copy('6', 'starts [taa]', ['@req:SM-1', '@must', '@via:taa'], COPY('taa'), 'PASSED'),
    ].concat([{ attachment: { testCaseStartedId: 's4', mediaType: 'text/x.cucumber.log+plain', body: 'not applicable: no UCWA caller in the target description', contentEncoding: 'IDENTITY' } } as unknown as Envelope]),
    'must',
    new Map(),
  );
}

const target: TargetSummary = {
  name: 'mixed',
  source: 'test',
  discoveryUrl: 'http://127.0.0.1:1/',
  relPrefix: 'ms:rtc:saas:',
  capabilities: {},
  fixtures: [],
  users: [
    { role: 'caller', uri: 'sip:a@example.com', signIn: 'password' },
    { role: 'callee', uri: 'sip:b@example.com', signIn: 'client credentials', transport: 'taa' },
  ],
  timing: { noAnswerTimeoutSeconds: 30, windowSeconds: [25, 40] },
  unsupportedContentTypeStatus: 410,
  declaredDeviations: [],
  combinations: { 'ucwa→ucwa': 1, 'taa→ucwa': 1, 'taa→taa': 1 },
};

describe('verdicts per transport combination', () => {
  test('a copy reports its combination and its source file and line', () => {
    const s = run();
    assert.equal(s[1]?.uri, 'features/lifecycle/lifecycle.feature');
    assert.equal(s[1]?.line, 42);
    assert.equal(s[1]?.combination, 'taa→ucwa');
    assert.equal(s[5]?.combination, 'taa');
    assert.equal(s[3]?.combination, undefined);
    assert.equal(s[3]?.verdict, 'not applicable');
  });

  test('a requirement has a verdict per combination, its own the worst of them; the gate names the combination', () => {
    const o = decide(run(), catalogue, 'must', new Map(), '2026-01-01');
    const lc3 = o.requirements.find((r) => r.id === 'LC-3')!;
    assert.equal(lc3.verdict, 'fail');
    assert.deepEqual(Object.fromEntries(Object.entries(lc3.combinations ?? {}).map(([k, v]) => [k, v.verdict])), { 'ucwa→ucwa': 'pass', 'taa→ucwa': 'fail', 'taa→taa': 'inconclusive' });
    assert.match(lc3.combinations?.['taa→ucwa']?.detail ?? '', /no completed/);
    assert.equal(lc3.combinations?.['ucwa→ucwa']?.detail, undefined);
    assert.deepEqual(entries(lc3).map((e) => e.label), ['LC-3 [ucwa→ucwa]', 'LC-3 [taa→ucwa]', 'LC-3 [taa→taa]']);
    assert.deepEqual(o.gate.reasons, ['LC-3 [taa→ucwa] MUST failed: An unanswered invitation times out']);
    const sm1 = o.requirements.find((r) => r.id === 'SM-1')!;
    assert.equal(sm1.verdict, 'pass');
    assert.deepEqual(Object.keys(sm1.combinations ?? {}), ['ucwa', 'taa']);
    const disc = o.requirements.find((r) => r.id === 'DISC-1')!;
    assert.equal(disc.verdict, 'not applicable');
    assert.equal(disc.detail, 'no UCWA caller in the target description');
    assert.equal(disc.enabledBy, 'users.pairs');
    assert.equal(disc.combinations, undefined);
    const tdisc = o.requirements.find((r) => r.id === 'TDISC-1')!;
    assert.deepEqual([tdisc.verdict, tdisc.detail], ['not run', 'not yet']);
  });

  test('expected fail stands per combination only for a ledgered requirement; inconclusive combinations gate as inconclusive', () => {
    const ledger = new Map([['LC-3', { requirement: 'LC-3', reason: 'known' }]]);
    const s = scenarioResults(
      [
        ...copy('1', 'times out [ucwa→ucwa]', ['@req:LC-3', '@must', '@via:ucwa-ucwa'], COPY('ucwa-ucwa'), 'FAILED', failure),
        ...copy('2', 'times out [taa→ucwa]', ['@req:LC-3', '@must', '@via:taa-ucwa'], COPY('taa-ucwa'), 'FAILED', { type: 'Inconclusive', message: 'no callback' }),
      ],
      'must',
      ledger,
    );
    const o = decide(s, catalogue, 'must', ledger, '2026-01-01');
    const lc3 = o.requirements.find((r) => r.id === 'LC-3')!;
    assert.equal(lc3.verdict, 'inconclusive');
    assert.equal(lc3.combinations?.['ucwa→ucwa']?.verdict, 'expected fail');
    assert.deepEqual(o.gate.reasons, ['LC-3 [taa→ucwa] MUST inconclusive: no callback']);
  });

  test('summary.json validates with combinations; HTML, junit, console and matrix show LC-3 [taa→ucwa]', () => {
    const o = decide(run(), catalogue, 'must', new Map(), '2026-01-01');
    const summary = buildSummary(o, target, { startedAt: new Date(0), finishedAt: new Date(1000), profileVersion: '1.1', deviations: [] });
    assert.deepEqual(validate('urn:ucwa-conformance:summary:1', summary), []);
    assert.equal(summary.requirements['LC-3']?.combinations?.['taa→ucwa']?.verdict, 'fail');
    assert.equal(summary.scenarios[1]?.combination, 'taa→ucwa');
    const html = conformanceHtml(summary, o.scenarios);
    assert.match(html, /<tr data-verdict="fail" data-level="MUST" id="req-LC-3">.*<span class="combo" data-combination="taa→ucwa" data-combination-verdict="fail"/);
    assert.match(html, /data-combination="ucwa→ucwa" data-combination-verdict="pass"/);
    assert.match(html, /id="combinations">ucwa→ucwa \(1 pair\), taa→ucwa \(1 pair\), taa→taa \(1 pair\)/);
    assert.match(html, /callee <code>sip:b@example.com<\/code> \(taa, client credentials\)/);
    assert.match(html, /times out \[taa→ucwa\] <span class="muted">features\/lifecycle\/lifecycle\.feature:42<\/span>/);
    const junit = junitXml(summary);
    assert.match(junit, /<testsuite name="features\/lifecycle\/lifecycle\.feature"/);
    assert.match(junit, /name="\[LC-3\] times out \[taa→ucwa\]"[^>]*>\s*<failure/);
    const text = consoleText(o, { name: 'mixed' } as Target);
    assert.match(text, /per transport combination \(not passing\): LC-3 \[taa→ucwa\] fail, LC-3 \[taa→taa\] inconclusive\n/);
    assert.match(text, / {2}- LC-3 \[taa→ucwa\] MUST failed/);
    assert.match(failureText(o, { verbose: false, color: false }), /FAIL features\/lifecycle\/lifecycle\.feature:42 — times out \[taa→ucwa\]/);
    const matrix = matrixHtml([{ label: 'a', summary }]);
    assert.match(matrix, /<th>LC-3 \[taa→ucwa\]<\/th><td>MUST<\/td><td>An unanswered invitation times out<\/td><td class="v v-fail">fail<\/td>/);
  });

  test('without TAA accounts nothing changes: no combination anywhere', () => {
    const s = scenarioResults(copy('1', 'times out', ['@req:LC-3', '@must'], 'features/lifecycle/lifecycle.feature', 'PASSED'), 'must', new Map());
    assert.equal(s[0]?.combination, undefined);
    assert.equal(s[0]?.uri, 'features/lifecycle/lifecycle.feature');
    const o = decide(s, catalogue, 'must', new Map(), '2026-01-01');
    assert.equal(o.requirements[0]?.combinations, undefined);
    const { combinations: _c, ...plain } = target;
    const summary = buildSummary(o, { ...plain, users: [{ role: 'caller', uri: 'sip:a@example.com', signIn: 'password' }] }, { startedAt: new Date(0), finishedAt: new Date(1000), profileVersion: '1.1', deviations: [] });
    assert.equal(JSON.stringify(summary).includes('combination'), false);
    assert.equal(conformanceHtml(summary, o.scenarios).includes('data-combination'), false);
    assert.equal(consoleText(o, { name: 'x' } as Target).includes('per transport combination'), false);
  });
});
