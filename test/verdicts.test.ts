import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope } from '@cucumber/messages';
import { scenarioResults, SEC4_RUN_SCENARIO } from '../bin/verdicts';
import { LEAKS_MEDIA_TYPE } from '../steps/support/evidence';

const t = { seconds: 0, nanos: 0 };

/** The Cucumber messages of one finished scenario: its tags, its worst step status (with an error) and attachments. */
function scenario(id: string, tags: string[], status: string, error?: { type: string; message: string }, leaks?: unknown[]): Envelope[] {
  return [
    { pickle: { id: `p${id}`, name: `scenario ${id}`, uri: 'features/x.feature', tags: tags.map((name) => ({ name, astNodeId: '' })), astNodeIds: [], steps: [], language: 'en' } },
    { testCase: { id: `tc${id}`, pickleId: `p${id}`, testSteps: [], testRunStartedId: '' } },
    { testCaseStarted: { id: `s${id}`, testCaseId: `tc${id}`, attempt: 0, timestamp: t } },
    ...(leaks ? [{ attachment: { testCaseStartedId: `s${id}`, mediaType: LEAKS_MEDIA_TYPE, body: JSON.stringify(leaks), contentEncoding: 'IDENTITY' } }] : []),
    { testStepFinished: { testCaseStartedId: `s${id}`, testStepId: '', timestamp: t, testStepResult: { status, duration: t, ...(error ? { exception: error, message: error.message } : {}) } } },
    { testCaseFinished: { testCaseStartedId: `s${id}`, timestamp: t, willBeRetried: false } },
  ] as unknown as Envelope[];
}

const leak = { label: 'the token issued to the caller', where: 'body', seq: 7, method: 'POST', url: 'http://t/x', status: 400 };

describe('scenario verdicts', () => {
  test('an inconclusive prerequisite that the ledger lists blocks the scenario (not gating), one that it does not stays inconclusive', () => {
    const envs = [
      ...scenario('1', ['@req:ERR-16', '@must'], 'FAILED', { type: 'Inconclusive', message: 'prerequisite ERR-3 failed: startMessaging answered 201' }),
      ...scenario('2', ['@req:CAN-1', '@must'], 'FAILED', { type: 'Inconclusive', message: 'prerequisite MI-13 failed: no cancel' }),
    ];
    const [a, b] = scenarioResults(envs, 'must', new Map([['ERR-3', { requirement: 'ERR-3', reason: 'known' }]]));
    assert.equal(a?.verdict, 'blocked');
    assert.equal(a?.blockedBy, 'ERR-3');
    assert.match(a?.detail ?? '', /blocked by the ledgered deviation ERR-3 \(known\)/);
    assert.equal(b?.verdict, 'inconclusive');
  });

  test('SEC-4 findings of other scenarios fail the SEC-4 scenario, naming scenario and exchange', () => {
    const envs = [...scenario('1', ['@req:ERR-2', '@must'], 'PASSED', undefined, [leak]), ...scenario('2', ['@req:SEC-4', '@must'], 'PASSED')];
    const out = scenarioResults(envs, 'must', new Map());
    const sec4 = out.find((s) => s.requirements.includes('SEC-4'));
    assert.equal(out.length, 2);
    assert.equal(sec4?.verdict, 'fail');
    assert.match(sec4?.detail ?? '', /in scenario "scenario 1 \(features\/x\.feature\)": the token issued to the caller in the body of the response to #7 POST http:\/\/t\/x \(400\)/);
    assert.equal(out[0]?.verdict, 'pass');
  });

  test('without the SEC-4 scenario a finding still fails SEC-4 as a run-level result; without a finding nothing is added', () => {
    const withLeak = scenarioResults(scenario('1', ['@req:ERR-2', '@must'], 'PASSED', undefined, [leak]), 'must', new Map());
    assert.deepEqual(withLeak.map((s) => [s.name, s.verdict]), [['scenario 1', 'pass'], [SEC4_RUN_SCENARIO, 'fail']]);
    const ledgered = scenarioResults(scenario('1', ['@req:ERR-2', '@must'], 'PASSED', undefined, [leak]), 'must', new Map([['SEC-4', { requirement: 'SEC-4', reason: 'r' }]]));
    assert.equal(ledgered[1]?.verdict, 'expected fail');
    assert.equal(scenarioResults(scenario('1', ['@req:ERR-2', '@must'], 'PASSED'), 'must', new Map()).length, 1);
  });
});
