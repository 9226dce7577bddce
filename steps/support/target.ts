import * as fs from 'node:fs';
import * as os from 'node:os';
import { isIP } from 'node:net';
import type { ErrorObject } from 'ajv';
import { validator } from './schemas';
import type { RelPrefix } from './dialect';
import { originProblems, TrustedOrigins } from './origins';

/** `$id` of the target description schema (TARGET.md §7). */
export const TARGET_SCHEMA_ID = 'urn:ucwa-conformance:target-description:2';

/** How an account reaches the API (PROFILE.md §15, D37). */
export type Transport = 'ucwa' | 'taa';

/** An account with its secrets resolved (TARGET.md §3). */
export interface Account {
  uri: string;
  /** `ucwa` unless the description says `"transport": "taa"` */
  transport: Transport;
  username?: string;
  password?: string;
  /** UCWA: a ready bearer token; TAA: a ready token instead of the client-credentials grant */
  token?: string;
  /** TAA: the AAD application (accounts with the same clientId are one principal, D47) */
  clientId?: string;
  /** TAA: the secret of the client-credentials grant at taa.token.url */
  clientSecret?: string;
  /** TAA: the endpoint's registered default callback URL */
  callbackUrl?: string;
  /** TAA: the App ID URI expected as `aud` of callbacks to this endpoint (CB-5) */
  appIdUri?: string;
}

/** The `taa` object (TARGET.md §12) with its defaults applied. */
export interface TaaConfig {
  discoverUrl: string;
  token?: { url: string; resource?: string; scope?: string; issuer?: string; issuedByTarget: boolean };
  callbackAuth: {
    issuer?: string;
    audience?: string;
    appId?: string;
    jwksUrl?: string;
    jwks?: { keys: Record<string, unknown>[] };
    algorithms: string[];
    clockSkewSeconds: number;
  };
  callbackReceiver: {
    /** where the receiver listens ("host:port"); absent: the authorities of the callback URLs */
    bind?: string;
    tls?: { certFile: string; keyFile: string };
    /** prefix of the conversation URLs (TSM-1, CB-4); absent when there is no TAA caller and none was declared */
    conversationUrlBase?: string;
  };
  allowHttpCallbackUrls: boolean;
  unreachableCallbackUrl: string;
}

export type Capability = 'addMessaging' | 'acceptAndBridge' | 'startAdhocMeeting' | 'customContent' | 'startMessagingWithIdentity';
export const CAPABILITIES: readonly Capability[] = ['addMessaging', 'acceptAndBridge', 'startAdhocMeeting', 'customContent', 'startMessagingWithIdentity'];

export type ErrorFixture = 'invalidExchangeServerVersion' | 'tooManyGroups' | 'cannotRedirect';
export const ERROR_FIXTURES: readonly ErrorFixture[] = ['invalidExchangeServerVersion', 'tooManyGroups', 'cannotRedirect'];

export interface Pair {
  caller: Account;
  callee: Account;
}

