import { Writable } from 'node:stream';
import type { Envelope } from '@cucumber/messages';
import type { Deviation } from './deviations';
import { scenarioResults, type GateLevel, type Outcome, type Verdict } from './verdicts';

/**
 * What a person watching a run sees. During the run: one progress line (scenarios done / total, elapsed time,
 * fails, warnings and inconclusive so far, the slowest scenario still running), redrawn in place on a terminal and
 * printed as a plain line every 5 s otherwise (CI logs). After the run: the suite's own verdicts only — Cucumber's
 * pass/fail count is not printed, since it counts a SHOULD warning or an inconclusive scenario as "failed".
 * Failures show requirement, expected, actual and the first exchange; `verbose` shows every exchange (they are
 * always in the HTML report).
 */

export interface ConsoleOptions {
  write: (text: string) => void;
  /** redraw one line in place (a terminal) rather than print a line every `plainEveryMs` */
  tty: boolean;
  color: boolean;
  gateLevel: GateLevel;
  deviations: ReadonlyMap<string, Deviation>;
  plainEveryMs?: number;
  columns?: number;
}

/** Colours only on a terminal, never with NO_COLOR set (https://no-color.org) or with --profile ci. */
export function useColor(stream: { isTTY?: boolean }, profile: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && profile !== 'ci';
}

