import * as fs from 'node:fs';
import type { ErrorObject } from 'ajv';
import { validator } from './schemas';
import type { RelPrefix } from './dialect';
import { originProblems, TrustedOrigins } from './origins';

/** `$id` of the target description schema (TARGET.md §7). */
export const TARGET_SCHEMA_ID = 'urn:ucwa-conformance:target-description:1';

/** An account with its secrets resolved (TARGET.md §3). */
export interface Account {
  uri: string;
  username?: string;
  password?: string;
  token?: string;
}

export type Capability = 'addMessaging' | 'acceptAndBridge' | 'startAdhocMeeting' | 'customContent';
export const CAPABILITIES: readonly Capability[] = ['addMessaging', 'acceptAndBridge', 'startAdhocMeeting', 'customContent'];

export type ErrorFixture = 'invalidExchangeServerVersion' | 'tooManyGroups' | 'cannotRedirect';
export const ERROR_FIXTURES: readonly ErrorFixture[] = ['invalidExchangeServerVersion', 'tooManyGroups', 'cannotRedirect'];

export interface Pair {
  caller: Account;
  callee: Account;
}

/** A validated target description with defaults applied and secrets read from the environment. */
export interface Target {
  name: string;
  discoveryUrl: string;
  relPrefix: RelPrefix;
  users: { caller: Account; callee: Account; unavailable?: { uri: string }; pairs: Pair[] };
  timing: { noAnswerTimeoutSeconds: number; early: number; late: number };
  capabilities: Record<Capability, boolean>;
  fixtures: Partial<Record<ErrorFixture, Account>> & { onlineMeetingUri?: string };
  unsupportedContentTypeStatus: 410 | 415;
  /** where credentials may go (TARGET.md §11): the origin of discoveryUrl and the `trustedOrigins` entries */
  trusted: TrustedOrigins;
  /** Every secret value (passwords, tokens) of the description, for redaction. */
  secrets: string[];
}

/** A target description that cannot be used; `problems` names each offending member. */
export class TargetDescriptionError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid target description (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TargetDescriptionError';
  }
}

