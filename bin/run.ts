import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Envelope } from '@cucumber/messages';
import type { RunningReference } from '../reference/server';
import type { RelPrefix } from '../steps/support/dialect';
import { Client, Inconclusive, UntrustedOrigin, User, type Application } from '../steps/support/client';
import { BREAKER_DIR_VARIABLE, breakerTripped, HttpTransport, initBreaker, resetTargetHealth, type TlsOptions } from '../steps/support/http';
import { redact } from '../steps/support/exchange';
import { cleanUpLive, resumeLive } from '../steps/support/live';
import { combinationOfPair, initPairs, PAIRS_DIR_VARIABLE, pairsOf, pairsPerCombination } from '../steps/support/pairs';
import { expandFeatures, type Expansion } from './combinations';
import { parseTargetDescription, parseTargetText, TargetDescriptionError, type Target } from '../steps/support/target';
import { CallbackReceiver, exportTap, startReceiverFor } from '../steps/support/callbacks/receiver';
import { RECEIVER_IPC_VARIABLE, tapRelay } from '../steps/support/callbacks/ipc';
import { TaaClient } from '../steps/support/taa/client';
import { TaaSession, TaaUser } from '../steps/support/taa/session';
import type { WorldParameters } from '../steps/support/world';
import { discard, failureText, headline, paintSummary, Progress, useColor } from './console';
import { loadDeviations, type Deviation } from './deviations';
import { ConfigurationError } from './errors';
import { lanePlan, prepareEarlyWorkers, startWorkersEarly, useLanes } from './lanes';
import { matchEachStepTextOnce, useNativeMatchIndices } from './match-indices';
import { DURATIONS_VARIABLE, durationsFile, recordDurations } from './durations';
import { loadCatalogue, ROOT } from './features';
import { conformanceHtml } from './report/html';
import { junitXml } from './report/junit';
import { buildSummary, targetSummary, unloadedTargetSummary, type Stopped, type Summary, type TargetSummary } from './summary';
import { consoleText, decide, scenarioResults, type GateLevel, type Outcome } from './verdicts';

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
 * The start-up check (TARGET.md §11; issue 11): the caller signs in and creates, then deletes, one application, each
 * request under the normal deadline. Wrong answers are for the scenarios to judge; a request without an answer
 * (refused, reset, hung) means the target is unreachable, and a credential needed on an untrusted origin is a
 * configuration error. Returns why the run cannot start, or undefined.
 */
async function preflight(target: Target, tlsOptions: TlsOptions | undefined): Promise<Omit<Stopped, 'problems'> | undefined> {
  const client = new Client(target, new HttpTransport({ timeoutMs: 10_000, ...(tlsOptions ? { tls: tlsOptions } : {}) }));
  const taa = target.users.caller.transport === 'taa';
  const user = taa ? new TaaUser(new TaaClient(client), 'caller', target.users.caller) : new User(client, 'caller', target.users.caller);
  const secrets = () => [...target.secrets, ...(user.token ? [user.token] : [])];
  let app: Application | undefined;
  let untrusted: string | undefined;
  try {
    // a TAA caller: token, discovery and its application by endpointId (nothing is created, nothing to delete)
    if (user instanceof TaaUser) await new TaaSession(user).open();
    else {
      await user.signIn();
      app = await user.createApplication();
    }
  } catch (e) {
    if (e instanceof UntrustedOrigin) untrusted = e.message;
    else if (!(e instanceof Inconclusive)) throw e;
  }
  try {
    if (app) await app.delete();
  } catch (e) {
    if (e instanceof UntrustedOrigin) untrusted ??= e.message;
    else if (!(e instanceof Inconclusive)) throw e;
  }
  if (untrusted) return { cause: 'configuration error', stage: 'start-up check', reason: redact(untrusted, secrets()) };
  const dead = client.exchanges.find((x) => x.error);
  if (!dead) return undefined;
  const what = taa ? "the TAA caller's token, discovery and application" : "the caller's sign-in and first application";
  return { cause: 'target unreachable', stage: 'start-up check', reason: redact(`${dead.method} ${dead.url}: ${dead.error} (start-up check: ${what})`, secrets()) };
}

