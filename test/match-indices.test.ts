import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { execWithIndices, polyfillPath } from '../bin/match-indices';
import * as fs from 'node:fs';
import { generateMessages } from '@cucumber/gherkin';
import { IdGenerator, SourceMediaType } from '@cucumber/messages';
import { featureFiles, FEATURES_DIR, ROOT } from '../bin/features';

/** The step definitions' regular expressions (the compiled support code) and every step text of the features. */
async function loadCatalogueSteps(): Promise<{ expressions: RegExp[]; texts: string[] }> {
  const { loadConfiguration, loadSupport } = await import('@cucumber/cucumber/api');
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js' }, { cwd: ROOT });
  const library = await loadSupport(runConfiguration, { cwd: ROOT });
  const expressions = (library as unknown as { stepDefinitions: { expression: { regexp: RegExp } }[] }).stepDefinitions.map((d) => d.expression.regexp);
  const texts = new Set<string>();
  for (const file of featureFiles(FEATURES_DIR))
    for (const e of generateMessages(fs.readFileSync(file, 'utf8'), file, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, { includeSource: false, includeGherkinDocument: false, includePickles: true, newId: IdGenerator.incrementing() }))
      for (const s of e.pickle?.steps ?? []) texts.add(s.text);
  return { expressions, texts: [...texts] };
}

// the polyfill's own function, as cucumber-expressions calls it when the suite does not replace it
// eslint-disable-next-line @typescript-eslint/no-require-imports
const polyfill = require(path.join(path.dirname(polyfillPath()), 'implementation.js')) as (this: RegExp, s: string) => RegExpExecArray | null;

test("native match indices give the polyfill's result for every step of the features against every step definition", async () => {
  const { expressions, texts } = await loadCatalogueSteps();
  assert.ok(expressions.length > 100 && texts.length > 300, `${expressions.length} step definitions, ${texts.length} step texts`);
  let matches = 0;
  let polyfillWrong = 0;
  for (const re of expressions)
    for (const text of texts) {
      const want = polyfill.call(re, text);
      const got = execWithIndices(re, text);
      if (!want) {
        assert.equal(got, null, `${re} on ${JSON.stringify(text)}`);
        continue;
      }
      matches++;
      assert.ok(got, `${re} on ${JSON.stringify(text)}`);
      assert.deepEqual([...got], [...want], `groups of ${re} on ${JSON.stringify(text)}`);
      // every group's indices delimit its value; the polyfill's agree wherever they do too (for a repeated group,
      // `(\\.[^"\\]*)*` in {string}, it points at the wrong iteration: the native ones are the standard's)
      got.indices?.forEach((span, i) => {
        const theirs = want.indices?.[i];
        assert.equal(span === undefined ? undefined : text.slice(span[0], span[1]), got[i], `group ${i} of ${re} on ${JSON.stringify(text)}`);
        if (theirs && text.slice(theirs[0], theirs[1]) === want[i]) assert.deepEqual(span, theirs, `indices of group ${i} of ${re} on ${JSON.stringify(text)}`);
        else if (theirs) polyfillWrong++;
      });
    }
  assert.ok(polyfillWrong < matches, `the polyfill's indices were off for ${polyfillWrong} groups`);
  assert.ok(matches >= texts.length, `every step text matched a definition (${matches} matches)`);
});

test('a global or sticky RegExp keeps its lastIndex as exec gives it', () => {
  const g = /a(b)?/g;
  const first = execWithIndices(g, 'xab ab');
  assert.deepEqual(first?.indices?.[1], [2, 3]);
  assert.equal(g.lastIndex, 3);
  const second = execWithIndices(g, 'xab ab');
  assert.deepEqual(second?.indices?.[0], [4, 6]);
  assert.equal(g.lastIndex, 6);
});

test('matching each step text once answers as every definition would, asking each definition once per text', async () => {
  const { matchEachStepTextOnce } = await import('../bin/match-indices');
  const asked: string[] = [];
  const definition = (re: RegExp) => ({ matchesStepName: (t: string) => (asked.push(`${re.source}:${t}`), re.test(t)) });
  const defs = [definition(/^a/), definition(/b$/), definition(/^x$/)];
  matchEachStepTextOnce(defs);
  const answers = () => ['ab', 'ab', 'x', 'cb', 'ab'].map((t) => defs.map((d) => d.matchesStepName(t)));
  assert.deepEqual(answers(), [[true, true, false], [true, true, false], [false, false, true], [false, true, false], [true, true, false]]);
  assert.equal(asked.length, 9, 'three texts, three definitions, each asked once');
});

test("a step definition's expression gives a repeated text the same arguments, converted afresh each time", async () => {
  const { useNativeMatchIndices } = await import('../bin/match-indices');
  useNativeMatchIndices();
  const cucumber = path.dirname(require.resolve('@cucumber/cucumber'));
  // the cucumber-expressions that Cucumber itself loads, whose matching the suite's entry points make remember
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ce = require(require.resolve('@cucumber/cucumber-expressions', { paths: [cucumber] })) as typeof import('@cucumber/cucumber-expressions');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tree = require(path.join(path.dirname(require.resolve('@cucumber/cucumber-expressions', { paths: [cucumber] })), 'TreeRegexp.js')) as { default: { prototype: { remembersMatches?: boolean } } };
  assert.equal(tree.default.prototype.remembersMatches, true, 'the expressions remember their matches');
  const registry = new ce.ParameterTypeRegistry();
  let conversions = 0;
  registry.defineParameterType(new ce.ParameterType('role', /caller|callee/, Object, (s: string) => ({ role: s, n: ++conversions })));
  const expression = new ce.CucumberExpression('the {role} sends {int} messages with subject {string}', registry);
  const values = (text: string) => expression.match(text)?.map((a) => a.getValue(null));
  const first = values('the caller sends 3 messages with subject "a b"');
  const again = values('the caller sends 3 messages with subject "a b"');
  assert.deepEqual(first, [{ role: 'caller', n: 1 }, 3, 'a b']);
  assert.deepEqual(again, [{ role: 'caller', n: 2 }, 3, 'a b'], 'the transformer ran again: a fresh object for this run');
  assert.notEqual(first?.[0], again?.[0]);
  assert.deepEqual(values('the callee sends 12 messages with subject ""'), [{ role: 'callee', n: 3 }, 12, '']);
  assert.equal(expression.match('the callee sends many messages'), null);
  assert.equal(expression.match('the callee sends many messages'), null, 'a text that did not match still does not');
});
