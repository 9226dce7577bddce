import type { Envelope } from '@cucumber/messages';
import type { Target } from '../steps/support/target';
import { EVIDENCE_MEDIA_TYPE, LEAKS_MEDIA_TYPE, type Evidence, type Leak } from '../steps/support/evidence';
import type { CatalogueEntry } from './features';
import type { Deviation } from './deviations';
import { combinationLabel, wantedOf } from '../steps/support/pairs';
import { sourceUri } from './combinations';

/**
 * Verdicts (PROFILE.md §1, D35): pass; fail; warning (a failed SHOULD or MAY below the gate level); not applicable
 * (with its reason); inconclusive (the observation could not be made); blocked (could not be made because a
 * prerequisite failed that the deviation ledger lists: not gating, never counted as passed); expected fail (a
 * failure listed in the deviation ledger); not run (no scenario selected).
 */
export type Verdict = 'pass' | 'fail' | 'warning' | 'not applicable' | 'inconclusive' | 'blocked' | 'expected fail' | 'not run';
export const VERDICTS: readonly Verdict[] = ['fail', 'inconclusive', 'blocked', 'warning', 'expected fail', 'pass', 'not applicable', 'not run'];

/** How the reports spell a verdict in prose. */
export function verdictLabel(v: Verdict): string {
  return v === 'blocked' ? 'blocked by a ledgered deviation' : v;
}

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
  /** for blocked: the ledgered requirement whose failure kept the observation from being made */
  blockedBy?: string;
  durationMs: number;
  evidence?: Evidence;
  /** the transport combination of a per-combination copy (`taa→ucwa`, `taa`: bin/combinations.ts); absent without TAA accounts */
  combination?: string;
}

/** A requirement's verdict in one transport combination (PROFILE.md §15.1: `LC-3 [taa→ucwa]`). */
export interface CombinationResult {
  verdict: Verdict;
  scenarios: string[];
  detail?: string;
  enabledBy?: string;
  blockedBy?: string;
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
  /** for blocked: the ledgered requirement whose failure kept the observation from being made */
  blockedBy?: string;
  deviation?: Deviation;
  /** per transport combination, when the run had TAA accounts; `verdict` is the worst of them */
  combinations?: Record<string, CombinationResult>;
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
  leaks?: Leak[];
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

/** The prerequisite an inconclusive scenario names ("prerequisite ERR-3 failed: …"), if any. */
function namedPrerequisite(detail: string | undefined): string | undefined {
  return /^prerequisite ([A-Z]+-\d+) failed\b/.exec(detail ?? '')?.[1];
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
      pickles.set(m.pickle.id, { name: m.pickle.name, uri: sourceUri(m.pickle.uri), tags: m.pickle.tags.map((t) => t.name), astNodeId: ids[ids.length - 1] });
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
      else if (m.attachment.mediaType === LEAKS_MEDIA_TYPE) c.leaks = JSON.parse(m.attachment.body) as Leak[];
      else if (m.attachment.mediaType.startsWith('text/x.cucumber.log')) c.log.push(m.attachment.body);
    } else if (m.testCaseFinished && !m.testCaseFinished.willBeRetried) {
      const c = cases.get(m.testCaseFinished.testCaseStartedId);
      if (c) c.finishedAt = millis(m.testCaseFinished.timestamp);
      finished.push(m.testCaseFinished.testCaseStartedId);
    }
  }

  const out: ScenarioResult[] = [];
  const leaks: { scenario: string; own: boolean; leaks: Leak[] }[] = [];
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
      // a transport reason (TARGET.md §6: "no TAA caller", …) is lifted by accounts of that transport in users.pairs
      enabledBy = /\b((?:capabilities|fixtures|users|taa)\.[\w.]+)/.exec(detail)?.[1] ?? (/^no (TAA|UCWA|pair)\b|^no \S+→\S+ .*pair/.test(detail) ? 'users.pairs' : undefined);
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
    // A prerequisite that fails as the deviation ledger says it does blocks the observation: not gating, not passed.
    const prerequisite = verdict === 'inconclusive' ? namedPrerequisite(detail) : undefined;
    const blockedBy = prerequisite && deviations.has(prerequisite) ? prerequisite : undefined;
    if (blockedBy) {
      verdict = 'blocked';
      detail = `blocked by the ledgered deviation ${blockedBy} (${deviations.get(blockedBy)?.reason ?? ''}): ${detail ?? ''}`;
    }
    const line = p.astNodeId ? lines.get(p.astNodeId) : undefined;
    const wanted = wantedOf(p.tags);
    if (c.leaks?.length) leaks.push({ scenario: `${p.name} (${p.uri}${line !== undefined ? `:${line}` : ''})`, own: requirements.includes('SEC-4'), leaks: c.leaks });
    out.push({
      name: p.name,
      uri: p.uri,
      ...(line !== undefined ? { line } : {}),
      requirements,
      level,
      verdict,
      ...(detail ? { detail } : {}),
      ...(enabledBy ? { enabledBy } : {}),
      ...(blockedBy ? { blockedBy } : {}),
      durationMs: Math.round((c.finishedAt ?? 0) - (c.startedAt ?? 0)),
      ...(c.evidence ? { evidence: c.evidence } : {}),
      ...(wanted ? { combination: combinationLabel(wanted) } : {}),
    });
  }
  mergeRunWideLeaks(out, leaks.filter((l) => !l.own), gateLevel, deviations);
  return out;
}

