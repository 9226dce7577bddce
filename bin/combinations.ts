import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateMessages } from '@cucumber/gherkin';
import { IdGenerator, SourceMediaType, type GherkinDocument, type Pickle } from '@cucumber/messages';
import { meets, needsOf, transportReason, type Need } from '../steps/support/applicability';
import { combinationLabel, present, viaValue, type Present, type Wanted } from '../steps/support/pairs';
import type { Target } from '../steps/support/target';
import { featureFiles, FEATURES_DIR, ROOT } from './features';

/**
 * Per-combination runs (PROFILE.md §15.1, D37; TARGET.md §10). When the target has a TAA account, every scenario is
 * copied once per transport combination it runs in, before Cucumber loads the features:
 *  - a two-sided scenario (its steps, backgrounds included, name the callee) once per combination present among the
 *    pairs (`ucwa→ucwa`, `ucwa→taa`, `taa→ucwa`, `taa→taa`), tagged `@via:<caller>-<callee>`, its name suffixed
 *    ` [taa→ucwa]`;
 *  - a caller-only scenario once per caller transport present, tagged `@via:<caller>`, suffixed ` [taa]`;
 *  - only in the combinations its needs allow (`@via-needs:…`, and the UCWA-only families DISC, AUTH, APP,
 *    EV-1…EV-5, which need UCWA on the side they check);
 *  - a scenario no combination of the target allows is kept once, unsuffixed, with the needs that make the Before
 *    hook report it not applicable with its reason (TARGET.md §6).
 * The copies are whole feature files, one folder per combination, each line where it is in the source (scenarios of
 * other combinations commented out), so a copy's line is its source line and its uri maps back (sourceUri).
 * Without any TAA account nothing is copied: the run, its names and its reports are exactly as before.
 */

/** The folder name prefix of an expansion (sourceUri recognises it). */
export const EXPANSION_PREFIX = 'ucwa-conformance-features-';
const NOT_APPLICABLE_FOLDER = 'not-applicable';

/** Requirement families that only UCWA accounts have (PROFILE.md §15.1). */
export function ucwaOnly(id: string): boolean {
  return /^(DISC|AUTH|APP)-\d+$/.test(id) || /^EV-[1-5]$/.test(id);
}
/** Requirement families that only TAA accounts have (PROFILE.md §15.1). */
export function taaOnly(id: string): boolean {
  return /^(TDISC|TAUTH|TAPP|TSM|CB)-\d+$/.test(id);
}

/** How a scenario is copied. */
export interface Plan {
  uri: string;
  line: number;
  name: string;
  twoSided: boolean;
  needs: Need[];
  /** the combinations it runs in (empty: kept once, not applicable) */
  copies: Wanted[];
  /** why it runs nowhere, when `copies` is empty */
  notApplicable?: string;
}

/**
 * The needs of a scenario: its `@via-needs:` tags; without any, a scenario whose requirements all belong to the
 * UCWA-only families needs UCWA on its caller (caller-only) or on both sides (two-sided).
 */
export function scenarioNeeds(tags: readonly string[], twoSided: boolean): Need[] {
  const explicit = needsOf(tags);
  if (explicit.length) return explicit;
  const ids = tags.filter((t) => t.startsWith('@req:')).map((t) => t.slice(5));
  if (ids.length && ids.every(ucwaOnly)) return twoSided ? ['ucwa-caller', 'ucwa-callee'] : ['ucwa-caller'];
  return [];
}

/** Whether a scenario uses the callee: a step (background steps included) names it, or a need names a callee side. */
export function isTwoSided(stepTexts: readonly string[], tags: readonly string[]): boolean {
  return stepTexts.some((t) => /\bcallee\b/i.test(t)) || needsOf(tags).some((n) => n.endsWith('-callee') || n === 'ucwa-and-taa');
}

/** The combinations a scenario runs in against a target with these combinations. */
export function copiesFor(twoSided: boolean, needs: readonly Need[], p: Present): Wanted[] {
  const all: Wanted[] = twoSided ? p.combinations : p.callers.map((caller) => ({ caller }));
  return all.filter((c) => meets(c, needs));
}