/** Writes summary.json, junit.xml and conformance.html (and messages.ndjson when given). */
function writeReports(dir: string, summary: Summary, scenarios: Outcome['scenarios'], envelopes?: readonly Envelope[]): void {
  fs.mkdirSync(dir, { recursive: true });
  if (envelopes) writeAtomically(path.join(dir, 'messages.ndjson'), envelopes.map((m) => JSON.stringify(m)).join('\n') + '\n');
  writeAtomically(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomically(path.join(dir, 'junit.xml'), junitXml(summary));
  writeAtomically(path.join(dir, 'conformance.html'), conformanceHtml(summary, scenarios));
}

function profileVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'features', 'requirements.json'), 'utf8')) as { profileVersion: string }).profileVersion;
}

/**
 * The reports of a run that never started a scenario: every requirement "not run", the gate not established
 * (exit 2), and why — so that CI has something to archive and a machine-readable reason.
 */
function writeStoppedReports(
  o: RunOptions,
  stopped: Stopped,
  target: TargetSummary,
  ctx: { catalogue: ReturnType<typeof loadCatalogue>; deviations: Map<string, Deviation>; startedAt: Date },
): void {
  const gateLevel: GateLevel = o.level ?? (o.profile === 'strict' ? 'should' : 'must');
  const outcome = decide([], ctx.catalogue, gateLevel, ctx.deviations, new Date().toISOString().slice(0, 10));
  outcome.gate = { level: gateLevel, conforming: 'not established', exitCode: 2, reasons: [`${stopped.cause}: ${stopped.reason}`, ...(stopped.problems ?? [])] };
  const summary = buildSummary(outcome, target, { startedAt: ctx.startedAt, finishedAt: new Date(), profileVersion: profileVersion(), deviations: [...ctx.deviations.values()], stopped });
  writeReports(o.reportDir, summary, outcome.scenarios);
}

/** The problem lines of a configuration error's message (its "  - " items, or the message itself). */
function problemLines(e: Error): string[] {
  const items = e.message.split('\n').filter((l) => /^\s+- /.test(l)).map((l) => l.replace(/^\s+- /, ''));
  const head = e.message.split('\n')[0] ?? '';
  return items.length ? items.map((i) => `${head.replace(/:$/, '')}: ${i}`) : [e.message];
}

/**
 * Runs the suite and writes the reports: conformance.html, summary.json, junit.xml and messages.ndjson (ours,
 * from the messages), cucumber.html (Cucumber's). Returns the exit status (0 conforming, 1 not, 2 not established).
 * `interrupt` resolves when the run must stop early (a signal); the reports are then written marked interrupted.
 * Every ending writes summary.json, junit.xml and conformance.html: a configuration error (every problem by
 * member), a target unreachable at the start-up check, a target that stops answering during the run.
 */
