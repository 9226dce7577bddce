import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApp } from '../reference/app';
import { nodeArgs, ROOT } from './root';
import { spawnStandaloneReference } from './standalone';

/** Benchmarks that print their figures (never assertions): see README "Speed". */


interface ProcessRun {
  wallMs: number;
  code: number | null;
  peakRssMb: number;
  /** CPU seconds (user + system) of the suite's processes, as last sampled: a figure the machine's load changes little */
  cpuS: number;
  /** 1-minute load average when the run ended */
  load: number;
  output: string;
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * RSS of a process and all its descendants, in kB, from /proc; records in `cpu` each one's CPU ticks so far
 * (utime + stime, by pid).
 */
function treeRssKb(root: number, cpu?: Map<number, number>): number {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p !== undefined && p !== root && p > 1) p = parent.get(p);
    if (p !== root) continue;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += Number(m?.[1] ?? 0);
      if (cpu) {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu.set(pid, Number(fields[11]) + Number(fields[12]));
      }
    } catch {
      /* gone */
    }
  }
  return total;
}

function runSuite(args: string[]): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, nodeArgs('bin/conformance.ts', ...args), { cwd: ROOT, env: { ...process.env, TARGET: '' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    let peak = 0;
    const cpu = new Map<number, number>();
    const timer = setInterval(() => (peak = Math.max(peak, treeRssKb(child.pid ?? 0, cpu))), 100);
    child.on('close', (code) => {
      clearInterval(timer);
      const ticks = [...cpu.values()].reduce((a, b) => a + b, 0);
      resolve({ wallMs: performance.now() - started, code, peakRssMb: peak / 1024, cpuS: ticks / TICKS_PER_SECOND, load: os.loadavg()[0] ?? 0, output });
    });
  });
}

/** A loopback port free at this moment (the suite's callback receiver binds it next). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/**
 * The reference server in this process, counting requests and noting when the first one arrived. It serves the
 * Trusted Application API beside UCWA as the default embedded run does (TARGET.md §9), its TAA endpoints calling
 * back the suite's receiver on a free loopback port, so the figures are those of a default run.
 */
async function countingReference() {
  const app = createApp({ taa: { callbackOrigin: `http://127.0.0.1:${await freePort()}` }, callbackAllowHttp: true });
  const counter = { requests: 0, first: [] as number[] };
  const server = http.createServer((req, res) => {
    counter.requests++;
    if (counter.first.length < 1) counter.first.push(performance.now());
    app.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.listening(url);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'target.json');
  fs.writeFileSync(file, JSON.stringify(app.describe(url)));
  return {
    file,
    counter,
    description: app.describe(url) as { timing: { noAnswerTimeoutSeconds: number } },
    close: async () => {
      app.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A default run (`npm run conformance` without npm): the embedded reference server in the command line's process,
 * as the figures define the full and quick runs.
 */
async function measureDefault(label: string, extra: string[]) {
  const r = await runSuite(['--report-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rep-')), ...extra]);
  // the embedded server's no-answer timeout and D16's read-back after completion: 30 s each
  return { label, ...r, scenarios: passedOf(r.output), longestWaitS: 30 };
}

/** "728/734 passed", from the console's Scenarios line. */
function passedOf(output: string): string {
  const scenarios = /Scenarios: (\d+) — (\d+) passed/.exec(output);
  return scenarios ? `${scenarios[2]}/${scenarios[1]} passed` : 'no summary';
}

/** A run against a reference server in this process (a described target): it counts the requests and the first one's time. */
async function measureSuite(label: string, extra: string[]) {
  const ref = await countingReference();
  try {
    const spawnedAt = performance.now();
    const r = await runSuite(['--target', ref.file, '--report-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rep-')), ...extra]);
    return {
      label,
      ...r,
      requests: ref.counter.requests,
      firstRequestMs: (ref.counter.first[0] ?? NaN) - spawnedAt,
      scenarios: passedOf(r.output),
      longestWaitS: Math.max(ref.description.timing.noAnswerTimeoutSeconds, 30),
    };
  } finally {
    await ref.close();
  }
}

