import * as fs from 'node:fs';
import { validate } from '../steps/support/schemas';
import { ConfigurationError } from './errors';

/** One entry of the deviation ledger: a requirement the target is known to fail. */
export interface Deviation {
  requirement: string;
  reason: string;
  link?: string;
  /** ISO date (YYYY-MM-DD) after which the entry fails the gate */
  until?: string;
}

export const DEVIATIONS_SCHEMA = 'urn:ucwa-conformance:deviations:1';

/** Reads and validates a deviation ledger; throws an Error listing every problem. */
export function loadDeviations(file: string, knownIds: ReadonlySet<string>): Map<string, Deviation> {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigurationError(`deviation ledger ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const problems = validate(DEVIATIONS_SCHEMA, doc);
  const entries = problems.length ? [] : ((doc as { deviations: Deviation[] }).deviations ?? []);
  const out = new Map<string, Deviation>();
  entries.forEach((d, i) => {
    if (!knownIds.has(d.requirement)) problems.push(`deviations[${i}].requirement: ${d.requirement} is not a requirement of the profile`);
    else if (out.has(d.requirement)) problems.push(`deviations[${i}].requirement: ${d.requirement} is listed twice`);
    else out.set(d.requirement, d);
  });
  if (problems.length) throw new ConfigurationError(`deviation ledger ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return out;
}