export async function run(o: RunOptions, interrupt: Promise<string>): Promise<number> {
  const startedAt = new Date();
  // parsed when first needed: not before the start-up check's first request (a few tens of ms of Gherkin)
  let parsedCatalogue: ReturnType<typeof loadCatalogue> | undefined;
  const catalogue = () => (parsedCatalogue ??= loadCatalogue());
  let deviations: Map<string, Deviation> = new Map();
  let tlsOptions: TlsOptions | undefined;
  let reference: RunningReference | undefined;
  let params: WorldParameters | undefined;
  let target: Target | undefined;
  let raw: unknown;
  const source = o.target ?? 'embedded reference server';

  // Configuration: every problem of the target description, the ledger and the TLS options, collected.
  const problems: string[] = [];
  const messages: string[] = [];
  const configurationProblem = (e: unknown) => {
    if (!(e instanceof TargetDescriptionError || e instanceof ConfigurationError)) throw e;
    messages.push(e.message);
    problems.push(...(e instanceof TargetDescriptionError ? e.problems : problemLines(e)));
  };
  try {
    if (o.target) {
      let text: string | undefined;
      try {
        text = fs.readFileSync(o.target, 'utf8');
      } catch (e) {
        throw new TargetDescriptionError(o.target, [`(file): cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
      }
      try {
        raw = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
      } catch {
        /* parseTargetText names the syntax error */
      }
      target = parseTargetText(text, o.target);
      params = { descriptionJson: JSON.stringify(raw), source: o.target };
    }
  } catch (e) {
    configurationProblem(e);
  }
  try {
    if (o.deviations) deviations = loadDeviations(o.deviations, new Set(catalogue().map((r) => r.id)));
  } catch (e) {
    configurationProblem(e);
  }
  try {
    if (o.ca) {
      try {
        tlsOptions = { ca: fs.readFileSync(o.ca, 'utf8') };
      } catch (e) {
        throw new ConfigurationError(`--ca ${o.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      if (!/-----BEGIN CERTIFICATE-----/.test(tlsOptions.ca ?? '')) throw new ConfigurationError(`--ca ${o.ca}: not a PEM certificate`);
    }
    if (o.insecure) tlsOptions = { ...tlsOptions, insecure: true };
    if (target) {
      // TARGET.md §10: each scenario holds a pair of its own, so at most as many scenarios at once as pairs are
      // declared; a scenario of a scarcer combination waits for a pair of its own (steps/support/pairs.ts).
      const pairs = pairsOf(target).length;
      if (o.parallel !== undefined && o.parallel > pairs)
        throw new ConfigurationError(`--parallel ${o.parallel} needs ${o.parallel} caller/callee pairs; the target declares ${pairs} (users.caller/callee and users.pairs)`);
    }
  } catch (e) {
    configurationProblem(e);
  }
  if (problems.length) {
    // Redact every literal string of the description's credential members, in case a problem quotes one.
    const secrets = target?.secrets ?? literalSecrets(raw);
    const redacted = problems.map((p) => redact(p, secrets));
    writeStoppedReports(
      o,
      { cause: 'configuration error', stage: 'configuration', reason: redacted.length === 1 ? (redacted[0] ?? '') : `${redacted.length} problems, the first: ${redacted[0]}`, problems: redacted },
      target ? targetSummary(target, source) : unloadedTargetSummary(raw, source),
      { catalogue: catalogue(), deviations, startedAt },
    );
    throw new ConfigurationError(redact(messages.join('\n'), secrets));
  }

  // The callback receiver (PROFILE.md §15.7) lives here, in the coordinator: for a described target where the
  // description says (a socket it cannot bind is a configuration error naming the member); for the embedded run on a
  // free loopback port, before the reference server, whose TAA endpoints' callback URLs point at it.
  let receiver: CallbackReceiver | undefined;
  if (o.target && target?.taa) {
    try {
      receiver = await startReceiverFor(target);
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      const reason = redact(e.message, target.secrets);
      writeStoppedReports(o, { cause: 'configuration error', stage: 'configuration', reason, problems: [reason] }, targetSummary(target, source), { catalogue: catalogue(), deviations, startedAt });
      throw new ConfigurationError(reason);
    }
  }
  if (!o.target) {
    const withTaa = embeddedTaa(o.relPrefix);
    if (withTaa) receiver = await CallbackReceiver.start({ listen: ['127.0.0.1:0'] });
    // the embedded reference server's code is loaded only when it is the target
    const { startReferenceServer } = await import('../reference/server');
    reference = await startReferenceServer({
      relPrefix: o.relPrefix,
      noAnswerTimeoutSeconds: o.noAnswerTimeout,
      ...(receiver ? { taa: { callbackOrigin: receiver.localOrigin }, callbackAllowHttp: true } : {}),
    });
    target = parseTargetDescription(reference.description, 'embedded reference server');
    params = { descriptionJson: JSON.stringify(reference.description), source: 'embedded reference server' };
    receiver?.configure(target);
  }
  if (!target || !params) throw new Error('no target');
  const unexportTap = receiver ? exportTap(receiver) : () => undefined;

  const breakerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ucwa-conformance-breaker-'));
  let expansion: Expansion | undefined;
  let undoLanes = () => {};
  try {
    // 8 at once per transport combination present: the full run's @slow scenarios of each combination wait out
    // their 30 s concurrently beside lanes for the rest, and a quick run's waiting scenarios (2.3 s of refusals that
    // must start nothing) leave lanes for the others (8 instead of 6: quick run ~0.25 s shorter on 2 cores); in few
    // worker processes (bin/lanes.ts: measured faster and a third of the memory of a process per scenario on 2
    // cores); never more than the pairs declared
    const pairs = pairsOf(target).length;
    const parallel = o.parallel ?? Math.min(8 * pairsPerCombination(target).size, pairs);
    const plan = lanePlan(parallel);
    // the worker processes start loading their code now, beside the start-up check and Cucumber's preparations
    // (bin/worker.ts); the run's environment reaches them when Cucumber takes them over
    // the workers read the receiver's record through the IPC channel (steps/support/callbacks/ipc.ts)
    const tapped = receiver;
    if (tapped) process.env[RECEIVER_IPC_VARIABLE] = '1';
    undoLanes = useLanes(plan.lanes, {
      combinations: pairsOf(target).map(combinationOfPair),
      ...(tapped ? { serve: (send: (m: unknown) => void) => tapRelay(tapped, send) } : {}),
    });
    startWorkersEarly(plan.workers, ROOT);
    o.out(`Target: ${target.name} (${params.source}), dialect ${JSON.stringify(target.relPrefix)}\n`);
    if (tlsOptions) params = { ...params, tls: tlsOptions };
    if (o.insecure) o.err('WARNING: --insecure: TLS certificates of the target are NOT verified; the reports say so.\n');
    const tlsNote = !target.discoveryUrl.startsWith('https:') ? 'plain http (no TLS)' : o.insecure ? 'NOT verified (--insecure)' : o.ca ? `verified against the system CAs and ${o.ca}` : 'verified against the system CAs';
    const shownTarget: TargetSummary = { ...targetSummary(target, params.source), tls: tlsNote };
    const stoppedAtStart = await preflight(target, tlsOptions);
    if (stoppedAtStart) {
      o.err(`${stoppedAtStart.cause === 'target unreachable' ? 'target unreachable' : 'configuration error'}: ${stoppedAtStart.reason}\n`);
      writeStoppedReports(o, stoppedAtStart, shownTarget, { catalogue: catalogue(), deviations, startedAt });
      o.err(`Reports written to ${o.reportDir}\n`);
      return 2;
    }

    // The run-wide circuit breaker: workers inherit the variable and share the state through files in breakerDir.
    resetTargetHealth();
    resumeLive();
    initBreaker(breakerDir);
    process.env[BREAKER_DIR_VARIABLE] = breakerDir;
    // Pair leases across the workers (steps/support/pairs.ts), and the per-combination copies of the features
    // when the target has TAA accounts (bin/combinations.ts; none without: the run is as before).
    // With one worker process its leases are its own (no lock files: each costs file operations per scenario).
    if (plan.workers > 1) {
      initPairs(path.join(breakerDir, 'pairs'));
      process.env[PAIRS_DIR_VARIABLE] = path.join(breakerDir, 'pairs');
    }
    expansion = expandFeatures(target);

    fs.mkdirSync(o.reportDir, { recursive: true });
    const cucumberHtml = path.join(o.reportDir, 'cucumber.html');
    // Cucumber is loaded only now, after the start-up check (its API costs ~0.2 s to load), its step matching with
    // the native RegExp match indices (bin/match-indices.ts)
    useNativeMatchIndices();
    const { loadConfiguration, loadSupport, runCucumber } = await import('@cucumber/cucumber/api');
    const { runConfiguration } = await loadConfiguration(
      {
        file: 'cucumber.js',
        profiles: [o.profile],
        provided: {
          format: [['html', `${cucumberHtml}.partial`]],
          worldParameters: params as unknown as Record<string, never>,
          // `parallel` scenarios at once: in few worker processes, each running several (bin/lanes.ts)
          parallel: plan.workers,
          tags: [o.tags ? `(${o.tags})` : '', o.longRunning ? '' : 'not @long-running'].filter(Boolean).join(' and '),
        },
      },
      { cwd: ROOT },
    );
    if (expansion) runConfiguration.sources.paths = expansion.paths;
    const configured = (runConfiguration.runtime.worldParameters as { gateLevel?: GateLevel }).gateLevel;
    const gateLevel: GateLevel = o.level ?? configured ?? 'must';
    const envelopes: Envelope[] = [];
    const color = useColor(process.stderr, o.profile);
    const progress = new Progress({ write: o.err, tty: Boolean(process.stderr.isTTY), color, gateLevel, deviations, columns: process.stderr.columns });
    progress.start();
    // longest first, by what the last complete run against this target recorded (bin/slow-first.js)
    const durations = durationsFile(target.name);
    if (durations) process.env[DURATIONS_VARIABLE] = durations;
    // Cucumber's stdout formatter (progress, its default) goes nowhere: the console is ours (bin/console.ts)
    // the step definitions, loaded here so that assembling the test cases matches each step text once (bin/match-indices.ts)
    const support = await loadSupport(runConfiguration, { cwd: ROOT });
    // (the API's ISupportCodeLibrary is opaque; the library is Cucumber's SupportCodeLibrary)
    matchEachStepTextOnce((support as unknown as { stepDefinitions: Parameters<typeof matchEachStepTextOnce>[0] }).stepDefinitions);
    // the workers forked early load the same step definitions meanwhile (bin/worker.ts)
    prepareEarlyWorkers(support);
    const finished = runCucumber({ ...runConfiguration, support }, { cwd: ROOT, stdout: discard() }, (m) => {
      envelopes.push(m);
      progress.onMessage(m);
    }).then(() => undefined);
    let watch: NodeJS.Timeout | undefined;
    const stoppedAnswering = new Promise<{ stopped: string }>((resolve) => {
      watch = setInterval(() => {
        const why = breakerTripped(breakerDir);
        if (why !== undefined) resolve({ stopped: why });
      }, 200);
    });
    const ending = await Promise.race([finished, interrupt.then((signal) => ({ signal })), stoppedAnswering]);
    undoLanes();
    undoLanes = () => {};
    clearInterval(watch);
    progress.stop();
    const interruption = ending && 'signal' in ending ? ending.signal : undefined;
    const trippedReason = ending && 'stopped' in ending ? ending.stopped : breakerTripped(breakerDir);
    if (interruption !== undefined) o.err(`\n${interruption}: cleaning up and writing the reports…\n`);
    else if (ending && 'stopped' in ending) o.err(`\ntarget stopped answering: ${trippedReason}; ending the run, cleaning up and writing the reports…\n`);
    if (ending !== undefined) await Promise.all([cleanUpLive(), stopWorkers()]);
    const stopped: Stopped | undefined =
      interruption === undefined && trippedReason !== undefined
        ? { cause: 'target stopped answering', stage: 'run', reason: redact(trippedReason, target.secrets) }
        : undefined;

    const outcome = decide(scenarioResults(envelopes, gateLevel, deviations), catalogue(), gateLevel, deviations, new Date().toISOString().slice(0, 10));
    if (interruption !== undefined) {
      outcome.gate.conforming = outcome.gate.conforming === false ? false : 'not established';
      outcome.gate.exitCode = 2;
      outcome.gate.reasons.push(`the run was interrupted (${interruption}); requirements not reached are "not run"`);
    }
    if (stopped) {
      outcome.gate.conforming = outcome.gate.conforming === false ? false : 'not established';
      outcome.gate.exitCode = 2;
      outcome.gate.reasons.unshift(`target stopped answering: ${stopped.reason}; the rest of the run's requests were not sent, requirements not reached are "not run"`);
    }
    const summary = buildSummary(outcome, shownTarget, {
      startedAt,
      finishedAt: new Date(),
      profileVersion: profileVersion(),
      deviations: [...deviations.values()],
      ...(interruption !== undefined ? { interruption } : {}),
      ...(stopped ? { stopped } : {}),
    });
    writeReports(o.reportDir, summary, outcome.scenarios, envelopes);
    if (durations && ending === undefined && !stopped) {
      try {
        recordDurations(durations, envelopes);
      } catch (e) {
        o.err(`note: the scenario durations could not be recorded in ${durations}: ${(e as Error).message}\n`);
      }
    }
    if (receiver) {
      const stray = receiver.records.filter((c) => !c.route || c.method !== 'POST').length;
      o.err(`Callback receiver (${receiver.listening.join(', ')}): ${receiver.records.length} requests recorded, ${stray} of them to no callback URL (404) or not POST (405)\n`);
    }
    if (ending === undefined && fs.existsSync(`${cucumberHtml}.partial`)) fs.renameSync(`${cucumberHtml}.partial`, cucumberHtml);
    else fs.rmSync(`${cucumberHtml}.partial`, { force: true });
    const failures = failureText(outcome, { verbose: o.verbose ?? false, color });
    o.out(`${failures ? `\n${failures}` : ''}\n${paintSummary(consoleText(outcome, target), color)}\n${headline(outcome)}\nReports written to ${o.reportDir}${interruption !== undefined ? ' (marked interrupted)' : stopped ? ' (marked incomplete: the target stopped answering)' : ''}\n`);
    return outcome.gate.exitCode;
  } finally {
    undoLanes();
    delete process.env[RECEIVER_IPC_VARIABLE];
    if (process.env[BREAKER_DIR_VARIABLE] === breakerDir) delete process.env[BREAKER_DIR_VARIABLE];
    if (process.env[PAIRS_DIR_VARIABLE] === path.join(breakerDir, 'pairs')) delete process.env[PAIRS_DIR_VARIABLE];
    delete process.env[DURATIONS_VARIABLE];
    expansion?.remove();
    fs.rmSync(breakerDir, { recursive: true, force: true });
    unexportTap();
    await reference?.close();
    await receiver?.close();
  }
}

/**
 * Whether the embedded run serves the Trusted Application API beside UCWA (TARGET.md §9): yes, so that a default
 * run leaves no requirement not applicable; UCWA_CONFORMANCE_EMBEDDED_TAA=0 runs the UCWA accounts only. The bare
 * dialect "" has no TAA surface (the reference server refuses it, WIRE-3), so that run stays UCWA-only.
 */
export function embeddedTaa(relPrefix: RelPrefix, env: NodeJS.ProcessEnv = process.env): boolean {
  if (relPrefix === '') return false;
  return env.UCWA_CONFORMANCE_EMBEDDED_TAA !== '0';
}

/** Literal strings under `password`, `token` (and later `clientSecret`) members anywhere in a raw description. */
function literalSecrets(raw: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (/^(password|token|clientSecret)$/.test(k) && typeof x === 'string' && x) out.push(x);
        else walk(x);
      }
  };
  walk(raw);
  return out;
}
