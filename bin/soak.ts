/**
 * npm run soak: load and soak test of the standalone reference server (reference/README.md, "Soak").
 *
 * Starts `reference/main.ts` as its own process on 127.0.0.1 (a port of its choosing) with one caller/callee account
 * pair per concurrent flow and a short no-answer timeout, then runs rounds of concurrent invitation flows over
 * loopback with plain fetch. Each flow has its own pair: both create an application, the callee makes itself
 * available, both keep a P-GET pending throughout, the caller invites, and the flow ends in accept, decline, cancel
 * or no answer (in turn). Every invitation must complete exactly once on both sides with the §9.2 reasons, with no event
 * lost, duplicated or out of order. The applications are deleted at the end of each flow; afterwards the server's RSS
 * (/proc/<pid>/status) must come back near its baseline. Prints flows/s, p50/p99 event latency (from the 2xx of the
 * causing request to the receipt of the event), RSS baseline/peak/after, and PASS or FAIL (exit 1). Not part of
 * npm test; stops by itself within --time-limit seconds.
 *
 *   npm run soak -- [--flows 200] [--rounds 8] [--no-answer-timeout 3] [--time-limit 110] [--settle 10]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { nodeArgs, ROOT } from './root';

type Json = Record<string, any>;
type Outcome = 'accept' | 'decline' | 'cancel' | 'timeout';

const OUTCOMES: readonly Outcome[] = ['accept', 'decline', 'cancel', 'timeout'];
const P = 'ms:rtc:saas:';
/** §9.2: [caller, callee] completion as status/code/subcode. */
const EXPECTED: Record<Outcome, [string, string]> = {
  accept: ['Success', 'Success'],
  decline: ['Failure/RemoteFailure/Declined', 'Failure/LocalFailure/Declined'],
  cancel: ['Failure/LocalFailure/Canceled', 'Failure/RemoteFailure/Canceled'],
  timeout: ['Failure/RemoteFailure/Timeout', 'Failure/LocalFailure/Timeout'],
};

interface Options {
  flows: number;
  rounds: number;
  noAnswerTimeout: number;
  timeLimit: number;
  settle: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { flows: 200, rounds: 8, noAnswerTimeout: 3, timeLimit: 110, settle: 10 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!;
    const value = Number(argv[++i]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
    if (name === '--flows') o.flows = Math.floor(value);
    else if (name === '--rounds') o.rounds = Math.floor(value);
    else if (name === '--no-answer-timeout') o.noAnswerTimeout = value;
    else if (name === '--time-limit') o.timeLimit = value;
    else if (name === '--settle') o.settle = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (o.flows > 1000) throw new Error('--flows: at most 1000 (one account pair each)');
  return o;
}

// ---- the server process -------------------------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  base: string;
  description: Json;
}

async function startServer(o: Options): Promise<Server> {
  const child = spawn(process.execPath, [...nodeArgs('reference/main.ts'), '--port', '0', '--host', '127.0.0.1',
    '--pairs', String(o.flows), '--no-answer-timeout', String(o.noAnswerTimeout)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 20 s: ${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m && stdout.trim().endsWith('}')) {
        clearTimeout(timer);
        resolve({ child, base: m[1]!, description: JSON.parse(stdout) as Json });
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
  });
}

/** The server's RSS and peak RSS (VmHWM) in MiB. */
function rss(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

// ---- HTTP ---------------------------------------------------------------------------------------------------------

let BASE = '';
const stats = { requests: 0, unexpected: [] as string[] };

/** Resolves an href against the server; refuses anything that is not the server on 127.0.0.1. */
function url(href: string): URL {
  const u = new URL(href, BASE);
  if (u.origin !== new URL(BASE).origin) throw new Error(`refusing to send to ${u.origin}`);
  return u;
}

async function call(method: string, href: string, token: string | undefined, body?: unknown, form?: string): Promise<{ status: number; json: Json; location: string | null; at: number }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = form;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  stats.requests++;
  const res = await fetch(url(href), { method, headers, body: payload });
  const at = performance.now();
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, location: res.headers.get('location'), at };
}

async function expectStatus(what: string, status: number, p: ReturnType<typeof call>): ReturnType<typeof call> {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
  return r;
}

// ---- one application's P-GET loop ---------------------------------------------------------------------------------

interface Received {
  type: string;
  href: string;
  threadId: string | undefined;
  completion: string | undefined;
  embedded: Json | undefined;
  at: number;
}

class Channel {
  readonly events: Received[] = [];
  readonly problems: string[] = [];
  readonly done: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(private readonly token: string, first: string) {
    this.done = this.loop(first);
  }