/** A validated target description with defaults applied and secrets read from the environment. */
export interface Target {
  name: string;
  /**
   * The entry point shown in reports: the UCWA discovery root; in a description without UCWA accounts (no
   * `discoveryUrl`), `taa.discoverUrl`. UCWA sign-in only happens when `ucwaDiscoveryUrl` is set.
   */
  discoveryUrl: string;
  /** `discoveryUrl` as declared (absent in a TAA-only description) */
  ucwaDiscoveryUrl?: string;
  relPrefix: RelPrefix;
  users: { caller: Account; callee: Account; unavailable?: { uri: string }; pairs: Pair[] };
  timing: { noAnswerTimeoutSeconds: number; early: number; late: number; callbackLatencySeconds: number };
  capabilities: Record<Capability, boolean>;
  fixtures: Partial<Record<ErrorFixture, Account>> & { onlineMeetingUri?: string; foreignEndpointUri?: string; localUserUri?: string };
  unsupportedContentTypeStatus: 410 | 415;
  /** the TAA transport (TARGET.md §12), present when the description has it */
  taa?: TaaConfig;
  /** where credentials may go (TARGET.md §11): the origins of discoveryUrl, taa.discoverUrl, taa.token.url and `trustedOrigins` */
  trusted: TrustedOrigins;
  /** Every secret value (passwords, tokens, client secrets) of the description, for redaction. */
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
function describeProblems(errors: ErrorObject[], json?: unknown): string[] {
  const out: string[] = [];
  for (const e of errors) {
    if (e.schemaPath.includes('/oneOf/') || e.schemaPath.includes('/anyOf/') || e.keyword === 'if') continue;
    const where = memberName(e.instancePath);
    const p = e.params as Record<string, unknown>;
    if (e.instancePath === '/relPrefix' && e.schemaPath.includes('/then/')) {
      out.push('relPrefix: "" is refused when taa is present (the Trusted Application API needs a prefixed dialect: "ms:rtc:saas:" or "service:")');
      continue;
    }
    switch (e.keyword) {
      case 'anyOf': {
        // neither discoveryUrl nor taa: name the one the accounts need
        const taaAccount = firstTaaAccount(json);
        out.push(
          taaAccount
            ? `taa: required member is missing (${taaAccount} is a TAA account: "transport": "taa")`
            : 'discoveryUrl: required member is missing (UCWA accounts need it; a description with only TAA accounts gives taa instead)',
        );
        break;
      }
      case 'false schema':
        out.push(`${where}: not allowed here (${/\/then\//.test(e.schemaPath) ? 'a TAA account has no username or password' : 'only a TAA account ("transport": "taa") has it'})`);
        break;
      case 'not':
        out.push(`${where}: give at most one of jwksUrl and jwks`);
        break;
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
        else if (e.instancePath.endsWith('/taa/token')) out.push(`${where}: give exactly one of "resource" or "scope"`);
        else if (e.schemaPath.includes('/then/')) out.push(`${where}: a TAA account gives either "clientSecret" (with "clientId") or "token" (exactly one of the two)`);
        else out.push(`${where}: give either "username" with "password", or "token" (exactly one of the two)`);
        break;
      case 'pattern':
        if (e.schemaPath.includes('sipUri')) out.push(`${where}: must be a SIP URI such as "sip:alice@example.com"`);
        else if (e.instancePath === '/discoveryUrl' || e.schemaPath.includes('httpUrl')) out.push(`${where}: must be an absolute http: or https: URL`);
        else if (e.instancePath.endsWith('/callbackReceiver/bind')) out.push(`${where}: must be "host:port" (an IPv6 host in brackets)`);
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

/** The member path of the first account of a raw description that says `"transport": "taa"`, if any. */
function firstTaaAccount(json: unknown): string | undefined {
  const users = (json as { users?: Record<string, unknown> } | undefined)?.users;
  if (!users || typeof users !== 'object') return undefined;
  const isTaa = (a: unknown) => typeof a === 'object' && a !== null && (a as { transport?: unknown }).transport === 'taa';
  for (const role of ['caller', 'callee']) if (isTaa(users[role])) return `users.${role}`;
  const pairs = Array.isArray(users.pairs) ? (users.pairs as Record<string, unknown>[]) : [];
  for (const [i, p] of pairs.entries()) for (const role of ['caller', 'callee']) if (isTaa(p?.[role])) return `users.pairs[${i}].${role}`;
  return undefined;
}

type RawSecret = string | { env: string };
interface RawAccount {
  uri: string;
  transport?: Transport;
  username?: string;
  password?: RawSecret;
  token?: RawSecret;
  clientId?: string;
  clientSecret?: RawSecret;
  callbackUrl?: string;
  appIdUri?: string;
}
interface RawTaa {
  discoverUrl: string;
  token?: TaaConfig['token'] & { issuedByTarget?: boolean };
  callbackAuth?: Partial<TaaConfig['callbackAuth']>;
  callbackReceiver?: TaaConfig['callbackReceiver'];
  allowHttpCallbackUrls?: boolean;
  unreachableCallbackUrl?: string;
}
interface RawDescription {
  name?: string;
  discoveryUrl?: string;
  relPrefix?: RelPrefix;
  users: { caller: RawAccount; callee: RawAccount; unavailable?: RawAccount; pairs?: { caller: RawAccount; callee: RawAccount }[] };
  timing?: { noAnswerTimeoutSeconds?: number; toleranceSeconds?: number | { early: number; late: number }; callbackLatencySeconds?: number };
  capabilities?: Partial<Record<Capability, boolean>>;
  fixtures?: Partial<Record<ErrorFixture, RawAccount>> & { onlineMeetingUri?: string; foreignEndpointUri?: string; localUserUri?: string };
  unsupportedContentTypeStatus?: 410 | 415;
  trustedOrigins?: string[];
  taa?: RawTaa;
}

/** Default `taa.unreachableCallbackUrl` (PROFILE.md TSM-3: `.invalid` never resolves, RFC 6761). */
export const DEFAULT_UNREACHABLE_CALLBACK_URL = 'https://callback-unreachable.invalid/cb';

/** Whether `host` (a URL's hostname: IPv6 in brackets) names an address of this machine the receiver can bind. */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === os.hostname().toLowerCase()) return true;
  if (!isIP(h)) return false;
  if (h === '0.0.0.0' || h === '::' || h.startsWith('127.') || h === '::1') return true;
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((i) => i.address.toLowerCase() === h));
}

/** The accounts of a target with the member path that names each, in description order. */
export function accountsOf(t: Pick<Target, 'users' | 'fixtures'>): { where: string; account: Account }[] {
  const out: { where: string; account: Account }[] = [
    { where: 'users.caller', account: t.users.caller },
    { where: 'users.callee', account: t.users.callee },
  ];
  t.users.pairs.forEach((p, i) => out.push({ where: `users.pairs[${i}].caller`, account: p.caller }, { where: `users.pairs[${i}].callee`, account: p.callee }));
  for (const f of ERROR_FIXTURES) {
    const a = t.fixtures[f];
    if (a) out.push({ where: `fixtures.${f}`, account: a });
  }
  return out;
}

/**
 * Validates a parsed target description (TARGET.md §7 and the checks after it) and returns the Target with
 * defaults applied and `{"env": NAME}` secrets read from `env`. Throws TargetDescriptionError listing every problem.
 */
export function parseTargetDescription(json: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Target {
  const validateFn = validator(TARGET_SCHEMA_ID);
  if (!validateFn) throw new Error(`schema ${TARGET_SCHEMA_ID} missing`);
  if (!validateFn(json)) throw new TargetDescriptionError(source, describeProblems(validateFn.errors ?? [], json));
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
  const declaresSecret = new Set<string>();
  const account = (a: RawAccount, where: string): Account => {
    if (a.clientSecret !== undefined) declaresSecret.add(where);
    const out: Account = { uri: a.uri, transport: a.transport ?? 'ucwa' };
    if (a.username !== undefined) out.username = a.username;
    if (a.password !== undefined) out.password = secret(a.password, `${where}.password`);
    if (a.token !== undefined) out.token = secret(a.token, `${where}.token`);
    if (a.clientId !== undefined) out.clientId = a.clientId;
    if (a.clientSecret !== undefined) out.clientSecret = secret(a.clientSecret, `${where}.clientSecret`);
    if (a.callbackUrl !== undefined) out.callbackUrl = a.callbackUrl;
    if (a.appIdUri !== undefined) out.appIdUri = a.appIdUri;
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
  if (raw.fixtures?.foreignEndpointUri !== undefined) fixtures.foreignEndpointUri = raw.fixtures.foreignEndpointUri;
  if (raw.fixtures?.localUserUri !== undefined) fixtures.localUserUri = raw.fixtures.localUserUri;

  const first = new Map<string, string>();
  for (const [uri, where] of uris) {
    const earlier = first.get(uri);
    if (earlier) problems.push(`${where}: same uri as ${earlier} (account uris must be pairwise different, case-insensitive)`);
    else first.set(uri, where);
  }

  // The checks of TARGET.md §7 the schema cannot express: which transport needs which member.
  const all = accountsOf({ users: { caller, callee, pairs }, fixtures });
  const ucwa = all.filter((a) => a.account.transport === 'ucwa');
  const taaAccounts = all.filter((a) => a.account.transport === 'taa');
  if (raw.discoveryUrl === undefined && (ucwa[0] || unavailable))
    problems.push(`discoveryUrl: required member is missing (${ucwa[0] ? `${ucwa[0].where} is a UCWA account` : 'users.unavailable is a UCWA account'})`);
  if (!raw.taa && taaAccounts[0]) problems.push(`taa: required member is missing (${taaAccounts[0].where} is a TAA account: "transport": "taa")`);
  const withSecret = taaAccounts.find((a) => declaresSecret.has(a.where));
  if (raw.taa && !raw.taa.token && withSecret)
    problems.push(`taa.token: required member is missing (${withSecret.where}.clientSecret needs the client-credentials grant at taa.token.url)`);
  const callbackUrls = new Map<string, string>();
  for (const a of taaAccounts) {
    const u = a.account.callbackUrl;
    if (u === undefined) continue;
    const earlier = callbackUrls.get(u);
    if (earlier) problems.push(`${a.where}.callbackUrl: same callbackUrl as ${earlier}.callbackUrl (callback URLs must be pairwise different)`);
    else callbackUrls.set(u, a.where);
  }
  let taa: TaaConfig | undefined;
  if (raw.taa) {
    const r = raw.taa;
    const receiver = { ...(r.callbackReceiver ?? {}) };
    const firstCaller = [caller, ...pairs.map((p) => p.caller)].find((a) => a.transport === 'taa' && a.callbackUrl);
    if (receiver.conversationUrlBase === undefined && firstCaller?.callbackUrl) receiver.conversationUrlBase = `${new URL(firstCaller.callbackUrl).origin}/taa-conv/`;
    const declaredBase = r.callbackReceiver?.conversationUrlBase;
    if (declaredBase !== undefined && !declaredBase.endsWith('/'))
      problems.push(`taa.callbackReceiver.conversationUrlBase: must end with "/" (the suite appends a UUID to it)`);
    if (declaredBase !== undefined && !r.allowHttpCallbackUrls && !/^https:/i.test(declaredBase))
      problems.push(`taa.callbackReceiver.conversationUrlBase: must be an https: URL unless taa.allowHttpCallbackUrls is true`);
    if (receiver.bind === undefined) {
      const publicUrls: [string, string][] = taaAccounts.filter((a) => a.account.callbackUrl).map((a) => [`${a.where}.callbackUrl`, a.account.callbackUrl as string]);
      if (receiver.conversationUrlBase) publicUrls.push(['taa.callbackReceiver.conversationUrlBase', receiver.conversationUrlBase]);
      for (const [where, u] of publicUrls) {
        const url = new URL(u);
        if (!isLocalHost(url.hostname))
          problems.push(`${where}: ${url.host} is not an address of this machine, so the suite cannot listen there; give taa.callbackReceiver.bind (the local end of the tunnel in front of the receiver)`);
        else if (url.protocol === 'https:' && !receiver.tls)
          problems.push(`${where}: an https: callback URL the suite listens on itself needs taa.callbackReceiver.tls (or a TLS-terminating tunnel and taa.callbackReceiver.bind)`);
      }
    }
    const ca = r.callbackAuth ?? {};
    taa = {
      discoverUrl: r.discoverUrl,
      ...(r.token ? { token: { ...r.token, issuedByTarget: r.token.issuedByTarget === true } } : {}),
      callbackAuth: { ...ca, algorithms: ca.algorithms ?? ['RS256'], clockSkewSeconds: ca.clockSkewSeconds ?? 300 },
      callbackReceiver: receiver,
      allowHttpCallbackUrls: r.allowHttpCallbackUrls === true,
      unreachableCallbackUrl: r.unreachableCallbackUrl ?? DEFAULT_UNREACHABLE_CALLBACK_URL,
    };
  }
  // The schema checks the shape; the URL standard decides whether host and port make an origin (e.g. port 99999).
  problems.push(...originProblems(raw.trustedOrigins ?? [], 'trustedOrigins'));
  if (problems.length) throw new TargetDescriptionError(source, problems);

  const tol = raw.timing?.toleranceSeconds;
  const capabilities = Object.fromEntries(CAPABILITIES.map((c) => [c, raw.capabilities?.[c] === true])) as Record<Capability, boolean>;
  const entry = raw.discoveryUrl ?? (taa as TaaConfig).discoverUrl;
  return {
    name: raw.name ?? new URL(entry).host,
    discoveryUrl: entry,
    ...(raw.discoveryUrl !== undefined ? { ucwaDiscoveryUrl: raw.discoveryUrl } : {}),
    relPrefix: raw.relPrefix ?? 'ms:rtc:saas:',
    users: { caller, callee, ...(unavailable ? { unavailable } : {}), pairs },
    timing: {
      noAnswerTimeoutSeconds: raw.timing?.noAnswerTimeoutSeconds ?? 30,
      early: tol === undefined ? 5 : typeof tol === 'number' ? tol : tol.early,
      late: tol === undefined ? 10 : typeof tol === 'number' ? tol : tol.late,
      callbackLatencySeconds: raw.timing?.callbackLatencySeconds ?? 1,
    },
    capabilities,
    fixtures,
    unsupportedContentTypeStatus: raw.unsupportedContentTypeStatus ?? 410,
    ...(taa ? { taa } : {}),
    trusted: new TrustedOrigins(
      [...(raw.discoveryUrl !== undefined ? [raw.discoveryUrl] : []), ...(taa ? [taa.discoverUrl, ...(taa.token ? [taa.token.url] : [])] : [])],
      raw.trustedOrigins ?? [],
    ),
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