interface Parsed {
  uri: string;
  file: string;
  lines: string[];
  doc: GherkinDocument;
  pickles: Pickle[];
}

function parse(file: string): Parsed {
  const text = fs.readFileSync(file, 'utf8');
  const uri = path.relative(ROOT, file);
  const envelopes = generateMessages(text, uri, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
    includeSource: false,
    includeGherkinDocument: true,
    includePickles: true,
    newId: IdGenerator.incrementing(),
  });
  let doc: GherkinDocument | undefined;
  const pickles: Pickle[] = [];
  for (const e of envelopes) {
    if (e.parseError) throw new Error(`${uri}: ${e.parseError.message}`);
    if (e.gherkinDocument) doc = e.gherkinDocument;
    if (e.pickle) pickles.push(e.pickle);
  }
  if (!doc) throw new Error(`${uri}: no Gherkin document`);
  return { uri, file, lines: text.split('\n'), doc, pickles };
}

interface Block {
  id: string;
  /** 1-based, inclusive */
  first: number;
  last: number;
  keywordLine: number;
  /** the line of its own last tag, if it has tags */
  tagLine?: number;
}

/** The scenarios of a document with the lines each occupies (tags to the line before the next block). */
function blocks(doc: GherkinDocument, lineCount: number): Block[] {
  const starts: { line: number; scenario?: { id: string; keywordLine: number; tagLine?: number } }[] = [];
  type Child = GherkinDocument['feature'] extends infer F ? (F extends { children: readonly (infer C)[] } ? C : never) : never;
  const walk = (children: readonly Child[]) => {
    for (const c of children) {
      if (c.scenario) {
        const tagLines = c.scenario.tags.map((t) => t.location.line);
        starts.push({
          line: Math.min(c.scenario.location.line, ...tagLines),
          scenario: { id: c.scenario.id, keywordLine: c.scenario.location.line, ...(tagLines.length ? { tagLine: Math.max(...tagLines) } : {}) },
        });
      } else if (c.background) starts.push({ line: c.background.location.line });
      else if (c.rule) {
        starts.push({ line: Math.min(c.rule.location.line, ...c.rule.tags.map((t) => t.location.line)) });
        walk(c.rule.children as readonly Child[]);
      }
    }
  };
  walk((doc.feature?.children ?? []) as readonly Child[]);
  starts.sort((a, b) => a.line - b.line);
  const out: Block[] = [];
  starts.forEach((s, i) => {
    if (!s.scenario) return;
    const next = starts[i + 1]?.line ?? lineCount + 1;
    out.push({ id: s.scenario.id, first: s.line, last: next - 1, keywordLine: s.scenario.keywordLine, ...(s.scenario.tagLine !== undefined ? { tagLine: s.scenario.tagLine } : {}) });
  });
  return out;
}

/** The plan of every scenario of `files` against the target's combinations. */
export function plan(files: readonly string[], p: Present): { parsed: Parsed; blocks: Block[]; plans: Map<string, Plan> }[] {
  return files.map((file) => {
    const parsed = parse(file);
    const bs = blocks(parsed.doc, parsed.lines.length);
    const plans = new Map<string, Plan>();
    for (const b of bs) {
      const mine = parsed.pickles.filter((pk) => pk.astNodeIds[0] === b.id);
      if (!mine.length) continue;
      const tags = [...new Set(mine.flatMap((pk) => pk.tags.map((t) => t.name)))];
      const twoSided = isTwoSided(
        mine.flatMap((pk) => pk.steps.map((s) => s.text)),
        tags,
      );
      const needs = scenarioNeeds(tags, twoSided);
      const copies = copiesFor(twoSided, needs, p);
      const reason = copies.length ? undefined : (transportReason(needs, p, twoSided) ?? 'no pair of the target description serves it');
      plans.set(b.id, { uri: parsed.uri, line: b.keywordLine, name: mine[0]!.name, twoSided, needs, copies, ...(reason ? { notApplicable: reason } : {}) });
    }
    return { parsed, blocks: bs, plans };
  });
}

