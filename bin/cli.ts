import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RELPREFIXES, type RelPrefix } from '../steps/support/dialect';
import { TargetDescriptionError } from '../steps/support/target';
import { matrixHtml, readSummary } from './matrix';
import { ConfigurationError } from './errors';
import { run, type RunOptions } from './run';
import type { GateLevel } from './verdicts';

const HELP = `Usage: ucwa-conformance [options]              run the suite and write the reports
       ucwa-conformance matrix DIR... --out FILE   merge the summary.json of several runs into one HTML table
       (from a checkout: npm run conformance -- [options])

Runs the messagingInvitation conformance suite (PROFILE.md) against a target and writes the reports.

Options:
  --target FILE         target description (TARGET.md); default: the TARGET environment variable, else the
                        embedded reference server
  --report-dir DIR      where the reports go (default: reports)
  --profile NAME        Cucumber profile from cucumber.js: default, ci (no colours), strict (SHOULD gates)
  --level LEVEL         gate level: must (default) | should | may — failed requirements at or above it fail
                        the gate; below it they are warnings
  --deviations FILE     deviation ledger {"deviations":[{requirement, reason, link?, until?}]}: listed failures are
                        "expected fail"; an unexpected pass, an expired entry or an unknown requirement fails
  --tags EXPR           only scenarios matching a Cucumber tag expression, e.g. "@area:errors", "@req:SM-6",
                        "not @slow"
  --area AREA           only one profile area (wire, discovery, sign-in, application, startMessaging,
                        invitation, accept, decline, cancel, addMessaging, events, lifecycle, errors,
                        security, optional); may be repeated
  --parallel N          scenarios run at once, each holding a caller/callee pair of its transport combination,
                        in few worker processes (default: 8 per transport combination present, at most the
                        number of pairs declared; a scenario waits for a free pair of its own)
  --long-running        also run the checks that take minutes (@long-running: EV-3's idle release)
  --ca FILE             PEM certificate of a private CA to trust for an https target (besides the system CAs)
  --insecure            do not verify the target's TLS certificate (the reports say so)
  --verbose             print every exchange of a failure (the console shows the first; all are in the HTML report)
  --rel-prefix P        dialect of the embedded reference server: "ms:rtc:saas:" (default), "" or "service:"
  --no-answer-timeout S no-answer timeout of the embedded reference server in seconds (default 30)
  --help                this text

Environment:
  TARGET                path of the target description when --target is absent
  <NAME>                every variable a target description names as {"env": "NAME"} (passwords, tokens,
                        client secrets)
  UCWA_CONFORMANCE_EMBEDDED_TAA=0
                        the embedded reference server serves UCWA only (by default it also serves the Trusted
                        Application API: TAA accounts in every transport combination, callbacks to the suite's
                        receiver on a loopback port; never with --rel-prefix "")

Reports (in the report directory): conformance.html (requirement matrix, failures with their exchanges),
cucumber.html (Cucumber's report), summary.json (schemas/summary.schema.json), junit.xml, messages.ndjson.

Exit status: 0 conforming (every applicable requirement at the gate level passed or is an expected fail);
1 not conforming (one failed, or the deviation ledger no longer matches); 2 configuration error, target
unreachable, inconclusive or interrupted run.`;

const AREAS = ['wire', 'discovery', 'sign-in', 'application', 'startMessaging', 'invitation', 'accept', 'decline', 'cancel', 'addMessaging', 'events', 'lifecycle', 'errors', 'security', 'optional'];

function matrix(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  if (values.help || positionals.length === 0 || !values.out) {
    process.stdout.write('Usage: ucwa-conformance matrix DIR1 DIR2 ... --out matrix.html\n(each DIR holds the summary.json of one run)\n');
    return values.help ? 0 : 2;
  }
  const runs = positionals.map((p) => ({ label: path.basename(path.resolve(p)), summary: readSummary(p) }));
  fs.writeFileSync(values.out, matrixHtml(runs));
  process.stdout.write(`Matrix of ${runs.length} runs written to ${values.out}\n`);
  return 0;
}

function options(argv: string[]): RunOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      'report-dir': { type: 'string' },
      profile: { type: 'string' },
      level: { type: 'string' },
      deviations: { type: 'string' },
      tags: { type: 'string' },
      area: { type: 'string', multiple: true },
      parallel: { type: 'string' },
      'long-running': { type: 'boolean' },
      'rel-prefix': { type: 'string' },
      'no-answer-timeout': { type: 'string' },
      ca: { type: 'string' },
      insecure: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const profile = values.profile ?? 'default';
  if (!['default', 'ci', 'strict'].includes(profile)) throw new ConfigurationError(`--profile must be default, ci or strict`);
  if (values.level !== undefined && !['must', 'should', 'may'].includes(values.level)) throw new ConfigurationError('--level must be must, should or may');
  const relPrefix = (values['rel-prefix'] ?? 'ms:rtc:saas:') as RelPrefix;
  if (!RELPREFIXES.includes(relPrefix)) throw new ConfigurationError('--rel-prefix must be "ms:rtc:saas:", "" or "service:"');
  const timeout = values['no-answer-timeout'] === undefined ? 30 : Number(values['no-answer-timeout']);
  if (!(timeout > 0)) throw new ConfigurationError('--no-answer-timeout must be a number of seconds > 0');
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1)) throw new ConfigurationError('--parallel must be a whole number ≥ 1');
  for (const a of values.area ?? []) if (!AREAS.includes(a)) throw new ConfigurationError(`--area ${a}: not an area (${AREAS.join(', ')})`);
  const tags = [values.tags ? `(${values.tags})` : '', values.area?.length ? `(${values.area.map((a) => `@area:${a}`).join(' or ')})` : ''].filter(Boolean).join(' and ');
  const target = values.target ?? (process.env.TARGET || undefined);
  return {
    ...(target ? { target } : {}),
    reportDir: path.resolve(values['report-dir'] ?? 'reports'),
    ...(tags ? { tags } : {}),
    profile: profile as RunOptions['profile'],
    ...(values.level ? { level: values.level as GateLevel } : {}),
    ...(values.deviations ? { deviations: values.deviations } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
    longRunning: values['long-running'] === true,
    relPrefix,
    noAnswerTimeout: timeout,
    ...(values.ca ? { ca: values.ca } : {}),
    insecure: values.insecure === true,
    verbose: values.verbose === true,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  };
}

/** Entry point: returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'matrix') return matrix(argv.slice(1));
    const o = options(argv);
    if (!o) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const interrupt = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    return await run(o, interrupt);
  } catch (e) {
    if (e instanceof TargetDescriptionError || e instanceof ConfigurationError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(e as Error).message}\n\n${HELP}\n`);
      return 2;
    }
    process.stderr.write(`conformance run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}
