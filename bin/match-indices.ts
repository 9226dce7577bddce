/**
 * Native RegExp match indices for Cucumber's step matching.
 *
 * Cucumber Expressions (pinned by @cucumber/cucumber 12) find where each parameter of a step matched through the
 * `regexp-match-indices` polyfill. On every successful match the polyfill rebuilds a "measurement" RegExp from the
 * expression's regexp-tree AST: CPU profiles of a quick run showed it as most of the coordinator's test case
 * assembly (~0.5 s: every step of every scenario copy is matched once there) and ~0.25 s of the worker's steps.
 * Node 20 has the `d` flag (RegExp match indices, ES2022), which yields the same `indices` natively, and the
 * polyfill's own feature test never selects it (it tests a RegExp without the flag).
 *
 * `useNativeMatchIndices()` puts a module in the polyfill's place in Node's module cache, before
 * cucumber-expressions is first loaded, that runs a `d`-flagged twin of each RegExp it is given. It must run
 * before anything loads @cucumber/cucumber: the entry points of the command line and of the worker processes call
 * it first. test/match-indices.test.ts checks that it gives the polyfill's results for every step of the features.
 */
import Module from 'node:module';
import * as path from 'node:path';

const twins = new WeakMap<RegExp, RegExp>();

/** `regexp.exec(text)` with `indices`, as the polyfill's default export computes it. */
export function execWithIndices(regexp: RegExp, text: string): RegExpExecArray | null {
  let twin = twins.get(regexp);
  if (!twin) {
    twin = regexp.hasIndices ? regexp : new RegExp(regexp.source, `${regexp.flags}d`);
    twins.set(regexp, twin);
  }
  twin.lastIndex = regexp.lastIndex;
  const match = twin.exec(text);
  if (twin !== regexp && (regexp.global || regexp.sticky)) regexp.lastIndex = twin.lastIndex;
  return match;
}

/** The cucumber-expressions that Cucumber loads (its index file). */
function expressionsPath(): string {
  const cucumber = path.dirname(require.resolve('@cucumber/cucumber'));
  return require.resolve('@cucumber/cucumber-expressions', { paths: [cucumber] });
}

/** Where cucumber-expressions loads the polyfill from. */
export function polyfillPath(): string {
  return require.resolve('regexp-match-indices', { paths: [path.dirname(expressionsPath())] });
}

/**
 * Installs execWithIndices in the polyfill's place, and makes the expressions remember their matches. Returns false
 * when the polyfill was already loaded (then Cucumber keeps it: slower, same results).
 */
export function useNativeMatchIndices(): boolean {
  const file = polyfillPath();
  const native = !require.cache[file] || require.cache[file]?.exports === execWithIndices;
  if (!require.cache[file]) {
    const m = new Module(file);
    m.filename = file;
    m.loaded = true;
    m.exports = execWithIndices;
    require.cache[file] = m;
  }
  rememberStepMatches();
  return native;
}

interface TreeRegexpLike {
  match(text: string): object | null;
}

/**
 * Makes each step definition's expression remember the texts it matched. A worker runs the same step text in many
 * scenarios (the per-combination copies of the features, Scenario Outline rows), and Cucumber matches it again for
 * every run of a step to get its arguments (~80 ms of a quick run's worker CPU). The remembered match is
 * cucumber-expressions' Group tree, which nothing changes: each run still converts its own arguments from it
 * (parameter types' transformers run every time). Only successful matches are kept (the coordinator tries every
 * definition on every text: matchEachStepTextOnce keeps those answers), so the memory is a few thousand groups.
 */
function rememberStepMatches(): void {
  const file = path.join(path.dirname(expressionsPath()), 'TreeRegexp.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = (require(file) as { default: { prototype: TreeRegexpLike & { remembersMatches?: true } } }).default.prototype;
  if (proto.remembersMatches) return;
  const original = proto.match;
  const memo = new WeakMap<TreeRegexpLike, Map<string, object>>();
  proto.match = function (this: TreeRegexpLike, text: string): object | null {
    const known = memo.get(this)?.get(text);
    if (known) return known;
    const group = original.call(this, text);
    if (group) {
      let m = memo.get(this);
      if (!m) memo.set(this, (m = new Map()));
      m.set(text, group);
    }
    return group;
  };
  proto.remembersMatches = true;
}

/** What matchEachStepTextOnce needs of Cucumber's step definitions. */
interface Matchable {
  matchesStepName(text: string): boolean;
}

/**
 * Makes `definitions` (the coordinator's, before it assembles the test cases) match each step text once. Cucumber
 * tries every definition on every step of every test case; with the per-combination copies of the features
 * (bin/combinations.ts) most step texts recur four times, and the assembly of a quick run spent ~0.25 s in
 * regular expressions that had already answered. The first question about a text asks every definition; later
 * ones are answered from the definitions that matched it (a few thousand texts: little memory).
 */
export function matchEachStepTextOnce(definitions: readonly Matchable[]): void {
  const asked = new Set<string>();
  const matched = new Map<Matchable, Set<string>>();
  const originals = definitions.map((d) => d.matchesStepName.bind(d));
  for (const d of definitions)
    d.matchesStepName = (text: string): boolean => {
      if (!asked.has(text)) {
        asked.add(text);
        definitions.forEach((e, i) => {
          if (originals[i]!(text)) matched.set(e, (matched.get(e) ?? new Set()).add(text));
        });
      }
      return matched.get(d)?.has(text) ?? false;
    };
}
