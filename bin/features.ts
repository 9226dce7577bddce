import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateMessages } from '@cucumber/gherkin';
import { IdGenerator, SourceMediaType } from '@cucumber/messages';

import { ROOT } from './root';

export { ROOT };
export const FEATURES_DIR = path.join(ROOT, 'features');

/** One scenario (or example row) of the feature files, with every tag it inherits. */
export interface ScenarioInfo {
  uri: string;
  name: string;
  tags: string[];
  requirements: string[];
}

export interface CatalogueEntry {
  id: string;
  level: 'MUST' | 'SHOULD' | 'MAY';
  area: string;
  section: string;
  title: string;
  cases?: string[];
  enabledBy: string | null;
  caseEnabledBy?: Record<string, string>;
  longRunning?: true;
  /** Why no scenario checks the requirement yet (reported as its not-run reason). */
  pending?: string;
}

/** The requirement catalogue, features/requirements.json, in profile order. */
export function loadCatalogue(): CatalogueEntry[] {
  return (JSON.parse(fs.readFileSync(path.join(FEATURES_DIR, 'requirements.json'), 'utf8')) as { requirements: CatalogueEntry[] }).requirements;
}

/** The feature files under `dir`, sorted. */
export function featureFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? featureFiles(path.join(dir, d.name)) : d.name.endsWith('.feature') ? [path.join(dir, d.name)] : []))
    .sort();
}

/**
 * Every scenario of features/ (or of `files`, e.g. the per-combination copies of bin/combinations.ts) as Cucumber
 * compiles it (pickles: one per example row). Throws on a parse error.
 */
export function loadScenarios(files: readonly string[] = featureFiles(FEATURES_DIR)): ScenarioInfo[] {
  const out: ScenarioInfo[] = [];
  for (const file of files) {
    const uri = path.relative(ROOT, file);
    const envelopes = generateMessages(fs.readFileSync(file, 'utf8'), uri, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
      includeSource: false,
      includeGherkinDocument: false,
      includePickles: true,
      newId: IdGenerator.incrementing(),
    });
    for (const e of envelopes) {
      if (e.parseError) throw new Error(`${uri}: ${e.parseError.message}`);
      if (!e.pickle) continue;
      const tags = e.pickle.tags.map((t) => t.name);
      out.push({ uri, name: e.pickle.name, tags, requirements: tags.filter((t) => t.startsWith('@req:')).map((t) => t.slice(5)) });
    }
  }
  return out;
}
