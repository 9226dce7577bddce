import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createApp } from '../reference/app';
import { nodeArgs } from '../bin/root';
import type { Ctx } from '../reference/context';
import { notFound } from '../reference/errors';
import { type Fault, FAULTS, SEAM_NAMES } from '../reference/faults';
import { faithfulSeams } from '../reference/seams';
import { TokenStore } from '../reference/tokens';
import { type RunningReference, startReferenceServer } from '../reference/server';

type Json = Record<string, any>;

const ROOT = path.join(__dirname, '..');
const CATALOGUE = new Set<string>(
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'features', 'requirements.json'), 'utf8')).requirements as { id: string }[]).map((r) => r.id),
);
const P = 'ms:rtc:saas:';

interface Resp {
  status: number;
  headers: Headers;
  json: Json;
  text: string;
}

/** A signed-in user with one application on a running server. */
class User {
  app: Json = {};
  constructor(readonly base: string, readonly token: string) {}

  static async signIn(server: RunningReference, username: string, opts: { available?: boolean } = {}): Promise<User> {
    const form = new URLSearchParams({ grant_type: 'password', username, password: `${username}-Pa55word` });
    const t = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    assert.equal(t.status, 200);
    const user = new User(server.url, ((await t.json()) as Json).access_token as string);
    const res = await user.send('POST', '/ucwa/v1/applications', { userAgent: 'faults-test', endpointId: crypto.randomUUID(), culture: 'en-US' });
    assert.equal(res.status, 201, res.text);
    user.app = res.json;
    if (opts.available) {
      const r = await user.send('POST', user.app._embedded[`${P}me`]._links[`${P}makeMeAvailable`].href, { supportedModalities: ['Messaging'] });
      assert.equal(r.status, 204, r.text);
    }
    return user;
  }

