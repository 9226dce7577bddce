import type { Envelope } from '@cucumber/messages';
import { requirements } from '../steps/support/expect';
import type { Target } from '../steps/support/target';

/** PROFILE.md §1 verdicts of one scenario. */
export type Verdict = 'pass' | 'fail' | 'not applicable' | 'inconclusive';

export interface ScenarioResult {
  name: string;
  uri: string;
  requirements: string[];
  level: 'MUST' | 'SHOULD' | 'MAY' | 'unknown';
  verdict: Verdict;
  /** the not-applicable reason, or the failure's first line */
  detail?: string;
}

export interface RunSummary {
  target: { name: string; source: string; relPrefix: string; discoveryUrl: string };
  scenarios: ScenarioResult[];
  requirements: Record<string, Verdict>;
  totals: Record<Verdict, number>;
  conforming: boolean | 'not established';
  exitCode: 0 | 1 | 2;
  text: string;
}

const RANK: Record<string, number> = { UNKNOWN: 0, PASSED: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };
const WORST: Verdict[] = ['fail', 'inconclusive', 'pass', 'not applicable'];

/** Turns the Cucumber messages of a run into verdicts per scenario and per requirement, and the exit status. */
export function summarize(envelopes: readonly Envelope[], target: Target, source: string): RunSummary {
  const pickles = new Map<string, { name: string; uri: string; tags: string[] }>();
  const testCases = new Map<string, string>();
  const started = new Map<string, { testCaseId: string; status: string; error?: { type?: string; message?: string }; log: string[] }>();
  const finished: string[] = [];
  for (const m of envelopes) {
    if (m.pickle) pickles.set(m.pickle.id, { name: m.pickle.name, uri: m.pickle.uri, tags: m.pickle.tags.map((t) => t.name) });
    else if (m.testCase) testCases.set(m.testCase.id, m.testCase.pickleId);
    else if (m.testCaseStarted) started.set(m.testCaseStarted.id, { testCaseId: m.testCaseStarted.testCaseId, status: 'UNKNOWN', log: [] });
    else if (m.testStepFinished) {
      const s = started.get(m.testStepFinished.testCaseStartedId);
      const r = m.testStepFinished.testStepResult;
      if (s && (RANK[r.status] ?? 0) > (RANK[s.status] ?? 0)) {
        s.status = r.status;
        const ex = (r as { exception?: { type?: string; message?: string } }).exception;
        s.error = ex ?? (r.message !== undefined ? { message: r.message } : {});
      }
    } else if (m.attachment?.testCaseStartedId) started.get(m.attachment.testCaseStartedId)?.log.push(m.attachment.body);
    else if (m.testCaseFinished && !m.testCaseFinished.willBeRetried) finished.push(m.testCaseFinished.testCaseStartedId);
  }

  const scenarios: ScenarioResult[] = [];
  for (const id of finished) {
    const s = started.get(id);
    const p = s && pickles.get(testCases.get(s.testCaseId) ?? '');
    if (!s || !p) continue;
    const reqs = p.tags.filter((t) => t.startsWith('@req:')).map((t) => t.slice(5));
    const level = p.tags.includes('@must') ? 'MUST' : p.tags.includes('@should') ? 'SHOULD' : p.tags.includes('@may') ? 'MAY' : 'unknown';
    const na = s.log.find((l) => l.startsWith('not applicable:'));
    const message = s.error?.message ?? '';
    let verdict: Verdict;
    let detail: string | undefined;
    if (s.status === 'PASSED') verdict = 'pass';
    else if (s.status === 'SKIPPED' && na) [verdict, detail] = ['not applicable', na.replace(/^not applicable:\s*/, '')];
    else if (s.status === 'FAILED' && !/Inconclusive|EventWaitTimeout/.test(`${s.error?.type ?? ''} ${message.slice(0, 40)}`))
      [verdict, detail] = ['fail', message.split('\n').slice(0, 3).join(' ')];
    else [verdict, detail] = ['inconclusive', s.status === 'FAILED' ? message.split('\n')[0] : `step ${s.status.toLowerCase()} (a suite defect)`];
    scenarios.push({ name: p.name, uri: p.uri, requirements: reqs, level, verdict, ...(detail ? { detail } : {}) });
  }

  const byReq: Record<string, Verdict> = {};
  for (const s of scenarios)
    for (const r of s.requirements) {
      const prev = byReq[r];
      byReq[r] = prev === undefined ? s.verdict : WORST.indexOf(s.verdict) < WORST.indexOf(prev) ? s.verdict : prev;
    }
  const totals: Record<Verdict, number> = { pass: 0, fail: 0, 'not applicable': 0, inconclusive: 0 };
  for (const s of scenarios) totals[s.verdict]++;
  const mustFail = scenarios.some((s) => s.verdict === 'fail' && s.level !== 'SHOULD' && s.level !== 'MAY');
  const inconclusive = scenarios.some((s) => s.verdict === 'inconclusive');
  const exitCode = mustFail ? 1 : inconclusive ? 2 : 0;
  const conforming = mustFail ? false : inconclusive ? 'not established' : true;

  const cat = requirements();
  const lines = [
    `Scenarios: ${scenarios.length} — ${totals.pass} passed, ${totals.fail} failed, ${totals['not applicable']} not applicable, ${totals.inconclusive} inconclusive`,
  ];
  for (const s of scenarios.filter((x) => x.verdict !== 'pass')) {
    const label = s.verdict === 'fail' && s.level === 'SHOULD' ? 'warning' : s.verdict;
    lines.push(`  ${label.toUpperCase()} [${s.requirements.join(' ')}] ${s.name}${s.detail ? ` — ${s.detail}` : ''}`);
  }
  const reqCount = Object.keys(byReq).length;
  lines.push(`Requirements checked: ${reqCount}${cat.size ? ` of ${cat.size} in the catalogue` : ''}`);
  lines.push(
    conforming === true
      ? 'Verdict: CONFORMING for the declared capabilities (every applicable MUST passed)'
      : conforming === false
        ? 'Verdict: NOT CONFORMING (a MUST requirement failed)'
        : 'Verdict: NOT ESTABLISHED (an inconclusive scenario)',
  );

  return {
    target: { name: target.name, source, relPrefix: target.relPrefix, discoveryUrl: target.discoveryUrl },
    scenarios,
    requirements: byReq,
    totals,
    conforming,
    exitCode,
    text: lines.join('\n'),
  };
}
