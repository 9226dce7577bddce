import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { resetTargetHealth } from '../steps/support/http';
import type { WorldParameters } from '../steps/support/world';
import { expandFeatures } from './combinations';
import { ROOT } from './features';
import { serveVariant } from './variant-server';
import { scenarioResults } from './verdicts';

/**
 * A self-test worker: runs the suite against fault variants one after another in this one process, loading the
 * step definitions once (Cucumber's support-library reuse). It reads jobs from standard input, one line each
 * ("<fault name>\t<tag expression or empty>\t<declared requirements, comma-separated>\t<taa: 1 or empty>"), and prints one JSON line
 * per job: {name, scenarios: [{uri, line, name, requirements, verdict}], wallMs, stoppedEarly}. It ends when its
 * input ends. Usage (from bin/selftest.ts): selftest-worker.ts SECONDS BASELINE-FILE
 *
 * A variant runs in two passes: first the scenarios tagged with a requirement it declares; if one of them fails
 * where the baseline did not, the variant is caught and correctly diagnosed whatever the others do, and the second
 * pass (every other scenario, which can only add collateral) is skipped. Otherwise the second pass runs, so the
 * verdict (caught, caught by unrelated scenarios only, survived) is the one a single full pass gives. The variants
 * that break event correlation, whose every scenario waits out its event deadlines, are what this saves.
 */

type Scenario = { uri: string; line?: number; name: string; requirements: string[]; verdict: string };
const key = (x: { uri: string; line?: number; name: string }) => `${x.uri}:${x.line ?? ''} ${x.name}`;

async function main(): Promise<void> {
  const timeoutS = Number(process.argv[2]);
  const baseline = new Map<string, string>(process.argv[3] ? (JSON.parse(fs.readFileSync(process.argv[3], 'utf8')) as [string, string][]) : []);
  let support: ISupportCodeLibrary | undefined;
  for await (const job of readline.createInterface({ input: process.stdin })) {
    if (!job.trim()) continue;
    const [name = '', tags = '', declared = '', taa = ''] = job.split('\t');
    const breaks = declared.split(',').filter(Boolean);
    const started = performance.now();
    // a TAA variant: the server with its TAA surface, the receiver in this process, the per-combination copies
    const s = await serveVariant(name ? [name] : [], timeoutS, { taa: taa === '1' });
    const expansion = taa === '1' ? expandFeatures(s.target) : undefined;
    try {
      const params: WorldParameters = { description: s.description, source: `fault ${name}` };
      const pass = async (only: string): Promise<Scenario[]> => {
        resetTargetHealth();
        const { runConfiguration } = await loadConfiguration(
          {
            file: 'cucumber.js',
            provided: { format: [], worldParameters: params as unknown as Record<string, never>, tags: ['not @long-running', tags, only].filter(Boolean).map((t) => `(${t})`).join(' and ') },
          },
          { cwd: ROOT },
        );
        if (expansion) runConfiguration.sources.paths = expansion.paths;
        const envelopes: Envelope[] = [];
        const result = await runCucumber({ ...runConfiguration, ...(support ? { support } : {}) }, { cwd: ROOT, stdout: process.stderr }, (m) => envelopes.push(m));
        support = result.support;
        return scenarioResults(envelopes, 'must', new Map()).map(({ uri, line, name: n, requirements, verdict }) => ({ uri, line, name: n, requirements, verdict }));
      };
      const own = breaks.map((id) => `@req:${id}`).join(' or ');
      const first = own ? await pass(own) : [];
      const caught = first.some((x) => (x.verdict === 'fail' || x.verdict === 'warning') && baseline.get(key(x)) !== x.verdict && x.requirements.some((id) => breaks.includes(id)));
      const scenarios = caught ? first : [...first, ...(await pass(own ? `not (${own})` : ''))];
      process.stdout.write(`${JSON.stringify({ name, scenarios, wallMs: performance.now() - started, stoppedEarly: caught })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ name, error: String((e as Error).stack ?? e), wallMs: performance.now() - started })}\n`);
    } finally {
      expansion?.remove();
      await s.close();
    }
  }
  process.exit(0);
}

void main();
