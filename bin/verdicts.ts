import type { Envelope } from '@cucumber/messages';
import type { Target } from '../steps/support/target';
import { EVIDENCE_MEDIA_TYPE, type Evidence } from '../steps/support/evidence';
import type { CatalogueEntry } from './features';
import type { Deviation } from './deviations';

/**
 * Verdicts (PROFILE.md §1, D35): pass; fail; warning (a failed SHOULD or MAY below the gate level); not applicable
 * (with its reason); inconclusive (the observation could not be made); expected fail (a failure listed in the
 * deviation ledger); not run (no scenario selected).
 */
export type Verdict = 'pass' | 'fail' | 'warning' | 'not applicable' | 'inconclusive' | 'expected fail' | 'not run';
export const VERDICTS: readonly Verdict[] = ['fail', 'inconclusive', 'warning', 'expected fail', 'pass', 'not applicable', 'not run'];

export type Level = 'MUST' | 'SHOULD' | 'MAY';
export type GateLevel = 'must' | 'should' | 'may';

export interface ScenarioResult {
  name: string;
  uri: string;
  line?: number;
  requirements: string[];
  level: Level;
  verdict: Verdict;
  /** the not-applicable reason, the failure message or the inconclusive cause */
  detail?: string;
  /** for not applicable: the target-description member that would enable it */
  enabledBy?: string;
  durationMs: number;
  evidence?: Evidence;
}

export interface RequirementResult {
  id: string;
  level: Level;
  area: string;
  title: string;
  verdict: Verdict;
  scenarios: string[];
  detail?: string;
  enabledBy?: string;
  deviation?: Deviation;
}

export interface Gate {
  level: GateLevel;
  conforming: boolean | 'not established';
  exitCode: 0 | 1 | 2;
  /** why the gate failed (or was not established), one line each */
  reasons: string[];
}

export interface Outcome {
  scenarios: ScenarioResult[];
  requirements: RequirementResult[];
  gate: Gate;
}

const STATUS_RANK: Record<string, number> = { UNKNOWN: 0, PASSED: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };
const LEVEL_RANK: Record<Level, number> = { MUST: 3, SHOULD: 2, MAY: 1 };
const GATE_RANK: Record<GateLevel, number> = { must: 3, should: 2, may: 1 };

interface RawCase {
  pickleId: string;
  status: string;
  error?: { type?: string; message?: string };
  log: string[];
  evidence?: Evidence;
  startedAt?: number;
  finishedAt?: number;
}

function millis(t: { seconds: number; nanos: number } | undefined): number | undefined {
  return t ? t.seconds * 1000 + t.nanos / 1e6 : undefined;
}

/** The first lines of a failure message without the stack trace. */
function firstLines(message: string): string {
  const lines: string[] = [];
  for (const l of message.split('\n')) {
    if (/^\s+at /.test(l)) break;
    lines.push(l);
  }
  return lines.join('\n').replace(/^(Inconclusive|RequirementFailure|EventWaitTimeout|AssertionError|Error): /, '').trim();
}

