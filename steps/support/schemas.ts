import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ROOT } from '../../bin/root';

/** Folder of the JSON Schemas: every `*.schema.json` in it is loaded by its `$id`. */
export const SCHEMA_DIR = path.join(ROOT, 'schemas');

/**
 * The one strict ajv instance. The profile counts lengths in UTF-16 code units (PROFILE.md SM-6: 125 × U+1F600 is
 * 250 units) while JSON Schema's `maxLength` counts code points, so the schemas state limits with both `maxLength`
 * and the custom keyword `maxUtf16Length` defined here (a JavaScript string's `length`).
 */
function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'maxUtf16Length',
    type: 'string',
    schemaType: 'number',
    errors: true,
    validate: function maxUtf16Length(limit: number, data: string) {
      if (data.length <= limit) return true;
      (maxUtf16Length as unknown as { errors: unknown[] }).errors = [
        { keyword: 'maxUtf16Length', message: `must have at most ${limit} UTF-16 code units (has ${data.length})`, params: { limit } },
      ];
      return false;
    },
  });
  for (const file of fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort()) {
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
  const fn = schemas().getSchema(id);
  if (!fn) throw new Error(`no schema with $id ${id} in schemas/`);
  if (fn(doc)) return [];
  return (fn.errors ?? []).map(describeError);
}
