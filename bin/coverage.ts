import { parseArgs } from 'node:util';
import { createApp } from '../reference/app';
import { notApplicableReason } from '../steps/support/applicability';
import { loadTargetFile, parseTargetDescription, TargetDescriptionError, type Target } from '../steps/support/target';
import { combinationLabel, wantedOf } from '../steps/support/pairs';
import { expandFeatures } from './combinations';
import { loadCatalogue, loadScenarios } from './features';

const HELP = `Usage: npm run coverage -- [--target FILE]

Prints, for the target (default: the embedded reference server's description), each requirement of the
catalogue with its level, its scenarios and how many of them are applicable, then the totals. A target with
TAA accounts counts each scenario once per transport combination it runs in, and names the combinations.`;

function targetOf(file: string | undefined): Target {
  if (file) return loadTargetFile(file);
  // The embedded server's description with its TAA accounts (TARGET.md §9; UCWA_CONFORMANCE_EMBEDDED_TAA=0: without).
  // Its callback URLs point at a placeholder receiver: coverage sends no request.
  const taa = process.env.UCWA_CONFORMANCE_EMBEDDED_TAA !== '0';
  const app = createApp(taa ? { taa: { callbackOrigin: 'http://127.0.0.1:9' }, callbackAllowHttp: true } : {});
  try {
    return parseTargetDescription(app.describe('http://127.0.0.1:0'), 'embedded reference server');
  } finally {
    app.close();
  }
}

function main(): number {
  const { values } = parseArgs({ options: { target: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let target: Target;
  try {
    target = targetOf(values.target ?? process.env.TARGET);
  } catch (e) {
    if (e instanceof TargetDescriptionError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const expansion = expandFeatures(target);
  let scenarios: ReturnType<typeof loadScenarios>;
  try {
    scenarios = expansion ? loadScenarios(expansion.paths) : loadScenarios();
  } finally {
    expansion?.remove();
  }
  const rows: string[][] = [['requirement', 'level', 'scenarios', 'applicable', ...(expansion ? ['combinations'] : []), 'not applicable because']];
  const totals = { requirements: 0, covered: 0, applicable: 0, scenarios: scenarios.length, applicableScenarios: 0 };
  for (const s of scenarios) if (!notApplicableReason(s.tags, target)) totals.applicableScenarios++;
  for (const r of loadCatalogue()) {
    const mine = scenarios.filter((s) => s.requirements.includes(r.id));
    const reasons = mine.map((s) => notApplicableReason(s.tags, target)).filter((x): x is string => !!x);
    const applicable = mine.length - reasons.length;
    totals.requirements++;
    if (mine.length) totals.covered++;
    if (applicable) totals.applicable++;
    const combos = [...new Set(mine.filter((s) => !notApplicableReason(s.tags, target)).map((s) => wantedOf(s.tags)).filter((w) => w !== undefined).map(combinationLabel))];
    rows.push([r.id, r.level, String(mine.length), String(applicable), ...(expansion ? [combos.join(' ') || '-'] : []), [...new Set(reasons)].join('; ')]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
  process.stdout.write(
    `\nTarget: ${target.name}\nRequirements: ${totals.requirements}, with a scenario: ${totals.covered}, applicable to this target: ${totals.applicable}\n` +
      `Scenarios: ${totals.scenarios}, applicable: ${totals.applicableScenarios}\n`,
  );
  return 0;
}

process.exitCode = main();
