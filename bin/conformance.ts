import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { startReferenceServer, type RunningReference } from '../reference/server';
import { RELPREFIXES, type RelPrefix } from '../steps/support/dialect';
import { HttpTransport } from '../steps/support/http';
import { parseTargetDescription, parseTargetText, TargetDescriptionError, type Target } from '../steps/support/target';
import type { WorldParameters } from '../steps/support/world';
import { summarize, type RunSummary } from './verdicts';

const ROOT = path.resolve(__dirname, '..');

const HELP = `Usage: npm run conformance -- [options]

Runs the messagingInvitation conformance suite against a target and writes the reports.

Options:
  --target FILE       target description (TARGET.md); default: the TARGET environment variable,
                      else the embedded reference server
  --report-dir DIR    where the reports go (default: reports)
  --tags EXPR         run only the scenarios matching a Cucumber tag expression (e.g. "@area:accept")
  --parallel N        scenarios run at once, each in a worker with a caller/callee pair of its own
                      (default: the smaller of 4 and the number of pairs the target declares)
  --long-running      also run the checks that take minutes (tagged @long-running: EV-3's idle release)
  --rel-prefix P      dialect of the embedded reference server: "ms:rtc:saas:" (default), "" or "service:"
  --no-answer-timeout S
                      no-answer timeout of the embedded reference server in seconds (default 30); the
                      description it publishes declares it, so LC-3 is measured against it
  --help              this text

Environment:
  TARGET              path of the target description when --target is absent
  <NAME>              any variable a description names as {"env": "NAME"} for a password or token

Reports (in the report directory): conformance.html (Cucumber HTML report), messages.ndjson (Cucumber
Messages), junit.xml (JUnit XML), summary.json (requirement → verdict).
Exit status: 0 every applicable MUST requirement passed; 1 a MUST requirement failed; 2 configuration
error, unreachable target, or an inconclusive run.`;

function configError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        target: { type: 'string' },
        'report-dir': { type: 'string' },
        tags: { type: 'string' },
        'rel-prefix': { type: 'string' },
        'no-answer-timeout': { type: 'string' },
        'long-running': { type: 'boolean' },
        parallel: { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    configError(`${(e as Error).message}\n\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const reportDir = path.resolve(args['report-dir'] ?? path.join(ROOT, 'reports'));
  const targetFile = args.target ?? process.env.TARGET;

  let reference: RunningReference | undefined;
  let params: WorldParameters;
  let target: Target;
  try {
    if (targetFile) {
      const text = fs.existsSync(targetFile) ? fs.readFileSync(targetFile, 'utf8') : undefined;
      if (text === undefined) throw new TargetDescriptionError(targetFile, ['(file): cannot be read: no such file']);
      target = parseTargetText(text, targetFile);
      params = { description: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown, source: targetFile };
    } else {
      const relPrefix = (args['rel-prefix'] ?? 'ms:rtc:saas:') as RelPrefix;
      if (!RELPREFIXES.includes(relPrefix)) configError(`--rel-prefix must be one of "ms:rtc:saas:", "" or "service:"`);
      const timeout = args['no-answer-timeout'] === undefined ? 30 : Number(args['no-answer-timeout']);
      if (!(timeout > 0)) configError('--no-answer-timeout must be a number of seconds > 0');
      reference = await startReferenceServer({ relPrefix, noAnswerTimeoutSeconds: timeout });
      target = parseTargetDescription(reference.description, 'embedded reference server');
      params = { description: reference.description, source: 'embedded reference server' };
    }
  } catch (e) {
    if (e instanceof TargetDescriptionError) configError(e.message);
    throw e;
  }

  try {
    process.stdout.write(`Target: ${target.name} (${params.source}), dialect "${target.relPrefix}"\n`);
    const probe = await new HttpTransport({ timeoutMs: 10_000 }).send({ who: 'preflight', method: 'GET', url: target.discoveryUrl, headers: { Accept: 'application/json' } });
    if (probe.error) {
      process.stderr.write(`target unreachable: GET ${target.discoveryUrl}: ${probe.error}\n`);
      return 2;
    }
    const pairs = 1 + target.users.pairs.length;
    const parallel = args.parallel === undefined ? Math.min(4, pairs) : Number(args.parallel);
    if (!Number.isInteger(parallel) || parallel < 1) configError('--parallel must be a whole number ≥ 1');
    if (parallel > pairs)
      configError(`--parallel ${parallel} needs ${parallel} caller/callee pairs; the target declares ${pairs} (users.caller/callee and users.pairs)`);
    fs.mkdirSync(reportDir, { recursive: true });
    const envelopes: Envelope[] = [];
    const { runConfiguration } = await loadConfiguration({
      file: 'cucumber.js',
      provided: {
        format: [
          'summary',
          ['html', path.join(reportDir, 'conformance.html')],
          ['message', path.join(reportDir, 'messages.ndjson')],
          ['junit', path.join(reportDir, 'junit.xml')],
        ],
        worldParameters: params as unknown as Record<string, never>,
        parallel: parallel > 1 ? parallel : 0,
        tags: [args.tags ? `(${args.tags})` : '', args['long-running'] ? '' : 'not @long-running'].filter(Boolean).join(' and '),
      },
    }, { cwd: ROOT });
    await runCucumber(runConfiguration, { cwd: ROOT }, (m) => envelopes.push(m));
    const summary: RunSummary = summarize(envelopes, target, params.source);
    fs.writeFileSync(path.join(reportDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`\n${summary.text}\nReports written to ${reportDir}\n`);
    return summary.exitCode;
  } finally {
    await reference?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`conformance run failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(2);
  },
);