const PAINT: Record<string, string> = { red: '31', yellow: '33', green: '32', dim: '2', bold: '1' };
function paint(on: boolean, colour: keyof typeof PAINT, text: string): string {
  return on ? `\x1b[${PAINT[colour]}m${text}\x1b[0m` : text;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

interface Running {
  name: string;
  startedAt: number;
  envelopes: Envelope[];
}

/** Follows the message stream of a run and keeps the progress line. */
export class Progress {
  private readonly pickles = new Map<string, Envelope>();
  private readonly testCases = new Map<string, Envelope>();
  private readonly running = new Map<string, Running>();
  private readonly tally: Record<Verdict, number> = { pass: 0, fail: 0, warning: 0, 'not applicable': 0, inconclusive: 0, blocked: 0, 'expected fail': 0, 'not run': 0 };
  private done = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private lastLine = '';
  private drawn = false;

  constructor(private readonly o: ConsoleOptions) {}

  start(): void {
    const every = this.o.tty ? 250 : (this.o.plainEveryMs ?? 5000);
    this.timer = setInterval(() => this.draw(), every);
    this.timer.unref();
  }

  /** Feed every envelope of the run (runCucumber's onMessage). */
  onMessage(m: Envelope): void {
    if (m.pickle) this.pickles.set(m.pickle.id, m);
    else if (m.testCase) this.testCases.set(m.testCase.id, m);
    else if (m.testCaseStarted) {
      const tc = this.testCases.get(m.testCaseStarted.testCaseId);
      const pickle = tc?.testCase && this.pickles.get(tc.testCase.pickleId);
      this.running.set(m.testCaseStarted.id, { name: pickle?.pickle?.name ?? '?', startedAt: Date.now(), envelopes: [...(pickle ? [pickle] : []), ...(tc ? [tc] : []), m] });
    } else if (m.testStepFinished) this.running.get(m.testStepFinished.testCaseStartedId)?.envelopes.push(m);
    else if (m.attachment?.testCaseStartedId && m.attachment.mediaType.startsWith('text/x.cucumber.log'))
      this.running.get(m.attachment.testCaseStartedId)?.envelopes.push(m);
    else if (m.testCaseFinished && !m.testCaseFinished.willBeRetried) {
      const r = this.running.get(m.testCaseFinished.testCaseStartedId);
      this.running.delete(m.testCaseFinished.testCaseStartedId);
      if (!r) return;
      // the verdict rules of the summary (bin/verdicts.ts), applied to this one scenario
      for (const s of scenarioResults([...r.envelopes, m], this.o.gateLevel, this.o.deviations)) this.tally[s.verdict]++;
      this.done++;
    }
  }

  line(): string {
    const c = this.o.color;
    const parts = [
      `${this.done}/${this.testCases.size} scenarios`,
      clock(Date.now() - this.started),
      paint(c && this.tally.fail > 0, 'red', `${this.tally.fail} failed`),
      paint(c && this.tally.warning > 0, 'yellow', `${this.tally.warning} warnings`),
      `${this.tally.inconclusive} inconclusive`,
    ];
    let slowest: Running | undefined;
    for (const r of this.running.values()) if (!slowest || r.startedAt < slowest.startedAt) slowest = r;
    if (slowest) parts.push(paint(c, 'dim', `running ${Math.round((Date.now() - slowest.startedAt) / 1000)} s: ${slowest.name}`));
    return parts.join(' · ');
  }

  private draw(): void {
    const line = this.line();
    if (this.o.tty) {
      const width = this.o.columns ?? 120;
      // cut to the terminal width (colour codes do not take room, so cut only the plain text)
      const shown = this.o.color || line.length <= width ? line : `${line.slice(0, width - 1)}…`;
      this.o.write(`\r\x1b[2K${shown}`);
      this.drawn = true;
    } else if (line.replace(/ · running .*$/, '') !== this.lastLine.replace(/ · running .*$/, '')) {
      this.o.write(`${line}\n`);
      this.lastLine = line;
    }
  }

  /** Stops redrawing and clears the live line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.o.tty && this.drawn) this.o.write('\r\x1b[2K');
  }
}

/**
 * The failures to show after the run: for each failed, warned or inconclusive scenario its requirement, expected,
 * actual, and the first exchange (every exchange with `verbose`).
 */
export function failureText(o: Outcome, opts: { verbose: boolean; color: boolean }): string {
  const out: string[] = [];
  for (const sc of o.scenarios.filter((x) => x.verdict === 'fail' || x.verdict === 'warning' || x.verdict === 'inconclusive')) {
    const head = `${sc.verdict.toUpperCase()} ${sc.uri}${sc.line !== undefined ? `:${sc.line}` : ''} — ${sc.name}`;
    out.push(paint(opts.color, sc.verdict === 'fail' ? 'red' : 'yellow', head));
    const detail = sc.detail ?? '';
    const at = detail.search(/^ {4}#\d+ /m);
    if (at < 0 || opts.verbose) out.push(indent(detail));
    else {
      const rest = detail.slice(at);
      const next = rest.slice(1).search(/^ {4}#\d+ /m);
      const first = next < 0 ? rest : rest.slice(0, next + 1);
      const more = next < 0 ? 0 : (rest.slice(next + 1).match(/^ {4}#\d+ /gm) ?? []).length;
      out.push(indent(`${detail.slice(0, at)}${first.replace(/\n$/, '')}${more ? `\n    … ${more} more exchange${more === 1 ? '' : 's'} in the HTML report (or --verbose)` : ''}`));
    }
    out.push('');
  }
  return out.join('\n');
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

/** Colours the verdict line of the summary (CONFORMING green, NOT CONFORMING red, NOT ESTABLISHED yellow). */
export function paintSummary(text: string, color: boolean): string {
  if (!color) return text;
  return text
    .replace(/verdict: (NOT CONFORMING)/, (_, v: string) => `verdict: ${paint(true, 'red', v)}`)
    .replace(/verdict: (NOT ESTABLISHED[^\n]*)/, (_, v: string) => `verdict: ${paint(true, 'yellow', v)}`)
    .replace(/verdict: (CONFORMING)/, (_, v: string) => `verdict: ${paint(true, 'green', v)}`);
}

/**
 * The one-line verdict with its counts of requirements: "CONFORMING — 1 warning", "NOT CONFORMING — 2 failed,
 * 1 inconclusive". A requirement checked in several transport combinations counts once, with its worst verdict (the
 * per-scenario counts are on the "Scenarios:" line above it).
 */
export function headline(o: Outcome): string {
  const n = { fail: 0, warning: 0, inconclusive: 0, 'expected fail': 0 } as Record<string, number>;
  for (const r of o.requirements) if (r.verdict in n) n[r.verdict]!++;
  const counts = [
    n.fail ? `${n.fail} failed` : '',
    n.warning ? `${n.warning} warning${n.warning === 1 ? '' : 's'}` : '',
    n.inconclusive ? `${n.inconclusive} inconclusive` : '',
    n['expected fail'] ? `${n['expected fail']} expected failure${n['expected fail'] === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const verdict = o.gate.conforming === true ? 'CONFORMING' : o.gate.conforming === false ? 'NOT CONFORMING' : 'NOT ESTABLISHED';
  return `Verdict: ${verdict}${counts.length ? ` — ${counts.join(', ')}` : ''} (${o.scenarios.length} scenarios)`;
}

/** A stream that drops what is written to it: Cucumber's own console formatter goes there. */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
