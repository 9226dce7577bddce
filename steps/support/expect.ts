import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../bin/root';
import { formatExchange, redact, type Exchange } from './exchange';

interface CatalogueEntry {
  id: string;
  level: string;
  title: string;
}

const CATALOGUE_FILE = path.join(ROOT, 'features', 'requirements.json');

let catalogue: Map<string, CatalogueEntry> | undefined;

/** The requirement catalogue (features/requirements.json) by ID. */
export function requirements(): Map<string, CatalogueEntry> {
  if (!catalogue) {
    const list = fs.existsSync(CATALOGUE_FILE)
      ? (JSON.parse(fs.readFileSync(CATALOGUE_FILE, 'utf8')) as { requirements: CatalogueEntry[] }).requirements
      : [];
    catalogue = new Map(list.map((r) => [r.id, r]));
  }
  return catalogue;
}

/** "SM-1 MUST" style label of a requirement, with its title when known. */
export function describeRequirement(id: string): string {
  const r = requirements().get(id);
  return r ? `${id} ${r.level} — ${r.title}` : id;
}

/** A check of a requirement did not hold. The message gives requirement, expected, actual and the exchanges. */
export class RequirementFailure extends Error {
  constructor(
    readonly requirement: string,
    readonly expected: string,
    readonly actual: string,
    readonly exchanges: readonly Exchange[],
    secrets: readonly string[],
  ) {
    super(
      redact(
        [
          `[${describeRequirement(requirement)}]`,
          `  expected: ${expected}`,
          `  actual:   ${actual}`,
          ...(exchanges.length ? ['  exchange:', ...exchanges.map((x) => formatExchange(x, secrets).replace(/^/gm, '    '))] : []),
        ].join('\n'),
        secrets,
      ),
    );
    this.name = 'RequirementFailure';
  }
}

/** Compact rendering of an actual value for a failure message. */
export function show(v: unknown, budget = 400): string {
  if (v === undefined) return 'absent';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > budget ? `${s.slice(0, budget)}… (${s.length - budget} more characters)` : s;
}
