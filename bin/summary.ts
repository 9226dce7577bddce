import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAPABILITIES, ERROR_FIXTURES, type Target } from '../steps/support/target';
import type { Deviation } from './deviations';
import { ROOT } from './root';
import { pairsPerCombination, present, transportOf } from '../steps/support/pairs';
import { count, type CombinationResult, type Outcome, type Verdict } from './verdicts';

export const SUITE_VERSION: string = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What the target declares, without any credential: shown in every report. */
export interface TargetSummary {
  name: string;
  source: string;
  discoveryUrl: string;
  relPrefix: string;
  capabilities: Record<string, boolean>;
  fixtures: string[];
  /** `transport` only on TAA accounts (a UCWA-only target's summary is as before issue #12) */
  users: { role: string; uri: string; signIn: 'password' | 'token' | 'client credentials' | 'none'; transport?: 'taa' }[];
  /** the Trusted Application API's discover URL (TARGET.md §12), when the target has a `taa` object */
  taaDiscoverUrl?: string;
  /** the transport combinations of the pairs and how many pairs each has, when the target has a TAA account */
  combinations?: Record<string, number>;
  timing: { noAnswerTimeoutSeconds: number; windowSeconds: [number, number] };
  unsupportedContentTypeStatus: number;
  /** what the target declares that departs from the seed: 415 instead of 410, N outside 25–40 s */
  declaredDeviations: string[];
  /** how the target's TLS certificate was checked */
  tls?: string;
  /** the origins that may receive credentials (TARGET.md §11) */
  trustedOrigins?: string[];
}

/** Why a run ended before its scenarios could decide the verdict (absent for a run that ran to its end). */
export interface Stopped {
  cause: 'configuration error' | 'target unreachable' | 'target stopped answering';
  /** where: before any request (configuration), the start-up check, or during the scenarios */
  stage: 'configuration' | 'start-up check' | 'run';
  reason: string;
  /** every problem of the target description or ledger, by member (configuration errors) */
  problems?: string[];
}

/** reports/summary.json (schemas/summary.schema.json). */
export interface Summary {
  summaryVersion: 1;
  suite: { name: 'ucwa-messaging-conformance'; version: string; profileVersion: string };
  startedAt: string;
  finishedAt: string;
  /** false when the run was interrupted: the verdicts cover only what ran */
  complete: boolean;
  interruption?: string;
  stopped?: Stopped;
  target: TargetSummary;
  gate: Outcome['gate'];
  totals: { requirements: Record<Verdict, number>; scenarios: Record<Verdict, number> };
  requirements: Record<string, { level: string; area: string; title: string; verdict: Verdict; scenarios: string[]; detail?: string; enabledBy?: string; blockedBy?: string; deviation?: Deviation; combinations?: Record<string, CombinationResult> }>;
  scenarios: { name: string; uri: string; line?: number; requirements: string[]; level: string; verdict: Verdict; detail?: string; enabledBy?: string; blockedBy?: string; durationMs: number; combination?: string }[];
  deviations: Deviation[];
}

/** The target as the reports show it: declared capabilities, fixtures and accounts, never credentials. */
export function targetSummary(t: Target, source: string): TargetSummary {
  const users: TargetSummary['users'] = [];
  const add = (role: string, a: { uri: string; password?: string; token?: string; clientSecret?: string; transport?: string } | undefined) => {
    if (!a) return;
    const signIn = a.token !== undefined ? 'token' : a.password !== undefined ? 'password' : a.clientSecret !== undefined ? 'client credentials' : 'none';
    users.push({ role, uri: a.uri, signIn, ...(transportOf(a) === 'taa' ? { transport: 'taa' as const } : {}) });
  };
  add('caller', t.users.caller);
  add('callee', t.users.callee);
  add('unavailable', t.users.unavailable);
  t.users.pairs.forEach((p, i) => {
    add(`pairs[${i}].caller`, p.caller);
    add(`pairs[${i}].callee`, p.callee);
  });
  for (const f of ERROR_FIXTURES) add(`fixtures.${f}`, t.fixtures[f]);
  const n = t.timing.noAnswerTimeoutSeconds;
  const declaredDeviations: string[] = [];
  if (t.unsupportedContentTypeStatus === 415) declaredDeviations.push('unsupported media types are answered 415 UnsupportedMediaType instead of the seed\'s 410 Gone (ERR-5)');
  if (n < 25 || n > 40) declaredDeviations.push(`no-answer timeout of ${n} s instead of the seed's "about thirty seconds" (LC-3)`);
  if (t.taa?.allowHttpCallbackUrls) declaredDeviations.push('http: callback URLs are accepted besides https: (taa.allowHttpCallbackUrls; case (e) of TSM-2 not checked)');
  return {
    name: t.name,
    source,
    discoveryUrl: t.discoveryUrl,
    relPrefix: t.relPrefix,
    capabilities: Object.fromEntries(CAPABILITIES.map((c) => [c, t.capabilities[c]])),
    fixtures: [...ERROR_FIXTURES.filter((f) => t.fixtures[f]), ...(t.fixtures.onlineMeetingUri ? ['onlineMeetingUri'] : [])],
    users,
    timing: { noAnswerTimeoutSeconds: n, windowSeconds: [Math.max(0, n - t.timing.early), n + t.timing.late] },
    unsupportedContentTypeStatus: t.unsupportedContentTypeStatus,
    declaredDeviations,
    trustedOrigins: t.trusted.list,
    ...(t.taa ? { taaDiscoverUrl: t.taa.discoverUrl } : {}),
    ...(present(t).anyTaa ? { combinations: Object.fromEntries(pairsPerCombination(t)) } : {}),
  };
}

/**
 * The target as far as a description that failed validation shows it, for the reports of a configuration error:
 * only the name, the discovery URL, the dialect and the account URIs, never a credential member.
 */
export function unloadedTargetSummary(raw: unknown, source: string): TargetSummary {
  const o = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const discoveryUrl = str(o.discoveryUrl) ?? '';
  const relPrefix = ['ms:rtc:saas:', '', 'service:'].includes(str(o.relPrefix) ?? '-') ? (o.relPrefix as string) : 'ms:rtc:saas:';
  return {
    name: str(o.name) ?? source,
    source,
    discoveryUrl,
    relPrefix,
    capabilities: {},
    fixtures: [],
    users: [],
    timing: { noAnswerTimeoutSeconds: 30, windowSeconds: [25, 40] },
    unsupportedContentTypeStatus: 410,
    declaredDeviations: [],
    trustedOrigins: [],
  };
}

export function buildSummary(
  o: Outcome,
  target: TargetSummary,
  meta: { startedAt: Date; finishedAt: Date; profileVersion: string; deviations: readonly Deviation[]; interruption?: string; stopped?: Stopped },
): Summary {
  return {
    summaryVersion: 1,
    suite: { name: 'ucwa-messaging-conformance', version: SUITE_VERSION, profileVersion: meta.profileVersion },
    startedAt: meta.startedAt.toISOString(),
    finishedAt: meta.finishedAt.toISOString(),
    complete: meta.interruption === undefined && meta.stopped === undefined,
    ...(meta.interruption !== undefined ? { interruption: meta.interruption } : {}),
    ...(meta.stopped !== undefined ? { stopped: meta.stopped } : {}),
    target,
    gate: o.gate,
    totals: { requirements: count(o.requirements), scenarios: count(o.scenarios) },
    requirements: Object.fromEntries(
      o.requirements.map(({ id, ...r }) => [id, r]),
    ),
    scenarios: o.scenarios.map(({ evidence: _evidence, ...s }) => s),
    deviations: [...meta.deviations],
  };
}