  private async loop(first: string): Promise<void> {
    let href = first;
    let ack = Number(new URL(href, BASE).searchParams.get('ack'));
    for (;;) {
      let r;
      try {
        r = await call('GET', href, this.token);
      } catch (error) {
        this.problems.push(`P-GET failed: ${(error as Error).message}`);
        return;
      }
      if (r.status === 404 && r.json.subcode === 'ApplicationNotFound') return; // the application was deleted
      if (r.status !== 200) {
        this.problems.push(`P-GET ${r.status} ${JSON.stringify(r.json)}`);
        return;
      }
      const links = r.json._links as Json;
      if (!links.next) this.problems.push(`batch without next: ${JSON.stringify(links)}`);
      if (Number(new URL(links.self.href as string, BASE).searchParams.get('ack')) !== ack) this.problems.push(`batch for another ack: ${links.self.href}`);
      for (const sender of r.json.sender ?? []) {
        for (const e of sender.events ?? []) {
          // the invitation events are what the soak checks; the conversation, participant, messaging and message
          // events a real client also gets are extras (PROFILE.md §13)
          if (e.link?.rel !== `${P}messagingInvitation`) continue;
          const inv = e._embedded?.[`${P}messagingInvitation`] as Json | undefined;
          this.events.push({
            type: e.type,
            href: url(e.link.href).toString(),
            threadId: inv?.threadId,
            completion: e.type === 'completed' ? [e.status, e.reason?.code, e.reason?.subcode].filter(Boolean).join('/') : undefined,
            embedded: inv,
            at: r.at,
          });
        }
      }
      for (const wake of this.waiters.splice(0)) wake();
      href = (links.next ?? links.resync).href as string;
      ack = Number(new URL(href, BASE).searchParams.get('ack'));
    }
  }