  async send(method: string, href: string, json?: unknown, signal?: AbortSignal): Promise<Resp> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${this.token}` };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(new URL(href, this.base), { method, headers, body: json === undefined ? undefined : JSON.stringify(json), signal });
    const text = await res.text();
    let body: Json = {};
    try {
      body = text ? (JSON.parse(text) as Json) : {};
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, json: body, text };
  }

  get startMessagingHref(): string {
    return this.app._embedded[`${P}communication`]._links[`${P}startMessaging`].href as string;
  }

  get eventsHref(): string {
    return this.app._links[`${P}events`].href as string;
  }

  /** startMessaging, then the new invitation as a GET shows it. */
  async invite(body: Json): Promise<{ start: Resp; invitation: Json }> {
    const start = await this.send('POST', this.startMessagingHref, body);
    const invitation = start.status === 201 ? (await this.send('GET', start.headers.get('location')!)).json : {};
    return { start, invitation };
  }
}

/** Runs `body` against a reference server with the given faults, closing it afterwards. */
async function withServer(faults: string[], body: (server: RunningReference) => Promise<void>): Promise<void> {
  const server = await startReferenceServer({ faults, noAnswerTimeoutSeconds: 2 });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

describe('fault switches: the catalogue', () => {
  test('every fault has a unique kebab-case name, a description and at least one catalogued requirement', () => {
    const seen = new Set<string>();
    for (const f of FAULTS) {
      assert.match(f.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, f.name);
      assert.ok(!seen.has(f.name), `duplicate ${f.name}`);
      seen.add(f.name);
      assert.ok(f.description.length > 10, f.name);
      assert.ok(f.breaks.length > 0, `${f.name} breaks nothing`);
      for (const id of f.breaks) assert.ok(CATALOGUE.has(id), `${f.name}: ${id} is not in features/requirements.json`);
      assert.equal(new Set(f.breaks).size, f.breaks.length, `${f.name}: repeated ID`);
    }
    assert.ok(FAULTS.length >= 70, `only ${FAULTS.length} faults`);
  });

  test('every fault declares a known seam and replaces only hooks that seam has, each with one of its own kind', () => {
    const faithful = faithfulSeams('ms:rtc:saas:', 410, new TokenStore());
    const ctx = { ...faithful } as unknown as Ctx;
    for (const f of FAULTS as readonly Fault[]) {
      assert.ok(SEAM_NAMES.includes(f.seam), `${f.name}: unknown seam ${String(f.seam)}`);
      const seam = faithful[f.seam] as unknown as Record<string, unknown>;
      const replaced = f.hook(faithful[f.seam] as never, ctx) as Record<string, unknown>;
      const keys = Object.keys(replaced);
      assert.ok(keys.length > 0, `${f.name} replaces nothing in ${f.seam}`);
      for (const k of keys) {
        assert.ok(k in seam, `${f.name}: ${f.seam} has no hook ${k}`);
        assert.equal(typeof replaced[k], typeof seam[k], `${f.name}: ${f.seam}.${k} changes kind`);
      }
    }
  });

  test('no module outside reference/faults/ names a fault, and the server never imports from steps/', () => {
    const dir = path.join(ROOT, 'reference');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const f of FAULTS) assert.ok(!source.includes(`'${f.name}'`), `reference/${file} names ${f.name}`);
      assert.doesNotMatch(source, /has\('[a-z-]+'\)|faults\./, `reference/${file} consults a fault set`);
      assert.doesNotMatch(source, /from '\.\.\/steps/, `reference/${file} imports from steps/`);
    }
  });

  test('without faults the seams are identities: same object back, one delivery, one apply, the configured timer', () => {
    const s = faithfulSeams('ms:rtc:saas:', 415, new TokenStore());
    const rep = { rel: 'x' };
    for (const [kind, hook] of Object.entries(s.represent)) {
      assert.equal((hook as (r: unknown, ...rest: unknown[]) => unknown)(rep, undefined, undefined), rep, `represent.${kind}`);
    }
    const ex = { req: {} as never, path: '/' };
    const reply = { status: 204 };
    assert.equal(s.replies.reply(reply, ex), reply);
    const error = notFound();
    assert.equal(s.replies.error(error, ex), error);
    const delivered: unknown[] = [];
    const app = {} as never;
    const event = { inv: {} as never, type: 'started' as const };
    s.events.queue(app, event, (a, e) => delivered.push([a, e]));
    assert.deepEqual(delivered, [[app, event]]);
    let refused = 0;
    s.events.replaced({ res: {} as never, self: 'a', next: 'a' }, () => refused++);
    assert.equal(refused, 1);
    let applied = 0;
    s.lifecycle.act({ kind: 'cancel', inv: {} as never }, () => applied++);
    s.lifecycle.complete({} as never, 'accepted', () => applied++);
    assert.equal(applied, 2);
    assert.equal(s.lifecycle.noAnswerDelayMs(30_000), 30_000);
    assert.deepEqual(s.lifecycle.unreachable('unknownTarget', 30_000), { outcome: 'unknownTarget', delayMs: 100 });
    assert.equal(s.access.foreign({} as never, {} as never, []), undefined);
    assert.equal(s.access.authenticate('Bearer never-issued'), undefined);
    const b = s.behaviour;
    const input = { to: 'sip:a@example.com', subject: ' x ', importance: 'Normal', threadId: 't' };
    assert.equal(b.delivered(input), input);
    assert.equal(b.conversationFor(app, input.to, undefined), undefined);
    assert.equal(b.unsupportedMediaStatus, 415);
    assert.equal(b.unknownMembers, 'ignored');
  });

  test('createApp rejects unknown fault names, listing them', () => {
    assert.throws(() => createApp({ faults: ['subject-limit-249', 'no-such-fault', 'other-typo'] }),
      (e: unknown) => e instanceof TypeError && /no-such-fault/.test(e.message) && /other-typo/.test(e.message) && !/subject-limit-249/.test(e.message));
    assert.throws(() => createApp({ faults: [42 as unknown as string] }), TypeError);
  });

  test('the description says FAULT and lists x-faults only when faults are on', () => {
    const plain = createApp();
    const d = plain.describe('http://127.0.0.1:1');
    assert.equal(d.name, 'UCWA reference server (ms:rtc:saas:)');
    assert.ok(!('x-faults' in d));
    plain.close();
    const broken = createApp({ faults: ['subject-limit-249', 'token-type-mac'], relPrefix: '' });
    const b = broken.describe('http://127.0.0.1:1');
    assert.equal(b.name, 'UCWA reference server (bare rels) — FAULT subject-limit-249, token-type-mac');
    assert.deepEqual(b['x-faults'], ['subject-limit-249', 'token-type-mac']);
    assert.deepEqual(plain.describe('http://127.0.0.1:1', ['cancel-link-missing-while-connecting'])['x-faults'], ['cancel-link-missing-while-connecting']);
    broken.close();
  });
});

describe('fault switches: every variant starts and serves discovery', () => {
  for (const f of FAULTS) {
    test(f.name, async () => {
      await withServer([f.name], async (server) => {
        const res = await fetch(`${server.url}/autodiscover`, { headers: { Accept: 'application/json' } });
        assert.equal(res.status, 200);
        const body = (await res.json()) as Json;
        assert.equal(typeof body._links, 'object');
        const user = body._links.user ?? body._links[`${P}user`];
        assert.ok(user, JSON.stringify(body));
        assert.equal(server.description['x-faults'] !== undefined, true);
      });
    });
  }
});

describe('fault switches: representative variants change behaviour over HTTP', () => {
  test('subject-limit-249: a 250-unit subject is refused (the faithful server accepts it)', async () => {
    for (const [faults, status] of [[[], 201], [['subject-limit-249'], 400]] as const) {
      await withServer([...faults], async (server) => {
        const alice = await User.signIn(server, 'alice');
        const { start } = await alice.invite({ to: 'sip:nobody@example.com', subject: 'a'.repeat(250) });
        assert.equal(start.status, status, start.text);
        if (status === 400) assert.deepEqual(Object.keys(start.json.parameters), ['subject']);
      });
    }
  });

  test('subject-counts-code-points: 126 × U+1F600 is accepted, 251 × a still refused', async () => {
    await withServer(['subject-counts-code-points'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      assert.equal((await alice.invite({ to: 'sip:nobody@example.com', subject: '\u{1F600}'.repeat(126) })).start.status, 201);
      assert.equal((await alice.invite({ to: 'sip:nobody@example.com', subject: 'a'.repeat(251) })).start.status, 400);
    });
  });

  test('cancel-link-missing-while-connecting: the Connecting outgoing invitation has no cancel link', async () => {
    await withServer(['cancel-link-missing-while-connecting'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      await User.signIn(server, 'bob', { available: true });
      const { invitation } = await alice.invite({ to: 'sip:bob@example.com' });
      assert.equal(invitation.state, 'Connecting');
      assert.ok(!(`${P}cancel` in invitation._links), JSON.stringify(invitation._links));
      assert.ok(invitation._links[`${P}from`]);
    });
  });

  test('method-not-allowed-without-allow: PUT on an invitation is 405 without Allow', async () => {
    await withServer(['method-not-allowed-without-allow'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      const { start } = await alice.invite({ to: 'sip:nobody@example.com' });
      const put = await alice.send('PUT', start.headers.get('location')!, {});
      assert.equal(put.status, 405);
      assert.equal(put.headers.get('allow'), null);
      assert.equal(put.json.code, 'MethodNotAllowed');
    });
  });

  test('pget-not-replaced: the first P-GET is left hanging while the second takes over', async () => {
    await withServer(['pget-not-replaced'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      const abort = new AbortController();
      let firstSettled = false;
      const first = alice.send('GET', alice.eventsHref, undefined, abort.signal).then(() => { firstSettled = true; }, () => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const second = alice.send('GET', alice.eventsHref);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(firstSettled, false, 'the replaced P-GET was answered');
      await alice.invite({ to: 'sip:nobody@example.com' });
      const batch = await second;
      assert.equal(batch.status, 200);
      assert.equal(batch.json.sender[0].events[0].type, 'started');
      abort.abort();
      await first;
    });
  });

  test('failure-without-reason: a cancelled invitation completes Failure without reason', async () => {
    await withServer(['failure-without-reason'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      await User.signIn(server, 'bob', { available: true });
      const { invitation } = await alice.invite({ to: 'sip:bob@example.com' });
      const first = await alice.send('GET', alice.eventsHref);
      assert.equal(first.json.sender[0].events[0].type, 'started');
      assert.equal((await alice.send('POST', invitation._links[`${P}cancel`].href)).status, 204);
      const second = await alice.send('GET', first.json._links.next.href);
      const completed = second.json.sender[0].events[0];
      assert.equal(completed.type, 'completed');
      assert.equal(completed.status, 'Failure');
      assert.ok(!('reason' in completed));
    });
  });

  test('not-found-code-gone: the probe URL answers 404 with code Gone', async () => {
    await withServer(['not-found-code-gone'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      const { start } = await alice.invite({ to: 'sip:nobody@example.com' });
      const probe = await alice.send('GET', `${start.headers.get('location')!}x404`);
      assert.equal(probe.status, 404);
      assert.equal(probe.json.code, 'Gone');
    });
  });

  test('wrong-password-accepted and token-type-mac change the token endpoint', async () => {
    await withServer(['wrong-password-accepted', 'token-type-mac'], async (server) => {
      const form = new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-Pa55wordx' });
      const res = await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as Json).token_type, 'MAC');
    });
  });

  test('no-answer-timeout-early: an unanswered invitation fails at about N/3', async () => {
    await withServer(['no-answer-timeout-early'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      await User.signIn(server, 'bob', { available: true });
      const { start } = await alice.invite({ to: 'sip:bob@example.com' });
      await new Promise((r) => setTimeout(r, 1000));
      const inv = (await alice.send('GET', start.headers.get('location')!)).json;
      assert.equal(inv.state, 'Failed');
      assert.deepEqual([inv._embedded, inv._links[`${P}cancel`]], [undefined, undefined]);
    });
  });

  test('invalid-parameter-without-parameters: 400 ParameterValidationFailure has no parameters', async () => {
    await withServer(['invalid-parameter-without-parameters'], async (server) => {
      const alice = await User.signIn(server, 'alice');
      const { start } = await alice.invite({ to: 'sip:nobody@example.com', importance: 'Critical' });
      assert.equal(start.status, 400);
      assert.equal(start.json.subcode, 'ParameterValidationFailure');
      assert.ok(!('parameters' in start.json));
    });
  });
});

describe('fault switches: the standalone server flag', () => {
  let child: ReturnType<typeof spawn> | undefined;
  after(() => {
    child?.kill('SIGTERM');
  });

  test('--fault prints FAULT in the name, x-faults, and a warning on stderr', async () => {
    child = spawn(process.execPath, [...nodeArgs('reference/main.ts'), '--port', '0',
      '--fault', 'subject-limit-249', '--fault=token-type-mac'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => { out += c; });
    child.stderr!.on('data', (c: Buffer) => { err += c; });
    const deadline = Date.now() + 15_000;
    while (!err.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const description = JSON.parse(out) as Json;
    assert.match(description.name as string, /— FAULT subject-limit-249, token-type-mac$/);
    assert.deepEqual(description['x-faults'], ['subject-limit-249', 'token-type-mac']);
    assert.match(err, /DELIBERATELY BROKEN/);
  });

  test('an unknown --fault exits 2 naming it', async () => {
    const run = spawn(process.execPath, nodeArgs('reference/main.ts', '--port', '0', '--fault', 'nope-nope'),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    run.stderr!.on('data', (c: Buffer) => { err += c; });
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /nope-nope/);
  });
});