/** The requirement of a RequirementFailure when it is not one the scenario checks, else undefined. */
function foreignRequirement(error: { type?: string; message?: string } | undefined, own: readonly string[]): string | undefined {
  if (error?.type !== 'RequirementFailure') return undefined;
  const id = /^\[([A-Z]+-\d+)\b/.exec(error.message ?? '')?.[1];
  return id && !own.includes(id) ? id : undefined;
}

/** Per-scenario verdicts from the Cucumber messages of a run. */
export function scenarioResults(envelopes: readonly Envelope[], gateLevel: GateLevel, deviations: ReadonlyMap<string, Deviation>): ScenarioResult[] {
  const pickles = new Map<string, { name: string; uri: string; tags: string[]; astNodeId?: string }>();
  const lines = new Map<string, number>();
  const testCases = new Map<string, string>();
  const cases = new Map<string, RawCase>();
  const finished: string[] = [];
  for (const m of envelopes) {
    if (m.gherkinDocument?.feature) {
      const walk = (children: readonly { scenario?: { id: string; location: { line: number }; examples: readonly { tableBody: readonly { id: string; location: { line: number } }[] }[] }; rule?: { children: readonly unknown[] } }[]) => {
        for (const c of children) {
          if (c.scenario) {
            lines.set(c.scenario.id, c.scenario.location.line);
            for (const ex of c.scenario.examples) for (const row of ex.tableBody) lines.set(row.id, row.location.line);
          }
          if (c.rule) walk(c.rule.children as never);
        }
      };
      walk(m.gherkinDocument.feature.children as never);
    } else if (m.pickle) {
      const ids = m.pickle.astNodeIds;
      pickles.set(m.pickle.id, { name: m.pickle.name, uri: m.pickle.uri, tags: m.pickle.tags.map((t) => t.name), astNodeId: ids[ids.length - 1] });
    } else if (m.testCase) testCases.set(m.testCase.id, m.testCase.pickleId);
    else if (m.testCaseStarted)
      cases.set(m.testCaseStarted.id, { pickleId: testCases.get(m.testCaseStarted.testCaseId) ?? '', status: 'UNKNOWN', log: [], startedAt: millis(m.testCaseStarted.timestamp) });
    else if (m.testStepFinished) {
      const c = cases.get(m.testStepFinished.testCaseStartedId);
      const r = m.testStepFinished.testStepResult;
      if (c && (STATUS_RANK[r.status] ?? 0) > (STATUS_RANK[c.status] ?? 0)) {
        c.status = r.status;
        c.error = r.exception ?? (r.message !== undefined ? { message: r.message } : {});
      }
    } else if (m.attachment?.testCaseStartedId) {
      const c = cases.get(m.attachment.testCaseStartedId);
      if (!c) continue;
      if (m.attachment.mediaType === EVIDENCE_MEDIA_TYPE) c.evidence = JSON.parse(m.attachment.body) as Evidence;
      else if (m.attachment.mediaType.startsWith('text/x.cucumber.log')) c.log.push(m.attachment.body);
    } else if (m.testCaseFinished && !m.testCaseFinished.willBeRetried) {
      const c = cases.get(m.testCaseFinished.testCaseStartedId);
      if (c) c.finishedAt = millis(m.testCaseFinished.timestamp);
      finished.push(m.testCaseFinished.testCaseStartedId);
    }
  }

  const out: ScenarioResult[] = [];
  for (const id of finished) {
    const c = cases.get(id);
    const p = c && pickles.get(c.pickleId);
    if (!c || !p) continue;
    const requirements = p.tags.filter((t) => t.startsWith('@req:')).map((t) => t.slice(5));
    const level: Level = p.tags.includes('@must') ? 'MUST' : p.tags.includes('@should') ? 'SHOULD' : p.tags.includes('@may') ? 'MAY' : 'MUST';
    const na = c.log.find((l) => l.startsWith('not applicable:'));
    const message = firstLines(c.error?.message ?? '');
    let verdict: Verdict;
    let detail: string | undefined;
    let enabledBy: string | undefined;
    if (c.status === 'PASSED') verdict = 'pass';
    else if (c.status === 'SKIPPED' && na) {
      verdict = 'not applicable';
      detail = na.replace(/^not applicable:\s*/, '');
      enabledBy = /\b((?:capabilities|fixtures|users)\.[\w.]+)/.exec(detail)?.[1];
    } else if (c.status === 'FAILED' && foreignRequirement(c.error, requirements)) {
      // A check of another requirement failed on the way: a prerequisite of this scenario, not its own verdict.
      verdict = 'inconclusive';
      detail = `prerequisite ${foreignRequirement(c.error, requirements)} failed: ${message}`;
    } else if (c.status === 'FAILED' && !/^(Inconclusive|EventWaitTimeout)$/.test(c.error?.type ?? '')) {
      const listed = requirements.some((r) => deviations.has(r));
      verdict = listed ? 'expected fail' : LEVEL_RANK[level] >= GATE_RANK[gateLevel] ? 'fail' : 'warning';
      detail = message;
    } else {
      verdict = 'inconclusive';
      detail = c.status === 'FAILED' ? message : `a step is ${c.status.toLowerCase()}: a defect of the suite, not of the target${message ? ` (${message.split('\n').map((l) => l.trim()).join(' ')})` : ''}`;
    }
    const line = p.astNodeId ? lines.get(p.astNodeId) : undefined;
    out.push({
      name: p.name,
      uri: p.uri,
      ...(line !== undefined ? { line } : {}),
      requirements,
      level,
      verdict,
      ...(detail ? { detail } : {}),
      ...(enabledBy ? { enabledBy } : {}),
      durationMs: Math.round((c.finishedAt ?? 0) - (c.startedAt ?? 0)),
      ...(c.evidence ? { evidence: c.evidence } : {}),
    });
  }
  return out;
}

function worst(a: Verdict, b: Verdict): Verdict {
  return VERDICTS.indexOf(a) <= VERDICTS.indexOf(b) ? a : b;
}

/** Requirement verdicts (the worst of their scenarios; all not applicable → not applicable), and the gate. */
export function decide(
  scenarios: ScenarioResult[],
  catalogue: readonly CatalogueEntry[],
  gateLevel: GateLevel,
  deviations: ReadonlyMap<string, Deviation>,
  today: string,
): Outcome {
  const requirements: RequirementResult[] = catalogue.map((r) => {
    const mine = scenarios.filter((s) => s.requirements.includes(r.id));
    const applicable = mine.filter((s) => s.verdict !== 'not applicable');
    let verdict: Verdict = mine.length === 0 ? 'not run' : applicable.length === 0 ? 'not applicable' : applicable.map((s) => s.verdict).reduce(worst);
    // A failure of a scenario tagged with several requirements is expected only for the listed ones.
    const deviation = deviations.get(r.id);
    if (verdict === 'expected fail' && !deviation) verdict = LEVEL_RANK[r.level] >= GATE_RANK[gateLevel] ? 'fail' : 'warning';
    const bad = applicable.find((s) => s.verdict === verdict) ?? mine[0];
    return {
      id: r.id,
      level: r.level,
      area: r.area,
      title: r.title,
      verdict,
      scenarios: mine.map((s) => s.name),
      ...(verdict !== 'pass' && bad?.detail ? { detail: bad.detail } : mine.length === 0 && r.pending ? { detail: r.pending } : {}),
      ...(verdict === 'not applicable' && bad?.enabledBy ? { enabledBy: bad.enabledBy } : {}),
      ...(deviation ? { deviation } : {}),
    };
  });

  const reasons: string[] = [];
  let failed = false;
  let inconclusive = false;
  for (const r of requirements) {
    const gated = LEVEL_RANK[r.level] >= GATE_RANK[gateLevel];
    if (r.verdict === 'fail' && gated) {
      failed = true;
      reasons.push(`${r.id} ${r.level} failed: ${r.title}`);
    }
    if (r.verdict === 'inconclusive' && gated) {
      inconclusive = true;
      reasons.push(`${r.id} ${r.level} inconclusive: ${(r.detail ?? '').split('\n')[0]}`);
    }
    if (r.deviation && r.verdict === 'pass') {
      failed = true;
      reasons.push(`${r.id} passed although the deviation ledger lists it as failing (${r.deviation.reason}): remove the entry`);
    }
    if (r.deviation?.until && r.deviation.until < today) {
      failed = true;
      reasons.push(`${r.id}: the deviation ledger entry expired on ${r.deviation.until} (${r.deviation.reason})`);
    }
  }
  const exitCode = failed ? 1 : inconclusive ? 2 : 0;
  return { scenarios, requirements, gate: { level: gateLevel, conforming: failed ? false : inconclusive ? 'not established' : true, exitCode, reasons } };
}

/** Counts per verdict. */
export function count<T extends { verdict: Verdict }>(items: readonly T[]): Record<Verdict, number> {
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const i of items) totals[i.verdict]++;
  return totals;
}