  async waitFor(pred: (e: Received) => boolean, ms: number, what: string): Promise<Received> {
    const deadline = performance.now() + ms;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

// ---- one flow -----------------------------------------------------------------------------------------------------

interface Account {
  uri: string;
  username: string;
  password: string;
  token?: string;
}

const latencies: number[] = [];

async function signIn(a: Account): Promise<void> {
  const form = new URLSearchParams({ grant_type: 'password', username: a.username, password: a.password }).toString();
  a.token = (await expectStatus(`sign-in ${a.username}`, 200, call('POST', '/oauth/token', undefined, undefined, form))).json.access_token as string;
}

async function createApplication(a: Account): Promise<Json> {
  return (await expectStatus('create application', 201, call('POST', '/ucwa/v1/applications', a.token,
    { userAgent: 'ucwa-soak/1.0', endpointId: crypto.randomUUID(), culture: 'en-US' }))).json;
}

async function flow(caller: Account, callee: Account, outcome: Outcome, o: Options): Promise<void> {
  const callerApp = await createApplication(caller);
  const calleeApp = await createApplication(callee);
  await expectStatus('makeMeAvailable', 204, call('POST', calleeApp._embedded[`${P}me`]._links[`${P}makeMeAvailable`].href, callee.token, { supportedModalities: ['Messaging'] }));
  const callerChannel = new Channel(caller.token!, callerApp._links[`${P}events`].href);
  const calleeChannel = new Channel(callee.token!, calleeApp._links[`${P}events`].href);
  try {
    const threadId = `soak-${crypto.randomUUID()}`;
    const sm = await expectStatus('startMessaging', 201, call('POST', callerApp._embedded[`${P}communication`]._links[`${P}startMessaging`].href,
      caller.token, { to: callee.uri, threadId, subject: `soak ${outcome}` }));
    const out = url(sm.location!).toString();
    const outStarted = await callerChannel.waitFor((e) => e.type === 'started' && e.href === out, 5000, "caller's started");
    const incStarted = await calleeChannel.waitFor((e) => e.type === 'started' && e.threadId === threadId, 5000, "callee's started");
    latencies.push(outStarted.at - sm.at, incStarted.at - sm.at);
    const inc = incStarted.href;
    let caused: number | undefined;
    if (outcome === 'accept') caused = (await expectStatus('accept', 204, call('POST', incStarted.embedded!._links[`${P}accept`].href, callee.token))).at;
    if (outcome === 'decline') caused = (await expectStatus('decline', 204, call('POST', incStarted.embedded!._links[`${P}decline`].href, callee.token, { reason: 'Local' }))).at;
    if (outcome === 'cancel') caused = (await expectStatus('cancel', 204, call('POST', outStarted.embedded!._links[`${P}cancel`].href, caller.token))).at;
    const wait = outcome === 'timeout' ? o.noAnswerTimeout * 1000 + 5000 : 5000;
    const outDone = await callerChannel.waitFor((e) => e.type === 'completed' && e.href === out, wait, "caller's completed");
    const incDone = await calleeChannel.waitFor((e) => e.type === 'completed' && e.href === inc, wait, "callee's completed");
    if (caused !== undefined) latencies.push(outDone.at - caused, incDone.at - caused);
    const [wantOut, wantInc] = EXPECTED[outcome];
    if (outDone.completion !== wantOut || incDone.completion !== wantInc) {
      throw new Error(`${outcome}: completions ${outDone.completion} / ${incDone.completion}, expected ${wantOut} / ${wantInc}`);
    }
    // a late duplicate would arrive within this pause
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const [side, channel, href] of [['caller', callerChannel, out], ['callee', calleeChannel, inc]] as const) {
      const seen = channel.events.map((e) => `${e.type}${e.href === href ? '' : ` of another invitation ${e.href}`}`);
      if (seen.join(',') !== 'started,completed') throw new Error(`${outcome}: ${side} saw ${seen.join(', ')} instead of started, completed`);
    }
  } finally {
    for (const [a, app] of [[caller, callerApp], [callee, calleeApp]] as const) {
      await expectStatus('delete application', 204, call('DELETE', app._links.self.href, a.token));
    }
    await Promise.all([callerChannel.done, calleeChannel.done]);
    const problems = [...callerChannel.problems, ...calleeChannel.problems];
    if (problems.length > 0) throw new Error(`event channel: ${problems.join('; ')}`);
  }
}

// ---- main ---------------------------------------------------------------------------------------------------------

/**
 * Memory checks on the server's RSS once every application is deleted. RSS does not fall back to the cold start: V8
 * keeps the heap it grew to under load and the allocator keeps freed pages (an instrumented run showed the heap in use
 * after a full GC back at ~11 MiB with no state left, while RSS stayed ~25 MiB above the warm baseline). So: the RSS
 * may stay at most ALLOWANCE_MIB above the warm baseline, and at most GROWTH_MIB above what it was half-way through the
 * rounds: leaked per-flow state grows with every round, retained pages do not.
 */
const ALLOWANCE_MIB = 40;
const GROWTH_MIB = 8;

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const mib = (n: number): string => `${n.toFixed(1)} MiB`;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const server = await startServer(o);
  BASE = server.base;
  const pid = server.child.pid!;
  const watchdog = setTimeout(() => {
    process.stdout.write(`FAIL: time limit of ${o.timeLimit} s reached\n`);
    server.child.kill('SIGKILL');
    process.exit(1);
  }, o.timeLimit * 1000);
  watchdog.unref();
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(pid).rss);
  }, 50);
  const failures: string[] = [];
  try {
    const pairs = (server.description.users.pairs as { caller: Account; callee: Account }[]).slice(0, o.flows);
    if (pairs.length < o.flows) throw new Error(`the server has ${pairs.length} account pairs, ${o.flows} needed`);
    await Promise.all(pairs.flatMap((p) => [signIn(p.caller), signIn(p.callee)]));
    const cold = rss(pid).rss;
    // Warm-up: one full round, all its applications deleted. The baseline is the empty server after it: compiled code,
    // the signed-in tokens, V8's grown young generation and the allocator's pools for 2 × flows sockets are in it, so
    // what the later rounds leave behind is what they did not free.
    const warm = await Promise.allSettled(pairs.map((p, i) => flow(p.caller, p.callee, OUTCOMES[i % 4]!, o)));
    for (const r of warm) if (r.status === 'rejected') failures.push(`warm-up: ${(r.reason as Error).message}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const baseline = rss(pid).rss;
    peak = baseline;
    latencies.length = 0;
    process.stdout.write(`soak: ${o.rounds} rounds of ${o.flows} concurrent flows (each its own account pair; accept, decline, cancel, no answer `
      + `in turn; no-answer timeout ${o.noAnswerTimeout} s) against ${BASE} (pid ${pid})\n`
      + `  server RSS at start ${mib(cold)}; after a warm-up round of ${o.flows} flows, all applications deleted (baseline) ${mib(baseline)}\n`);
    const counts: Record<Outcome, number> = { accept: 0, decline: 0, cancel: 0, timeout: 0 };
    const t0 = performance.now();
    let flows = 0;
    let midway = baseline;
    for (let round = 0; round < o.rounds; round++) {
      const r0 = performance.now();
      const results = await Promise.allSettled(pairs.map((p, i) => {
        const outcome = OUTCOMES[(i + round) % 4]!;
        counts[outcome]++;
        return flow(p.caller, p.callee, outcome, o);
      }));
      flows += results.length;
      for (const r of results) if (r.status === 'rejected') failures.push((r.reason as Error).message);
      if (round === Math.floor((o.rounds - 1) / 2)) midway = rss(pid).rss;
      process.stdout.write(`  round ${round + 1}: ${results.length} flows in ${((performance.now() - r0) / 1000).toFixed(2)} s, `
        + `${results.filter((r) => r.status === 'rejected').length} failed, RSS ${mib(rss(pid).rss)}\n`);
    }
    const seconds = (performance.now() - t0) / 1000;
    // all applications are deleted; let the server settle and see where its memory goes
    let after = rss(pid).rss;
    for (let i = 0; i < o.settle * 2 && after > Math.min(baseline + ALLOWANCE_MIB, midway + GROWTH_MIB); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = rss(pid).rss;
      if (process.env.SOAK_TRACE) process.stdout.write(`  settle ${(i + 1) / 2} s: RSS ${mib(after)}\n`);
    }
    clearInterval(sampler);
    const hwm = rss(pid).hwm;
    const sorted = [...latencies].sort((a, b) => a - b);
    process.stdout.write(`flows: ${flows} (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}), ${failures.length} failed, `
      + `${stats.requests} requests\n`);
    process.stdout.write(`throughput: ${(flows / seconds).toFixed(1)} flows/s (${seconds.toFixed(1)} s; every round waits ${o.noAnswerTimeout} s for its no-answer flows)\n`);
    process.stdout.write(`event latency (2xx of the causing request → event received), ${sorted.length} events: `
      + `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms\n`);
    process.stdout.write(`server RSS: baseline ${mib(baseline)}, peak ${mib(Math.max(peak, 0))} (VmHWM ${mib(hwm)}), `
      + `after deleting all applications ${mib(after)} (allowed ≤ baseline + ${ALLOWANCE_MIB} MiB = ${mib(baseline + ALLOWANCE_MIB)}, `
      + `and ≤ half-way ${mib(midway)} + ${GROWTH_MIB} MiB)\n`);
    if (after > baseline + ALLOWANCE_MIB) failures.push(`RSS after ${mib(after)} did not return near the baseline ${mib(baseline)}`);
    if (after > midway + GROWTH_MIB) failures.push(`RSS kept growing: ${mib(midway)} half-way, ${mib(after)} at the end`);
  } catch (error) {
    failures.push((error as Error).message);
  } finally {
    clearInterval(sampler);
    server.child.kill('SIGTERM');
  }
  for (const f of [...new Set(failures)].slice(0, 20)) process.stdout.write(`  failure: ${f}\n`);
  process.stdout.write(failures.length === 0 ? 'PASS\n' : `FAIL (${failures.length} problems)\n`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
