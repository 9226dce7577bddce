import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { startReferenceServer, type RunningReference } from '../reference/server';
import type { RelPrefix } from '../steps/support/dialect';
import { Client, Inconclusive, User } from '../steps/support/client';
import { HttpTransport, type TlsOptions } from '../steps/support/http';
import { cleanUpLive } from '../steps/support/live';
import { parseTargetDescription, parseTargetText, TargetDescriptionError, type Target } from '../steps/support/target';
import type { WorldParameters } from '../steps/support/world';
import { discard, failureText, headline, paintSummary, Progress, useColor } from './console';
import { loadDeviations, type Deviation } from './deviations';
import { ConfigurationError } from './errors';
import { loadCatalogue, ROOT } from './features';
import { conformanceHtml } from './report/html';
import { junitXml } from './report/junit';
import { buildSummary, targetSummary } from './summary';
import { consoleText, decide, scenarioResults, type GateLevel } from './verdicts';

export interface RunOptions {
  target?: string;
  reportDir: string;
  tags?: string;
  profile: 'default' | 'ci' | 'strict';
  level?: GateLevel;
  deviations?: string;
  parallel?: number;
  longRunning: boolean;
  relPrefix: RelPrefix;
  noAnswerTimeout: number;
  /** PEM file of a private CA to trust for https targets */
  ca?: string;
  /** switch certificate verification off (shown in the reports) */
  insecure: boolean;
  /** every exchange of a failure on the console, not only the first */
  verbose?: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}