/** The result of an expansion: the feature files Cucumber loads instead of features/. */
export interface Expansion {
  dir: string;
  paths: string[];
  /** folder → the combination its copies run in */
  folders: Record<string, string>;
  /** how many copies of scenarios were made, and how many kept only to be reported not applicable */
  copies: number;
  notApplicable: number;
  remove(): void;
}

function append(line: string, text: string): string {
  const trimmed = line.replace(/\s+$/, '');
  return `${trimmed} ${text}`;
}

/**
 * Writes the per-combination copies of `files` (default: every feature file) into a new temporary folder outside
 * the tree; undefined (nothing written) when the target has no TAA account.
 */
export function expandFeatures(target: Target, o: { files?: readonly string[]; tmpDir?: string } = {}): Expansion | undefined {
  const p = present(target);
  if (!p.anyTaa) return undefined;
  const files = o.files ?? featureFiles(FEATURES_DIR);
  const planned = plan(files, p);
  const dir = fs.mkdtempSync(path.join(o.tmpDir ?? os.tmpdir(), EXPANSION_PREFIX));
  const paths: string[] = [];
  const folders: Record<string, string> = {};
  let copies = 0;
  let notApplicable = 0;
  const groups: { folder: string; wanted?: Wanted }[] = [
    ...p.combinations.map((c) => ({ folder: viaValue(c), wanted: c as Wanted })),
    ...p.callers.map((caller) => ({ folder: caller, wanted: { caller } as Wanted })),
    { folder: NOT_APPLICABLE_FOLDER },
  ];
  for (const { parsed, blocks: bs, plans } of planned) {
    const featureTagLine = Math.max(0, ...(parsed.doc.feature?.tags ?? []).map((t) => t.location.line));
    for (const g of groups) {
      const lines = [...parsed.lines];
      let kept = 0;
      for (const b of bs) {
        const pl = plans.get(b.id);
        const here =
          pl &&
          (g.wanted
            ? pl.copies.some((c) => c.caller === g.wanted!.caller && c.callee === g.wanted!.callee)
            : pl.copies.length === 0);
        if (!pl || !here) {
          for (let l = b.first; l <= b.last; l++) if (lines[l - 1]!.trim()) lines[l - 1] = `#${lines[l - 1]}`;
          continue;
        }
        kept++;
        if (g.wanted) {
          lines[b.keywordLine - 1] = append(lines[b.keywordLine - 1]!, `[${combinationLabel(g.wanted)}]`);
        } else {
          const tags = [...pl.needs.map((n) => `@via-needs:${n}`), ...(pl.twoSided ? [] : ['@via-caller-only'])].join(' ');
          const at = b.tagLine ?? featureTagLine;
          if (!at) throw new Error(`${parsed.uri}:${b.keywordLine}: a scenario without tags (give it its @req: tag)`);
          if (tags) lines[at - 1] = append(lines[at - 1]!, tags);
        }
      }
      if (!kept) continue;
      if (g.wanted) {
        if (!featureTagLine) throw new Error(`${parsed.uri}: the feature has no tags (give it its @area: tag)`);
        lines[featureTagLine - 1] = append(lines[featureTagLine - 1]!, `@via:${g.folder}`);
        folders[g.folder] = combinationLabel(g.wanted);
        copies += kept;
      } else notApplicable += kept;
      // a file outside the tree (tests) goes to outside/<name>: nothing is ever written outside `dir`
      const out = path.join(dir, g.folder, parsed.uri.startsWith('..') || path.isAbsolute(parsed.uri) ? path.join('outside', path.basename(parsed.uri)) : parsed.uri);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, lines.join('\n'));
      paths.push(out);
    }
  }
  return { dir, paths, folders, copies, notApplicable, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The source feature file of a uri: a copy's uri (`…/ucwa-conformance-features-XXXX/taa-ucwa/features/x.feature`,
 * relative or absolute) becomes `features/x.feature`; any other uri is returned as it is. Lines are the same.
 */
export function sourceUri(uri: string): string {
  const m = new RegExp(`(?:^|[\\\\/])${EXPANSION_PREFIX}[^\\\\/]+[\\\\/][^\\\\/]+[\\\\/](.*)$`).exec(uri);
  return m ? m[1]!.replace(/\\/g, '/') : uri;
}
