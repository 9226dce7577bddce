import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { ROOT } from './root';

/**
 * Recorded scenario durations, so that a run starts its longest scenarios first (bin/slow-first.js) and their
 * waits overlap everything else instead of trailing at the end — the way test runners order by the durations of
 * earlier runs. One file per target name, in the project's `node_modules/.cache` (never in git, gone with a fresh
 * `npm ci`): a run without one orders by the @slow tag alone. Written after every complete run, merged with what
 * the file held (a run with --tags records the scenarios it ran).
 */
export const DURATIONS_VARIABLE = 'UCWA_CONFORMANCE_DURATIONS_FILE';

export interface Durations {
  version: 1;
  /** scenarioKey → milliseconds of the last complete run that ran it */
  scenarios: Record<string, number>;
}

/** The durations file of a target, or undefined where the project has no node_modules (nowhere to cache). */
export function durationsFile(targetName: string, root = ROOT): string | undefined {
  const modules = path.join(root, 'node_modules');
  if (!fs.existsSync(modules)) return undefined;
  const id = createHash('sha256').update(targetName).digest('hex').slice(0, 16);
  return path.join(modules, '.cache', 'ucwa-messaging-conformance', `durations-${id}.json`);
}

/** A scenario's key: its feature file's name and its pickle name (which carries the combination suffix). */
export function scenarioKey(uri: string, name: string): string {
  return `${path.basename(uri)} ${name}`;
}

export function readDurations(file: string): Durations {
  try {
    const d = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Durations>;
    if (d.version === 1 && d.scenarios && typeof d.scenarios === 'object') return { version: 1, scenarios: d.scenarios };
  } catch {
    /* none yet, or unreadable: start afresh */
  }
  return { version: 1, scenarios: {} };
}

const millis = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;

/** The duration (ms) of every test case of a run's messages that finished, by scenarioKey. */
export function durationsOf(envelopes: readonly Envelope[]): Map<string, number> {
  const pickles = new Map<string, { uri: string; name: string }>();
  const cases = new Map<string, string>();
  const started = new Map<string, { at: number; testCaseId: string }>();
  const out = new Map<string, number>();
  for (const m of envelopes) {
    if (m.pickle) pickles.set(m.pickle.id, { uri: m.pickle.uri, name: m.pickle.name });
    else if (m.testCase) cases.set(m.testCase.id, m.testCase.pickleId);
    else if (m.testCaseStarted) started.set(m.testCaseStarted.id, { at: millis(m.testCaseStarted.timestamp), testCaseId: m.testCaseStarted.testCaseId });
    else if (m.testCaseFinished) {
      const s = started.get(m.testCaseFinished.testCaseStartedId);
      const p = s ? pickles.get(cases.get(s.testCaseId) ?? '') : undefined;
      if (s && p) out.set(scenarioKey(p.uri, p.name), Math.round(millis(m.testCaseFinished.timestamp) - s.at));
    }
  }
  return out;
}

/** Merges a complete run's durations into `file` (written whole, then renamed: a reader never sees half of it). */
export function recordDurations(file: string, envelopes: readonly Envelope[]): void {
  const d = readDurations(file);
  for (const [k, ms] of durationsOf(envelopes)) d.scenarios[k] = ms;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(d));
  fs.renameSync(tmp, file);
}
