/** Standalone reference server: prints its target description on stdout and serves until SIGINT/SIGTERM. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ReferenceOptions, RelPrefix } from './app';
import { FAULTS } from './faults';
import { type ListenOptions, startReferenceServer } from './server';
import { readTls, selfSignedTls } from './tls';

const USAGE = `Usage: npm run reference -- [options]

Starts the UCWA messagingInvitation reference server and prints its target description (TARGET.md) as JSON.

Options:
  --port N                               port to listen on (default 8080; 0 = any free port)
  --host H                               address to listen on (default 127.0.0.1)
  --rel-prefix P                         dialect: ms:rtc:saas: (default), "" (bare rels) or service:
  --no-answer-timeout S                  no-answer timeout in seconds, fractions allowed (default 30)
  --pairs N                              extra caller/callee account pairs (default 8)
  --unsupported-content-type-status S    410 (default) or 415
  --token-lifetime-seconds S             bearer token lifetime, whole seconds (default 3600)
  --application-idle-seconds S           delete applications idle this long, fractions allowed (default 600; 0 = never)
  --tls-cert FILE --tls-key FILE         serve HTTPS with this PEM certificate and key
  --tls                                  serve HTTPS with a fresh self-signed certificate (its path is printed)
  --accounts FILE                        JSON list of {uri, username, password, displayName} instead of the
                                         built-in accounts (first two: caller, callee; third: unavailable)
  --taa                                  also serve the Trusted Application API (PROFILE.md §15) beside UCWA:
                                         tokens, platformservice/discover, applications by endpointId, signed
                                         callbacks; needs --callback-origin and a prefixed --rel-prefix
  --callback-origin URL                  with --taa: origin of the callback receiver; endpoint <name> calls back
                                         <URL>/cb/<name>, conversation URLs are under <URL>/taa-conv/
  --callback-allow-http                  with --taa: accept http: callback URLs (a local receiver)
  --taa-origin URL                       with --taa: the origin clients reach the platform at (issuer, baseuri);
                                         default: the listening URL
  --taa-resource URI                     with --taa: the token audience the platform accepts (default: its origin)
  --callback-appid ID                    with --taa: appid of callback tokens
                                         (default 00000004-0000-0ff1-ce00-000000000000)
  --callback-timeout-ms N                with --taa: wait this long for a callback's answer before the
                                         conversation's next one (default 10000, at least 5000)
  --log                                  one line per exchange on stderr: method, path, status, ms
  --trust-proxy                          behind a reverse proxy: absolute hrefs use X-Forwarded-Proto/-Host
  --fault NAME                           DEVELOPER USE ONLY: deliberately break the server in the named way
                                         (repeatable; names and what they break: reference/faults/); for the
                                         suite's self-test, never for a real run
  --list-faults                          print the fault names with the requirements each breaks, and exit
  --help                                 show this help
`;

class UsageError extends Error {}

type Options = ReferenceOptions & Omit<ListenOptions, 'tls' | 'log'> & {
  port: number;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsSelfSigned?: boolean;
  log?: boolean;
  taaOn?: boolean;
  taaOptions?: Partial<NonNullable<ReferenceOptions['taa']>>;
};

function parseArgs(argv: readonly string[]): Options | 'help' | 'list-faults' {
  const options: Options = { port: 8080, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--list-faults') return 'list-faults';
    if (arg === '--taa') {
      options.taaOn = true;
      continue;
    }
    if (arg === '--callback-allow-http') {
      options.callbackAllowHttp = true;
      continue;
    }
    if (arg === '--trust-proxy' || arg === '--tls' || arg === '--log') {
      if (arg === '--trust-proxy') options.trustProxy = true;
      else if (arg === '--tls') options.tlsSelfSigned = true;
      else options.log = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const next = (): string => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      return argv[++i]!;
    };
    const number = (text: string): number => {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name}: expected a number, got ${JSON.stringify(text)}`);
      return n;
    };
    switch (name) {
      case '--port':
        options.port = number(next());
        break;
      case '--host':
        options.host = next();
        break;
      case '--rel-prefix': {
        const value = next();
        options.relPrefix = (value === '""' || value === "''" ? '' : value) as RelPrefix;
        break;
      }
      case '--no-answer-timeout':
        options.noAnswerTimeoutSeconds = number(next());
        break;
      case '--pairs':
        options.pairs = number(next());
        break;
      case '--unsupported-content-type-status':
        options.unsupportedContentTypeStatus = number(next()) as 410 | 415;
        break;
      case '--token-lifetime-seconds':
        options.tokenLifetimeSeconds = number(next());
        break;
      case '--application-idle-seconds':
        options.applicationIdleSeconds = number(next());
        break;
      case '--accounts': {
        const file = next();
        let text: string;
        try {
          text = readFileSync(path.resolve(file), 'utf8');
        } catch (error) {
          throw new UsageError(`--accounts ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        try {
          options.accounts = JSON.parse(text);
        } catch {
          throw new UsageError(`--accounts ${file}: not well-formed JSON`);
        }
        break;
      }
      case '--tls-cert':
        options.tlsCert = next();
        break;
      case '--tls-key':
        options.tlsKey = next();
        break;
      case '--callback-origin':
        options.taaOptions = { ...options.taaOptions, callbackOrigin: next() };
        break;
      case '--taa-origin':
        options.taaOptions = { ...options.taaOptions, origin: next() };
        break;
      case '--taa-resource':
        options.taaOptions = { ...options.taaOptions, resource: next() };
        break;
      case '--callback-appid':
        options.taaOptions = { ...options.taaOptions, callbackAppId: next() };
        break;
      case '--callback-timeout-ms':
        options.taaOptions = { ...options.taaOptions, callbackTimeoutMs: number(next()) };
        break;
      case '--fault':
        options.faults = [...(options.faults ?? []), next()];
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (options.tlsSelfSigned && options.tlsCert !== undefined) throw new UsageError('--tls and --tls-cert/--tls-key exclude each other');
  const { taaOn, taaOptions, ...rest } = options;
  if (!taaOn) {
    if (taaOptions !== undefined || options.callbackAllowHttp) throw new UsageError('--callback-origin, --callback-allow-http, --taa-* and --callback-* need --taa');
    return rest;
  }
  if (options.relPrefix === '') throw new UsageError('--taa needs a prefixed dialect: --rel-prefix "" is refused with --taa (use ms:rtc:saas: or service:)');
  if (taaOptions?.callbackOrigin === undefined) throw new UsageError('--taa needs --callback-origin URL (the callback receiver\'s origin)');
  return { ...rest, taa: { ...taaOptions, callbackOrigin: taaOptions.callbackOrigin } };
}

async function main(): Promise<void> {
  let options: Options | 'help' | 'list-faults';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`reference: ${error.message}\nRun with --help for the options.\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (options === 'list-faults') {
    for (const f of FAULTS) process.stdout.write(`${f.name}\t${f.breaks.join(',')}\t${f.description}\n`);
    return;
  }
  let running;
  try {
    const { tlsCert, tlsKey, tlsSelfSigned, log, ...rest } = options;
    let tls: ListenOptions['tls'];
    if (tlsCert !== undefined && tlsKey !== undefined) tls = readTls(tlsCert, tlsKey);
    if (tlsSelfSigned) {
      const generated = await selfSignedTls(options.host);
      tls = generated;
      process.stderr.write(`reference server: self-signed certificate (trust it in your client) at ${generated.certFile}\n`);
    }
    running = await startReferenceServer({
      ...rest,
      ...(tls ? { tls } : {}),
      ...(log ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
  } catch (error) {
    // createApp names a bad option (TypeError); listen names a bad or busy address; readTls a bad file.
    process.stderr.write(`reference: ${(error as Error).message}\n`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(running.description, null, 2)}\n`);
  const broken = options.faults ?? [];
  if (broken.length > 0) {
    process.stderr.write(`${'!'.repeat(100)}\n`
      + `!! WARNING: this reference server is DELIBERATELY BROKEN (--fault ${broken.join(', ')}).\n`
      + '!! It does not conform to PROFILE.md; use it only for the conformance suite\'s self-test.\n'
      + `${'!'.repeat(100)}\n`);
  }
  process.stderr.write(`reference server listening on ${running.url}\n`);
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