function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.partial`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** Sends SIGTERM to this process's children (Cucumber workers clean up on it) and waits for them, 5 s at most. */
async function stopWorkers(): Promise<void> {
  const children: number[] = [];
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) children.push(Number(d));
    } catch {
      /* gone, or no /proc */
    }
  }
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 5000;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (children.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * A dead target stops the run before any scenario: discovery and the caller's sign-in must get answers (whatever
 * they are; wrong answers are for the scenarios to judge). Returns why the target is unreachable, or undefined.
 */
async function preflight(target: Target, tlsOptions: TlsOptions | undefined): Promise<string | undefined> {
  const client = new Client(target, new HttpTransport({ timeoutMs: 10_000, ...(tlsOptions ? { tls: tlsOptions } : {}) }));
  try {
    await new User(client, 'caller', target.users.caller).signIn();
  } catch (e) {
    if (!(e instanceof Inconclusive)) throw e;
  }
  const dead = client.exchanges.find((x) => x.error);
  return dead ? `${dead.method} ${dead.url}: ${dead.error}` : undefined;
}

/**
 * Runs the suite and writes the reports: conformance.html, summary.json, junit.xml and messages.ndjson (ours,
 * from the messages), cucumber.html (Cucumber's). Returns the exit status (0 conforming, 1 not, 2 not established).
 * `interrupt` resolves when the run must stop early (a signal); the reports are then written marked interrupted.
 */
export async function run(o: RunOptions, interrupt: Promise<string>): Promise<number> {
  const catalogue = loadCatalogue();
  const deviations: Map<string, Deviation> = o.deviations ? loadDeviations(o.deviations, new Set(catalogue.map((r) => r.id))) : new Map();

  let tlsOptions: TlsOptions | undefined;
  if (o.ca) {
    try {
      tlsOptions = { ca: fs.readFileSync(o.ca, 'utf8') };
    } catch (e) {
      throw new ConfigurationError(`--ca ${o.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(tlsOptions.ca ?? '')) throw new ConfigurationError(`--ca ${o.ca}: not a PEM certificate`);
  }
  if (o.insecure) tlsOptions = { ...tlsOptions, insecure: true };
  let reference: RunningReference | undefined;
  let params: WorldParameters;
  let target: Target;
  if (o.target) {
    let text: string;
    try {
      text = fs.readFileSync(o.target, 'utf8');
    } catch (e) {
      throw new TargetDescriptionError(o.target, [`(file): cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
    }
    target = parseTargetText(text, o.target);
    params = { description: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown, source: o.target };
  } else {
    reference = await startReferenceServer({ relPrefix: o.relPrefix, noAnswerTimeoutSeconds: o.noAnswerTimeout });
    target = parseTargetDescription(reference.description, 'embedded reference server');
    params = { description: reference.description, source: 'embedded reference server' };
  }

  try {
    const pairs = 1 + target.users.pairs.length;
    const parallel = o.parallel ?? Math.min(6, pairs);
    if (parallel > pairs)
      throw new ConfigurationError(`--parallel ${parallel} needs ${parallel} caller/callee pairs; the target declares ${pairs} (users.caller/callee and users.pairs)`);
    o.out(`Target: ${target.name} (${params.source}), dialect ${JSON.stringify(target.relPrefix)}\n`);
    if (tlsOptions) params = { ...params, tls: tlsOptions };
    if (o.insecure) o.err('WARNING: --insecure: TLS certificates of the target are NOT verified; the reports say so.\n');
    const unreachable = await preflight(target, tlsOptions);
    if (unreachable) {
      o.err(`target unreachable: ${unreachable}\n`);
      return 2;
    }

    fs.mkdirSync(o.reportDir, { recursive: true });
    const cucumberHtml = path.join(o.reportDir, 'cucumber.html');
    const { runConfiguration } = await loadConfiguration(
      {
        file: 'cucumber.js',
        profiles: [o.profile],
        provided: {
          format: [['html', `${cucumberHtml}.partial`]],
          worldParameters: params as unknown as Record<string, never>,
          parallel: parallel > 1 ? parallel : 0,
          tags: [o.tags ? `(${o.tags})` : '', o.longRunning ? '' : 'not @long-running'].filter(Boolean).join(' and '),
        },
      },
      { cwd: ROOT },
    );
    const configured = (runConfiguration.runtime.worldParameters as { gateLevel?: GateLevel }).gateLevel;
    const gateLevel: GateLevel = o.level ?? configured ?? 'must';
    const envelopes: Envelope[] = [];
    const startedAt = new Date();
    const color = useColor(process.stderr, o.profile);
    const progress = new Progress({ write: o.err, tty: Boolean(process.stderr.isTTY), color, gateLevel, deviations, columns: process.stderr.columns });
    progress.start();
    // Cucumber's stdout formatter (progress, its default) goes nowhere: the console is ours (bin/console.ts)
    const finished = runCucumber(runConfiguration, { cwd: ROOT, stdout: discard() }, (m) => {
      envelopes.push(m);
      progress.onMessage(m);
    }).then(() => undefined);
    const interruption = await Promise.race([finished, interrupt]);
    progress.stop();
    if (interruption !== undefined) {
      o.err(`\n${interruption}: cleaning up and writing the reports…\n`);
      await Promise.all([cleanUpLive(), stopWorkers()]);
    }

    const outcome = decide(scenarioResults(envelopes, gateLevel, deviations), catalogue, gateLevel, deviations, new Date().toISOString().slice(0, 10));
    if (interruption !== undefined) {
      outcome.gate.conforming = outcome.gate.conforming === false ? false : 'not established';
      outcome.gate.exitCode = 2;
      outcome.gate.reasons.push(`the run was interrupted (${interruption}); requirements not reached are "not run"`);
    }
    const profileVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'features', 'requirements.json'), 'utf8')) as { profileVersion: string }).profileVersion;
    const tlsNote = !target.discoveryUrl.startsWith('https:') ? 'plain http (no TLS)' : o.insecure ? 'NOT verified (--insecure)' : o.ca ? `verified against the system CAs and ${o.ca}` : 'verified against the system CAs';
    const summary = buildSummary(outcome, { ...targetSummary(target, params.source), tls: tlsNote }, {
      startedAt,
      finishedAt: new Date(),
      profileVersion,
      deviations: [...deviations.values()],
      ...(interruption !== undefined ? { interruption } : {}),
    });
    writeAtomically(path.join(o.reportDir, 'messages.ndjson'), envelopes.map((m) => JSON.stringify(m)).join('\n') + '\n');
    writeAtomically(path.join(o.reportDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeAtomically(path.join(o.reportDir, 'junit.xml'), junitXml(summary));
    writeAtomically(path.join(o.reportDir, 'conformance.html'), conformanceHtml(summary, outcome.scenarios));
    if (interruption === undefined && fs.existsSync(`${cucumberHtml}.partial`)) fs.renameSync(`${cucumberHtml}.partial`, cucumberHtml);
    else fs.rmSync(`${cucumberHtml}.partial`, { force: true });
    const failures = failureText(outcome, { verbose: o.verbose ?? false, color });
    o.out(`${failures ? `\n${failures}` : ''}\n${paintSummary(consoleText(outcome, target), color)}\n${headline(outcome)}\nReports written to ${o.reportDir}${interruption !== undefined ? ' (marked interrupted)' : ''}\n`);
    return outcome.gate.exitCode;
  } finally {
    await reference?.close();
  }
}
