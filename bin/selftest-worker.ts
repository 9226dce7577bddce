import * as readline from 'node:readline';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { resetTargetHealth } from '../steps/support/http';
import type { WorldParameters } from '../steps/support/world';
import { ROOT } from './features';
import { serveVariant } from './variant-server';
import { scenarioResults } from './verdicts';

/**
 * A self-test worker: runs the suite against fault variants one after another in this one process, loading the
 * step definitions once (Cucumber's support-library reuse). It reads jobs from standard input, one line each
 * ("<fault name>\t<tag expression or empty>"), and prints one JSON line per job:
 * {name, scenarios: [{uri, line, name, requirements, verdict}], wallMs}. It ends when its input ends.
 * Usage (from bin/selftest.ts): selftest-worker.ts SECONDS
 */

async function main(): Promise<void> {
  const timeoutS = Number(process.argv[2]);
  let support: ISupportCodeLibrary | undefined;
  for await (const job of readline.createInterface({ input: process.stdin })) {
    if (!job.trim()) continue;
    const [name = '', tags = ''] = job.split('\t');
    const started = performance.now();
    const s = await serveVariant(name ? [name] : [], timeoutS);
    try {
      resetTargetHealth();
      const params: WorldParameters = { description: s.description, source: `fault ${name}` };
      const { runConfiguration } = await loadConfiguration(
        {
          file: 'cucumber.js',
          provided: { format: [], worldParameters: params as unknown as Record<string, never>, tags: ['not @long-running', tags].filter(Boolean).map((t) => `(${t})`).join(' and ') },
        },
        { cwd: ROOT },
      );
      const envelopes: Envelope[] = [];
      const result = await runCucumber({ ...runConfiguration, ...(support ? { support } : {}) }, { cwd: ROOT, stdout: process.stderr }, (m) => envelopes.push(m));
      support = result.support;
      const scenarios = scenarioResults(envelopes, 'must', new Map()).map(({ uri, line, name: n, requirements, verdict }) => ({ uri, line, name: n, requirements, verdict }));
      process.stdout.write(`${JSON.stringify({ name, scenarios, wallMs: performance.now() - started })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ name, error: String((e as Error).stack ?? e), wallMs: performance.now() - started })}\n`);
    } finally {
      await s.close();
    }
  }
  process.exit(0);
}

void main();