export const SEC4_RUN_SCENARIO = 'SEC-4 over the whole run: no response of any scenario reveals a password or token';

/**
 * SEC-4 over the whole run: every scenario's responses are scanned for the run's passwords and tokens (the After
 * hook, before anything is redacted) and what was found elsewhere is merged into SEC-4 here. The SEC-4 scenario
 * fails with it; when that scenario was not selected, a run-level result stands in for it, so that a leak seen is
 * never lost, while SEC-4 is never passed without its own scenario.
 */
function mergeRunWideLeaks(out: ScenarioResult[], found: readonly { scenario: string; leaks: Leak[] }[], gateLevel: GateLevel, deviations: ReadonlyMap<string, Deviation>): void {
  if (!found.length) return;
  const lines = found.flatMap((f) => f.leaks.map((l) => `in scenario "${f.scenario}": ${l.label} in the ${l.where} of the response to #${l.seq} ${l.method} ${l.url} (${l.status ?? 'no status'})`));
  const text = [
    '[SEC-4 MUST — No response except the token response reveals a password or bearer token]',
    '  expected: no password or issued token in any response of the run but the token response',
    `  actual:   ${lines.length} finding${lines.length === 1 ? '' : 's'} in other scenarios:`,
    ...lines.slice(0, 20).map((l) => `    ${l}`),
    ...(lines.length > 20 ? [`    … and ${lines.length - 20} more`] : []),
  ].join('\n');
  const verdict: Verdict = deviations.has('SEC-4') ? 'expected fail' : GATE_RANK[gateLevel] <= LEVEL_RANK.MUST ? 'fail' : 'warning';
  const own = out.filter((s) => s.requirements.includes('SEC-4') && s.verdict !== 'not applicable');
  for (const s of own) {
    s.detail = s.verdict === 'fail' || s.verdict === 'expected fail' ? `${s.detail ?? ''}\n${text}` : text;
    s.verdict = verdict;
    delete s.blockedBy;
  }
  if (!own.length) out.push({ name: SEC4_RUN_SCENARIO, uri: '(the whole run)', requirements: ['SEC-4'], level: 'MUST', verdict, detail: text, durationMs: 0 });
}

function worst(a: Verdict, b: Verdict): Verdict {
  return VERDICTS.indexOf(a) <= VERDICTS.indexOf(b) ? a : b;
}

/** How the reports order combinations: two-sided ones as PROFILE.md §15.1 lists them, then the caller-only ones. */
const COMBINATION_ORDER = ['ucwa→ucwa', 'ucwa→taa', 'taa→ucwa', 'taa→taa', 'ucwa', 'taa'];

/**
 * The verdict of a requirement over some of its scenarios: the worst applicable one; all not applicable → not
 * applicable; none → not run. An expected fail stands only when the ledger lists this requirement.
 */