function memberName(instancePath: string): string {
  if (!instancePath) return '(top level)';
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

function join(path: string, member: string): string {
  return path === '(top level)' ? member : `${path}.${member}`;
}

/** One readable sentence per ajv error, named by member; branch errors of a `oneOf` are folded into it. */
function describeProblems(errors: ErrorObject[]): string[] {
  const out: string[] = [];
  for (const e of errors) {
    if (e.schemaPath.includes('/oneOf/')) continue;
    const where = memberName(e.instancePath);
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties':
        out.push(`${join(where, String(p.additionalProperty))}: unknown member (a misspelling? notes go in members named "x-…")`);
        break;
      case 'required':
        out.push(`${join(where, String(p.missingProperty))}: required member is missing`);
        break;
      case 'dependentRequired':
        out.push(`${join(where, String(p.missingProperty))}: required when ${join(where, String(p.property))} is given`);
        break;
      case 'oneOf':
        if (e.schemaPath.includes('secret'))
          out.push(`${where}: must be a non-empty string or {"env": "VARIABLE_NAME"}`);
        else if (e.schemaPath.includes('toleranceSeconds'))
          out.push(`${where}: must be a number ≥ 0 or an object {"early": number ≥ 0, "late": number ≥ 0}`);
        else out.push(`${where}: give either "username" with "password", or "token" (exactly one of the two)`);
        break;
      case 'pattern':
        if (e.schemaPath.includes('sipUri')) out.push(`${where}: must be a SIP URI such as "sip:alice@example.com"`);
        else if (e.instancePath === '/discoveryUrl') out.push(`${where}: must be an absolute http: or https: URL`);
        else if (e.instancePath.startsWith('/trustedOrigins/'))
          out.push(`${where}: must be an origin such as "https://lyncweb.contoso.example" or "https://*.contoso.example" (scheme, host, optional port; no path)`);
        else out.push(`${where}: ${e.message ?? 'does not match'}`);
        break;
      case 'uniqueItems':
        out.push(`${where}: lists the same entry twice ([${String(p.i)}] and [${String(p.j)}])`);
        break;
      case 'enum':
        out.push(`${where}: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      default:
        out.push(`${where}: ${e.message ?? e.keyword}`);
    }
  }
  return [...new Set(out)];
}

type RawSecret = string | { env: string };
interface RawAccount {
  uri: string;
  username?: string;
  password?: RawSecret;
  token?: RawSecret;
}
interface RawDescription {
  name?: string;
  discoveryUrl: string;
  relPrefix?: RelPrefix;
  users: { caller: RawAccount; callee: RawAccount; unavailable?: RawAccount; pairs?: { caller: RawAccount; callee: RawAccount }[] };
  timing?: { noAnswerTimeoutSeconds?: number; toleranceSeconds?: number | { early: number; late: number } };
  capabilities?: Partial<Record<Capability, boolean>>;
  fixtures?: Partial<Record<ErrorFixture, RawAccount>> & { onlineMeetingUri?: string };
  unsupportedContentTypeStatus?: 410 | 415;
  trustedOrigins?: string[];
}

/**
 * Validates a parsed target description (TARGET.md §7 and the checks after it) and returns the Target with
 * defaults applied and `{"env": NAME}` secrets read from `env`. Throws TargetDescriptionError listing every problem.
 */
export function parseTargetDescription(json: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Target {
  const validateFn = validator(TARGET_SCHEMA_ID);
  if (!validateFn) throw new Error(`schema ${TARGET_SCHEMA_ID} missing`);
  if (!validateFn(json)) throw new TargetDescriptionError(source, describeProblems(validateFn.errors ?? []));
  const raw = json as RawDescription;
  const problems: string[] = [];
  const secrets: string[] = [];

  const secret = (value: RawSecret, where: string): string | undefined => {
    if (typeof value === 'string') {
      secrets.push(value);
      return value;
    }
    const v = env[value.env];
    if (v === undefined || v === '') {
      problems.push(`${where}: environment variable ${value.env} is ${v === undefined ? 'not set' : 'empty'}`);
      return undefined;
    }
    secrets.push(v);
    return v;
  };
  const account = (a: RawAccount, where: string): Account => {
    const out: Account = { uri: a.uri };
    if (a.username !== undefined) out.username = a.username;
    if (a.password !== undefined) out.password = secret(a.password, `${where}.password`);
    if (a.token !== undefined) out.token = secret(a.token, `${where}.token`);
    return out;
  };

  const uris: [string, string][] = [];
  const seen = (uri: string, where: string) => uris.push([uri.toLowerCase(), where]);
  const caller = account(raw.users.caller, 'users.caller');
  const callee = account(raw.users.callee, 'users.callee');
  seen(caller.uri, 'users.caller.uri');
  seen(callee.uri, 'users.callee.uri');
  const pairs = (raw.users.pairs ?? []).map((p, i) => {
    seen(p.caller.uri, `users.pairs[${i}].caller.uri`);
    seen(p.callee.uri, `users.pairs[${i}].callee.uri`);
    return { caller: account(p.caller, `users.pairs[${i}].caller`), callee: account(p.callee, `users.pairs[${i}].callee`) };
  });
  const unavailable = raw.users.unavailable ? { uri: raw.users.unavailable.uri } : undefined;
  if (unavailable) seen(unavailable.uri, 'users.unavailable.uri');
  const fixtures: Target['fixtures'] = {};
  for (const f of ERROR_FIXTURES) {
    const a = raw.fixtures?.[f];
    if (!a) continue;
    seen(a.uri, `fixtures.${f}.uri`);
    fixtures[f] = account(a, `fixtures.${f}`);
  }
  if (raw.fixtures?.onlineMeetingUri !== undefined) fixtures.onlineMeetingUri = raw.fixtures.onlineMeetingUri;

  const first = new Map<string, string>();
  for (const [uri, where] of uris) {
    const earlier = first.get(uri);
    if (earlier) problems.push(`${where}: same uri as ${earlier} (account uris must be pairwise different, case-insensitive)`);
    else first.set(uri, where);
  }
  // The schema checks the shape; the URL standard decides whether host and port make an origin (e.g. port 99999).
  problems.push(...originProblems(raw.trustedOrigins ?? [], 'trustedOrigins'));
  if (problems.length) throw new TargetDescriptionError(source, problems);

  const tol = raw.timing?.toleranceSeconds;
  const capabilities = Object.fromEntries(CAPABILITIES.map((c) => [c, raw.capabilities?.[c] === true])) as Record<Capability, boolean>;
  return {
    name: raw.name ?? new URL(raw.discoveryUrl).host,
    discoveryUrl: raw.discoveryUrl,
    relPrefix: raw.relPrefix ?? 'ms:rtc:saas:',
    users: { caller, callee, ...(unavailable ? { unavailable } : {}), pairs },
    timing: {
      noAnswerTimeoutSeconds: raw.timing?.noAnswerTimeoutSeconds ?? 30,
      early: tol === undefined ? 5 : typeof tol === 'number' ? tol : tol.early,
      late: tol === undefined ? 10 : typeof tol === 'number' ? tol : tol.late,
    },
    capabilities,
    fixtures,
    unsupportedContentTypeStatus: raw.unsupportedContentTypeStatus ?? 410,
    trusted: new TrustedOrigins([raw.discoveryUrl], raw.trustedOrigins ?? []),
    secrets: [...new Set(secrets)],
  };
}

/** Parses JSON text of a target description; a syntax error is reported with its position. */
export function parseTargetText(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Target {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new TargetDescriptionError(source, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  return parseTargetDescription(json, source, env);
}

/** Reads and validates the target description file at `file`. */
export function loadTargetFile(file: string, env: NodeJS.ProcessEnv = process.env): Target {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TargetDescriptionError(file, [`(file): cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  return parseTargetText(text, file, env);
}
