import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { SCHEMA_DIR, schemaDigest, schemaIds, schemas, STANDALONE_FILE, writeStandalone } from '../steps/support/schemas';

const EXAMPLES_DIR = path.join(SCHEMA_DIR, 'examples');

function generatedValidators(): Record<string, ValidateFunction> & { __digest: string } {
  // beside the built one, where its requires of ajv's runtime resolve
  const file = path.join(path.dirname(STANDALONE_FILE), `test-${process.pid}.js`);
  writeStandalone(file);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Record<string, ValidateFunction> & { __digest: string };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

test('the generated standalone validators give every example the verdict and errors of the strict ajv instance', () => {
  const generated = generatedValidators();
  assert.equal(generated.__digest, schemaDigest());
  let compared = 0;
  for (const dir of fs.readdirSync(EXAMPLES_DIR)) {
    // the examples folder is named after the schema; its $id carries the schema's version (target-description:2)
    const id = schemaIds().find((x) => x.startsWith(`urn:ucwa-conformance:${dir}:`)) ?? `urn:ucwa-conformance:${dir}:1`;
    const runtime = schemas().getSchema(id);
    const standalone = generated[id];
    assert.ok(runtime && standalone, `a validator for ${id}`);
    for (const f of fs.readdirSync(path.join(EXAMPLES_DIR, dir)).filter((x) => x.endsWith('.json'))) {
      const doc = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, dir, f), 'utf8')) as unknown;
      const a: boolean = Boolean(runtime(doc));
      const b: boolean = Boolean(standalone(doc));
      assert.equal(b, a, `${dir}/${f}`);
      assert.deepEqual(standalone.errors ?? null, runtime.errors ?? null, `${dir}/${f}: the same errors`);
      compared++;
    }
  }
  assert.ok(compared > 50, `${compared} examples compared`);
  for (const id of schemaIds()) assert.equal(typeof generated[id], 'function', `${id} exported`);
});

test('maxUtf16Length counts UTF-16 code units in the generated code: 51 emoji are 102 units', () => {
  const application = generatedValidators()['urn:ucwa-conformance:application:1'];
  assert.ok(application);
  const doc = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'application', 'invalid-culture-51-emoji.json'), 'utf8')) as unknown;
  assert.equal(application(doc), false);
  assert.deepEqual(
    application.errors?.map((e) => [e.instancePath, e.keyword, e.message]),
    [['/culture', 'maxUtf16Length', 'must have at most 100 UTF-16 code units (has 102)']],
  );
});