function verdictOf(mine: readonly ScenarioResult[], level: Level, gateLevel: GateLevel, ledgered: boolean): { verdict: Verdict; bad?: ScenarioResult; blockedBy?: string } {
  const applicable = mine.filter((s) => s.verdict !== 'not applicable');
  let verdict: Verdict = mine.length === 0 ? 'not run' : applicable.length === 0 ? 'not applicable' : applicable.map((s) => s.verdict).reduce(worst);
  // A failure of a scenario tagged with several requirements is expected only for the listed ones.
  if (verdict === 'expected fail' && !ledgered) verdict = LEVEL_RANK[level] >= GATE_RANK[gateLevel] ? 'fail' : 'warning';
  const bad = applicable.find((s) => s.verdict === verdict) ?? mine[0];
  const blockedBy = verdict === 'blocked' ? bad?.blockedBy : undefined;
  return { verdict, ...(bad ? { bad } : {}), ...(blockedBy ? { blockedBy } : {}) };
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
    const deviation = deviations.get(r.id);
    const { verdict, bad, blockedBy } = verdictOf(mine, r.level, gateLevel, deviation !== undefined);
    // Per transport combination (a run with TAA accounts): the same rule on each combination's scenarios; the
    // requirement's verdict above, the worst of its scenarios, is the worst of its combinations.
    const labels = [...new Set(mine.map((s) => s.combination).filter((c): c is string => c !== undefined))].sort((x, y) => COMBINATION_ORDER.indexOf(x) - COMBINATION_ORDER.indexOf(y));
    const combinations = labels.length
      ? Object.fromEntries(
          labels.map((label) => {
            const these = mine.filter((s) => s.combination === label);
            const c = verdictOf(these, r.level, gateLevel, deviation !== undefined);
            const result: CombinationResult = {
              verdict: c.verdict,
              scenarios: these.map((s) => s.name),
              ...(c.verdict !== 'pass' && c.bad?.detail ? { detail: c.bad.detail } : {}),
              ...(c.verdict === 'not applicable' && c.bad?.enabledBy ? { enabledBy: c.bad.enabledBy } : {}),
              ...(c.blockedBy ? { blockedBy: c.blockedBy } : {}),
            };
            return [label, result];
          }),
        )
      : undefined;
    return {
      id: r.id,
      level: r.level,
      area: r.area,
      title: r.title,
      verdict,
      scenarios: mine.map((s) => s.name),
      ...(verdict !== 'pass' && bad?.detail ? { detail: bad.detail } : mine.length === 0 && r.pending ? { detail: r.pending } : {}),
      ...(verdict === 'not applicable' && bad?.enabledBy ? { enabledBy: bad.enabledBy } : {}),
      ...(blockedBy ? { blockedBy } : {}),
      ...(deviation ? { deviation } : {}),
      ...(combinations ? { combinations } : {}),
    };
  });

  const reasons: string[] = [];
  let failed = false;
  let inconclusive = false;
  for (const r of requirements) {
    const gated = LEVEL_RANK[r.level] >= GATE_RANK[gateLevel];
    if (r.verdict === 'fail' && gated) {
      failed = true;
      for (const e of entriesWith(r, 'fail')) reasons.push(`${e.label} ${r.level} failed: ${r.title}`);
    }
    if (r.verdict === 'inconclusive' && gated) {
      inconclusive = true;
      for (const e of entriesWith(r, 'inconclusive')) reasons.push(`${e.label} ${r.level} inconclusive: ${(e.detail ?? '').split('\n')[0]}`);
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

/**
 * A requirement as the reports list it: `LC-3` alone, or once per transport combination (`LC-3 [taa→ucwa]`) when
 * the run had TAA accounts.
 */
export function entries(r: RequirementResult): { label: string; combination?: string; verdict: Verdict; detail?: string; enabledBy?: string }[] {
  if (!r.combinations) return [{ label: r.id, verdict: r.verdict, ...(r.detail !== undefined ? { detail: r.detail } : {}), ...(r.enabledBy ? { enabledBy: r.enabledBy } : {}) }];
  return Object.entries(r.combinations).map(([c, x]) => ({
    label: `${r.id} [${c}]`,
    combination: c,
    verdict: x.verdict,
    ...(x.detail !== undefined ? { detail: x.detail } : {}),
    ...(x.enabledBy ? { enabledBy: x.enabledBy } : {}),
  }));
}

/** The entries of a requirement with a verdict; the requirement itself when no combination has it (a run-wide result). */
function entriesWith(r: RequirementResult, v: Verdict): ReturnType<typeof entries> {
  const mine = entries(r).filter((e) => e.verdict === v);
  return mine.length ? mine : [{ label: r.id, verdict: r.verdict, ...(r.detail !== undefined ? { detail: r.detail } : {}) }];
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
    `Scenarios: ${o.scenarios.length} — ${s.pass} passed, ${s.fail} failed, ${s.warning} warnings, ${s['expected fail']} expected failures, ${s['not applicable']} not applicable, ${s.inconclusive} inconclusive, ${s.blocked} blocked by a ledgered deviation`,
  ];
  for (const sc of o.scenarios.filter((x) => x.verdict !== 'pass'))
    lines.push(`  ${verdictLabel(sc.verdict).toUpperCase()} [${sc.requirements.join(' ')}] ${sc.name}${sc.detail ? ` — ${sc.detail.split('\n')[0]}` : ''}`);
  lines.push(
    `Requirements: ${o.requirements.length} — ${r.pass} pass, ${r.fail} fail, ${r.warning} warning, ${r['expected fail']} expected fail, ${r.blocked} blocked by a ledgered deviation, ${r['not applicable']} not applicable, ${r.inconclusive} inconclusive, ${r['not run']} not run`,
  );
  const split = o.requirements.filter((x) => x.combinations && x.verdict !== 'pass' && x.verdict !== 'not run');
  if (split.length)
    lines.push(
      `  per transport combination (not passing): ${split
        .flatMap((x) => entries(x).filter((e) => e.verdict !== 'pass'))
        .map((e) => `${e.label} ${verdictLabel(e.verdict)}`)
        .join(', ')}`,
    );
  const expected = o.requirements.filter((x) => x.verdict === 'expected fail');
  if (expected.length) lines.push(`  expected fail (in the deviation ledger): ${expected.map((x) => x.id).join(', ')}`);
  const blocked = o.requirements.filter((x) => x.verdict === 'blocked');
  if (blocked.length) lines.push(`  blocked by a ledgered deviation (not gating, not passed): ${blocked.map((x) => `${x.id} (by ${x.blockedBy ?? '?'})`).join(', ')}`);
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