/** startMessaging + GET pairs per second against a standalone reference server (one process, one core). */
async function capacity(seconds: number): Promise<{ pairsPerSecond: number; errors: number; p99Ms: number }> {
  const { process: server, description } = await spawnStandaloneReference<{ discoveryUrl: string; users: { caller: { username: string; password: string }; callee: { uri: string } } }>();
  try {
    const origin = new URL(description.discoveryUrl).origin;
    const token = (
      (await (
        await fetch(`${origin}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', username: description.users.caller.username, password: description.users.caller.password }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    const auth = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' };
    const appDoc = (await (
      await fetch(`${origin}/ucwa/v1/applications`, { method: 'POST', headers: auth, body: JSON.stringify({ userAgent: 'bench', endpointId: 'bench-1', culture: 'en-US' }) })
    ).json()) as { _embedded: Record<string, { _links: Record<string, { href: string }> }> };
    const comm = Object.entries(appDoc._embedded).find(([k]) => k.endsWith('communication'))?.[1];
    const start = Object.entries(comm?._links ?? {}).find(([k]) => k.endsWith('startMessaging'))?.[1].href ?? '';
    // The callee has no available application: each invitation completes after ~100 ms, so state stays bounded.
    const body = JSON.stringify({ to: description.users.callee.uri, subject: 'bench' });
    const result = await autocannon({
      url: origin,
      connections: 16,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: start,
          headers: auth,
          body,
          onResponse: (_status: number, _body: string, context: Record<string, unknown>, headers?: Record<string, string>) => {
            context.location = headers?.location ?? headers?.Location;
          },
        },
        {
          method: 'GET',
          headers: auth,
          setupRequest: (req: autocannon.Request, context: Record<string, unknown>) => ({ ...req, path: String(context.location ?? start) }),
        },
      ] as autocannon.Request[],
    });
    return { pairsPerSecond: result.requests.total / 2 / seconds, errors: result.errors + result.non2xx, p99Ms: result.latency.p99 };
  } finally {
    server.kill('SIGTERM');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Each figure is the median of `runs` runs (default 3; `npm run bench -- --runs N`), printed next to its target. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  const runs = Number(values.runs ?? 3);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; medians of ${runs} runs\n\n`);
  const fulls = [];
  const quicks = [];
  const caps = [];
  const described = [];
  for (let i = 0; i < runs; i++) {
    fulls.push(await measureDefault('full default run', []));
    quicks.push(await measureDefault('quick run (not @slow)', ['--tags', 'not @slow']));
    described.push(await measureSuite('quick run against a reference server in another process', ['--tags', 'not @slow']));
    caps.push(await capacity(10));
    const f = fulls[i]!;
    const q = quicks[i]!;
    const d = described[i]!;
    process.stdout.write(
      `run ${i + 1}/${runs}: full ${(f.wallMs / 1000).toFixed(1)} s (load ${f.load.toFixed(1)}, ${f.cpuS.toFixed(1)} CPU s), quick ${(q.wallMs / 1000).toFixed(1)} s (load ${q.load.toFixed(1)}, ${q.cpuS.toFixed(1)} CPU s), quick against a separate server ${(d.wallMs / 1000).toFixed(1)} s, first request ${d.firstRequestMs.toFixed(0)} ms, peak RSS ${f.peakRssMb.toFixed(0)} MB, ${caps[i]!.pairsPerSecond.toFixed(0)} pairs/s\n`,
    );
  }
  const m = (xs: { [k: string]: unknown }[], k: string) => median(xs.map((x) => x[k] as number));
  const full = fulls[fulls.length - 1]!;
  const quick = quicks[quicks.length - 1]!;
  const dq = described[described.length - 1]!;
  const fullWall = m(fulls, 'wallMs') / 1000;
  const ok = (good: boolean) => (good ? 'within target' : 'OVER TARGET');
  const rows: [string, string][] = [
    ['full run: wall time', `${fullWall.toFixed(1)} s (${full.scenarios}, exit ${full.code})`],
    ['full run: wall / longest protocol wait', `${(fullWall / full.longestWaitS).toFixed(2)} (wait ${full.longestWaitS} s; target ≤ 1.15: ${ok(fullWall / full.longestWaitS <= 1.15)})`],
    ['full run: peak RSS (suite process tree)', `${m(fulls, 'peakRssMb').toFixed(0)} MB (target ≤ 400 MB: ${ok(m(fulls, 'peakRssMb') <= 400)})`],
    ['quick run: wall time', `${(m(quicks, 'wallMs') / 1000).toFixed(1)} s (${quick.scenarios}, exit ${quick.code}; target ≤ 5 s: ${ok(m(quicks, 'wallMs') <= 5000)})`],
    ['CPU time of the suite (user + system)', `full ${m(fulls, 'cpuS').toFixed(1)} s, quick ${m(quicks, 'cpuS').toFixed(1)} s (the embedded reference server included; no target, less sensitive to the machine's load than wall time)`],
    ['quick run, reference server apart', `${(m(described, 'wallMs') / 1000).toFixed(1)} s, ${m(described, 'cpuS').toFixed(1)} CPU s of the suite, ${dq.requests} HTTP exchanges (${dq.scenarios}; a described target served by a third process on the same cores: no target)`],
    ['start-up to first request (preflight)', `${m(described, 'firstRequestMs').toFixed(0)} ms (target ≤ 500 ms: ${ok(m(described, 'firstRequestMs') <= 500)})`],
    ['reference server capacity', `${m(caps, 'pairsPerSecond').toFixed(0)} startMessaging + GET pairs/s on one core (p99 ${m(caps, 'p99Ms')} ms, ${m(caps, 'errors')} errors; target ≥ 8000: ${ok(m(caps, 'pairsPerSecond') >= 8000)})`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  process.stdout.write(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)\n`);
}

void main();
