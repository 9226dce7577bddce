import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, KeywordCxt, ValidateFunction } from 'ajv/dist/2020';
import { ROOT } from '../../bin/root';

/** Folder of the JSON Schemas: every `*.schema.json` in it is loaded by its `$id`. */
export const SCHEMA_DIR = path.join(ROOT, 'schemas');

/**
 * The validation code generated from the ajv instance at build time (bin/build.js → `writeStandalone`), so that no
 * suite process compiles schemas at run time (compiling all of them cost ~0.5 s and ~25 MB per process).
 */
export const STANDALONE_FILE = path.join(ROOT, 'dist', 'schemas', 'validators.js');

function schemaFiles(): string[] {
  return fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort();
}

/** A digest of every schema file's name and content: the generated code is used only for the schemas it came from. */
export function schemaDigest(): string {
  const h = createHash('sha256');
  for (const f of schemaFiles()) h.update(`${f}\0`).update(fs.readFileSync(path.join(SCHEMA_DIR, f))).update('\0');
  return h.digest('hex');
}

/**
 * The one strict ajv instance. The profile counts lengths in UTF-16 code units (PROFILE.md SM-6: 125 × U+1F600 is
 * 250 units) while JSON Schema's `maxLength` counts code points, so the schemas state limits with both `maxLength`
 * and the custom keyword `maxUtf16Length` defined here (a JavaScript string's `length`), as generated code so that
 * the standalone module carries it too. `source`: keep the generated code (for `writeStandalone`).
 */
function createAjv(source = false): Ajv2020 {
  // loaded only here: a suite process validating with the generated code never loads the compiler
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { default: Ajv, _, str } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    ...(source ? { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } } : {}),
  });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'maxUtf16Length',
    type: 'string',
    schemaType: 'number',
    code(cxt: KeywordCxt) {
      cxt.fail(_`${cxt.data}.length > ${cxt.schema as number}`);
    },
    error: {
      message: (cxt) => str`must have at most ${cxt.schemaCode} UTF-16 code units (has ${_`${cxt.data}.length`})`,
      params: (cxt) => _`{limit: ${cxt.schemaCode}}`,
    },
  });
  for (const file of schemaFiles()) {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as { $id?: string };
    if (!schema.$id) throw new Error(`schemas/${file} has no $id`);
    ajv.addSchema(schema);
  }
  return ajv;
}

let instance: Ajv2020 | undefined;

/** The shared ajv instance with every schema of `schemas/` added. */
export function schemas(): Ajv2020 {
  instance ??= createAjv();
  return instance;
}

/** The `$id` of every loaded schema. */
export function schemaIds(): string[] {
  return Object.keys(schemas().schemas).filter((id) => id.startsWith('urn:ucwa-conformance:'));
}

/**
 * Writes the standalone validation module of every schema, generated from the strict instance: one exported
 * validator per `$id`, and the digest of the schema files it was generated from. Run by bin/build.js.
 */
export function writeStandalone(file = STANDALONE_FILE): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: Ajv2020, refs: Record<string, string>) => string }).default;
  const ajv = createAjv(true);
  const ids = Object.keys(ajv.schemas).filter((id) => id.startsWith('urn:ucwa-conformance:'));
  const code = standaloneCode(ajv, Object.fromEntries(ids.map((id) => [id, id])));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.partial`, `${code}\nexports.__digest = ${JSON.stringify(schemaDigest())};\n`);
  fs.renameSync(`${file}.partial`, file);
}

let standalone: Record<string, ValidateFunction> | null | undefined;

/** The generated validators, when they exist and were generated from the schema files as they are now. */
function generated(): Record<string, ValidateFunction> | null {
  if (standalone !== undefined) return standalone;
  standalone = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(STANDALONE_FILE) as Record<string, ValidateFunction> & { __digest?: string };
    if (m.__digest === schemaDigest()) standalone = m;
  } catch {
    /* not built: compile at run time */
  }
  return standalone;
}

/** The validation function of the schema with `$id` id: the generated one, else compiled by the shared instance. */
export function validator(id: string): ValidateFunction | undefined {
  return generated()?.[id] ?? schemas().getSchema(id);
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath || '(root)';
  if (e.keyword === 'false schema') return `${where} must be absent`;
  const extra =
    e.keyword === 'additionalProperties'
      ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
      : e.keyword === 'enum'
        ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})`
        : e.keyword === 'const'
          ? ` (${JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue)})`
          : '';
  return `${where} ${e.message ?? e.keyword}${extra}`;
}

/** Validates `doc` against the schema with `$id` id; returns the problems found, [] when it is valid. */
export function validate(id: string, doc: unknown): string[] {
  const fn = validator(id);
  if (!fn) throw new Error(`no schema with $id ${id} in schemas/`);
  if (fn(doc)) return [];
  return (fn.errors ?? []).map(describeError);
}