/** The console summary: non-passing scenarios, requirement totals and the gate. */
export function consoleText(o: Outcome, target: Target): string {
  const s = count(o.scenarios);
  const r = count(o.requirements);
  const lines = [
    `Scenarios: ${o.scenarios.length} — ${s.pass} passed, ${s.fail} failed, ${s.warning} warnings, ${s['expected fail']} expected failures, ${s['not applicable']} not applicable, ${s.inconclusive} inconclusive`,
  ];
  for (const sc of o.scenarios.filter((x) => x.verdict !== 'pass'))
    lines.push(`  ${sc.verdict.toUpperCase()} [${sc.requirements.join(' ')}] ${sc.name}${sc.detail ? ` — ${sc.detail.split('\n')[0]}` : ''}`);
  lines.push(
    `Requirements: ${o.requirements.length} — ${r.pass} pass, ${r.fail} fail, ${r.warning} warning, ${r['expected fail']} expected fail, ${r['not applicable']} not applicable, ${r.inconclusive} inconclusive, ${r['not run']} not run`,
  );
  const verdict =
    o.gate.conforming === true
      ? `CONFORMING for the declared capabilities (every applicable ${o.gate.level.toUpperCase()}${o.gate.level === 'must' ? '' : '-or-stronger'} requirement passed)`
      : o.gate.conforming === false
        ? 'NOT CONFORMING'
        : 'NOT ESTABLISHED (inconclusive)';
  lines.push(`Target: ${target.name} — verdict: ${verdict}`);
  for (const reason of o.gate.reasons) lines.push(`  - ${reason}`);
  return lines.join('\n');
}
