/**
 * Property-based tests of the reference server's inputs (fast-check), over real HTTP to a server on port 0:
 * arbitrary JSON values, byte strings and member mixes (hostile keys, huge numbers, deep nesting, lone surrogates,
 * invalid UTF-8) on startMessaging, decline, addMessaging and the token endpoint, plus arbitrary paths and methods.
 * Every answer is 2xx or 4xx, every 4xx has the profile's error shape (the token endpoint: RFC 6749's), a refused
 * request changes nothing observable, and the server keeps serving. Deterministic: FUZZ_SEED (default below) and
 * FUZZ_RUNS (default 200 per property) replay a run; the seed is printed on failure.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import fc from 'fast-check';
import { type RunningReference, startReferenceServer } from '../reference/server';
import { fetchJson, type Json, type Resp } from './support/fetch-json';

const P = 'ms:rtc:saas:';
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_126);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const CODES: Record<number, string> = {
  400: 'BadRequest', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge',
  414: 'RequestUriTooLong', 415: 'UnsupportedMediaType',
};


let server: RunningReference;
const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
let aliceApp: Json;
let bobApp: Json;
const bobEvents: Json[] = [];
const listening = new AbortController();
let bobLoop: Promise<void>;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

async function send(method: string, href: string, opts: { token?: string; body?: string | Uint8Array; type?: string | undefined } = {}): Promise<Resp> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.type !== undefined) headers['Content-Type'] = opts.type;
  return fetchJson(new URL(href, server.url), { method, headers, body: opts.body });
}

const json = (method: string, href: string, who: 'alice' | 'bob', body?: unknown): Promise<Resp> =>
  send(method, href, { token: tokens[who], body: body === undefined ? undefined : JSON.stringify(body), type: body === undefined ? undefined : 'application/json' });

/** Never a 5xx; a 4xx has the profile error body `{code, subcode?, message?, parameters?}` with the status's code. */
function checkAnswer(r: Resp, what: string, oauth = false): void {
  assert.ok(r.status >= 200 && r.status < 500, `${what}: status ${r.status} ${r.text.slice(0, 300)}`);
  if (r.status < 400) return;
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, `${what}: ${r.status} media type`);
  const body = JSON.parse(r.text) as Json;
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), `${what}: error body ${r.text}`);
  if (oauth && r.status === 400) {
    assert.equal(typeof body.error, 'string', `${what}: OAuth error body ${r.text}`);
    assert.equal(body.access_token, undefined);
    return;
  }
  assert.equal(body.code, CODES[r.status], `${what}: code of ${r.status} in ${r.text}`);
  for (const member of ['subcode', 'message']) {
    assert.ok(body[member] === undefined || typeof body[member] === 'string', `${what}: ${member} in ${r.text}`);
  }
  if (body.parameters !== undefined) {
    assert.ok(Object.values(body.parameters as Json).every((v) => typeof v === 'string'), `${what}: parameters in ${r.text}`);
  }
}

async function runProperty<T>(name: string, arb: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
  try {
    await fc.assert(fc.asyncProperty(arb, check), { seed: SEED, numRuns: RUNS, includeErrorInReport: true });
  } catch (error) {
    process.stderr.write(`\n${name}: failed with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (set them to replay)\n`);
    throw error;
  }
}

// ---- generators ---------------------------------------------------------------------------------------------------

/** Strings of arbitrary UTF-16 code units, lone surrogates included. */
const codeUnits = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xd800, max: 0xdfff }),
  fc.integer({ min: 0, max: 0xffff })), { maxLength: 24 }).map((units) => String.fromCharCode(...units));

const hostileNumbers = fc.constantFrom('1e400', '-1e400', '1e-400', '12345678901234567890', '-98765432109876543210', '-0',
  '0.1e999999', '1.7976931348623157e308', '9007199254740993');

/** JSON text of a value: arbitrary JSON, hostile numbers, odd strings, deep nesting (within the 64 KiB limit). */
const rawValue = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 4 },
  { arbitrary: hostileNumbers, weight: 2 },
  { arbitrary: codeUnits.map((s) => JSON.stringify(s)), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 6_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`), weight: 1 },
  { arbitrary: fc.constantFrom('"sip:carol@example.com"', '"sip:nobody@example.com"', '"sip:bob@example.com"', '"Urgent"', '"Local"',
    '"x"', '{"message":{"href":"data:text/plain,hi"}}', '{"message":{"href":"data:,%"}}', '{"__proto__":{"message":{"href":"data:,x"}}}',
    '{"message":{"__proto__":{"href":"data:,x"}}}', '{"polluted":1}', '{"prototype":{"polluted":1}}', '["Messaging"]', 'null'), weight: 3 },
);

const memberName = fc.oneof(
  fc.constantFrom('to', 'operationId', 'subject', 'importance', 'threadId', '_links', 'reason', 'sessionContext',
    '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'),
  codeUnits,
);

/** A JSON object text with arbitrary members (duplicate keys and `__proto__` written literally, not via JS objects). */
const objectText = fc.array(fc.tuple(memberName, rawValue), { maxLength: 8 })
  .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

/**
 * A member mix for one endpoint: each known member absent, valid, or an arbitrary value, plus hostile or unknown
 * members, in random order; about a third of them are valid requests.
 */
function memberMix(valid: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const known = Object.entries(valid).map(([name, arb]) => fc.option(fc.oneof({ arbitrary: arb, weight: 5 }, { arbitrary: rawValue, weight: 1 }),
    { nil: undefined, freq: 3 }).map((v) => (v === undefined ? [] : [[name, v] as [string, string]])));
  const hostile = fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'sessionContext',
    'telemetryId', 'polluted'), codeUnits), rawValue), { maxLength: 3 });
  return fc.tuple(fc.tuple(...known), hostile).chain(([members, extra]) => fc.shuffledSubarray([...members.flat(), ...extra],
    { minLength: members.flat().length + extra.length }))
    .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

const text = (maxLength: number): fc.Arbitrary<string> => fc.string({ maxLength, unit: 'grapheme' }).map((v) => JSON.stringify(v));
const message = fc.constantFrom('{"message":{"href":"data:text/plain;charset=utf-8,Hi%20Bob%2B"}}',
  '{"message":{"href":"data:text/plain;base64,SGk="}}', '{"message":{"href":"data:,"}}');
const startMessagingMix = memberMix({
  to: fc.constantFrom('"sip:carol@example.com"', '"sip:nobody@example.com"', '"SIP:Nobody@Example.com;transport=tls"', '"sip:bob@example.com"'),
  subject: text(250),
  importance: fc.constantFrom('"Normal"', '"Urgent"', '"Emergency"'),
  threadId: text(250),
  operationId: fc.uuid().map((v) => JSON.stringify(v)),
  _links: message,
});
const declineMix = memberMix({ reason: fc.constantFrom('"Local"', '"Global"', '"Unknown"', '"CodecMismatch"', 'null') });
const addMessagingMix = memberMix({ operationId: fc.uuid().map((v) => JSON.stringify(v)), _links: message });

/** A request body: object texts, bare JSON values, truncated JSON, arbitrary text or bytes, invalid UTF-8 in a string, nothing. */
const bodyBytes: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: objectText, weight: 6 },
  { arbitrary: rawValue, weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 512 }), weight: 1 },
  { arbitrary: objectText.chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))), weight: 2 },
  { arbitrary: fc.string({ maxLength: 64 }), weight: 1 },
  { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.concat([Buffer.from('{"to":"sip:carol@example.com","subject":"'),
    Buffer.from(b.map((x) => x | 0x80)), Buffer.from('"}')])), weight: 1 },
  { arbitrary: fc.constant(''), weight: 1 },
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.microsoft.com.ucwa+json',
  'APPLICATION/JSON;charset=UTF-8', 'text/plain', 'application/x-www-form-urlencoded', '', undefined);

const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.microsoft.com.ucwa+json');
/** A request to an endpoint: its member mix as JSON, or anything else with any media type. */
const request = (mix: fc.Arbitrary<string>): fc.Arbitrary<{ body: string | Uint8Array; type: string | undefined }> => fc.oneof(
  { arbitrary: fc.record({ body: mix as fc.Arbitrary<string | Uint8Array>, type: jsonType as fc.Arbitrary<string | undefined> }), weight: 1 },
  { arbitrary: fc.record({ body: bodyBytes, type: contentType }), weight: 1 },
);

// ---- fixtures -----------------------------------------------------------------------------------------------------

async function signIn(username: 'alice' | 'bob'): Promise<void> {
  const form = new URLSearchParams({ grant_type: 'password', username, password: `${username}-Pa55word` });
  const r = await send('POST', '/oauth/token', { body: form.toString(), type: 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 200);
  tokens[username] = r.json.access_token as string;
}

async function createApp(who: 'alice' | 'bob'): Promise<Json> {
  const r = await json('POST', '/ucwa/v1/applications', who, { userAgent: 'fuzz', endpointId: crypto.randomUUID(), culture: 'en-US' });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function listenBob(): Promise<void> {
  let href = bobApp._links[`${P}events`].href as string;
  while (!listening.signal.aborted) {
    let res: Response;
    try {
      res = await fetch(new URL(href, server.url), { headers: { Authorization: `Bearer ${tokens.bob}` }, signal: listening.signal });
    } catch {
      return;
    }
    const batch = (await res.json()) as Json;
    if (res.status !== 200) return;
    for (const sender of batch.sender ?? []) for (const e of sender.events) bobEvents.push(e);
    href = (batch._links.next ?? batch._links.resync).href as string;
  }
}

/** A new alice → bob invitation: the outgoing Location and bob's incoming invitation as his `started` event embeds it. */
async function invite(): Promise<{ location: string; inc: Json }> {
  const threadId = `fuzz-${crypto.randomUUID()}`;
  const sm = await json('POST', aliceApp._embedded[`${P}communication`]._links[`${P}startMessaging`].href, 'alice', { to: 'sip:bob@example.com', threadId });
  assert.equal(sm.status, 201, sm.text);
  for (let i = 0; i < 300; i++) {
    const e = bobEvents.find((x) => x.type === 'started' && x._embedded?.[`${P}messagingInvitation`]?.threadId === threadId);
    if (e) return { location: sm.headers.get('location')!, inc: e._embedded[`${P}messagingInvitation`] };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no started event for bob');
}

const startMessagingHref = (): string => aliceApp._embedded[`${P}communication`]._links[`${P}startMessaging`].href;

describe('reference server fuzz (fast-check)', () => {
  before(async () => {
    server = await startReferenceServer({ noAnswerTimeoutSeconds: 600 });
    await signIn('alice');
    await signIn('bob');
    aliceApp = await createApp('alice');
    bobApp = await createApp('bob');
    const available = await json('POST', bobApp._embedded[`${P}me`]._links[`${P}makeMeAvailable`].href, 'bob', { supportedModalities: ['Messaging'] });
    assert.equal(available.status, 204);
    bobLoop = listenBob();
  });

  after(async () => {
    listening.abort();
    await bobLoop;
    await server.close();
  });

  afterEach(async () => {
    // still serving, unchanged for a normal request, and no prototype touched
    assert.equal(({} as Json).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
    const app = await json('GET', aliceApp._links.self.href, 'alice');
    assert.equal(app.status, 200);
    assert.equal(app.json.rel, `${P}application`);
    const check = await json('POST', startMessagingHref(), 'alice', { to: 'sip:nobody@example.com', subject: 'after fuzzing' });
    assert.equal(check.status, 201, check.text);
    assert.equal((await json('GET', check.headers.get('location')!, 'alice')).json.subject, 'after fuzzing');
    assert.equal(server.app.stats().pendingEventRequests, 1, "bob's P-GET is still pending");
  });

  test('startMessaging: arbitrary bodies and media types → 201 or a 4xx that created nothing', async () => {
    let created = 0;
    let refused = 0;
    await runProperty('startMessaging', request(startMessagingMix), async ({ body, type }) => {
      const before = server.app.stats().invitations;
      const r = await send('POST', startMessagingHref(), { token: tokens.alice, body, type });
      checkAnswer(r, `startMessaging ${String(body).slice(0, 200)}`);
      if (r.status < 400) {
        assert.equal(r.status, 201);
        assert.ok(r.headers.get('location'));
        created++;
      } else {
        assert.equal(server.app.stats().invitations, before, 'a refused startMessaging created an invitation');
        refused++;
      }
    });
    assert.ok(created > 0 && refused > created, `created ${created}, refused ${refused}`);
  });

  test('decline: arbitrary bodies on a live invitation → 204, or a 4xx after which it is still Connecting and answerable', async () => {
    let live: { location: string; inc: Json } | undefined;
    let declined = 0;
    await runProperty('decline', request(declineMix), async ({ body, type }) => {
      live ??= await invite();
      const before = server.app.stats();
      const r = await send('POST', live.inc._links[`${P}decline`].href, { token: tokens.bob, body, type });
      checkAnswer(r, `decline ${String(body).slice(0, 200)}`);
      const inc = await json('GET', live.inc._links.self.href, 'bob');
      const out = await json('GET', live.location, 'alice');
      if (r.status < 400) {
        assert.equal(r.status, 204);
        assert.deepEqual([inc.json.state, out.json.state], ['Failed', 'Failed']);
        live = undefined;
        declined++;
      } else {
        assert.deepEqual([inc.json.state, out.json.state], ['Connecting', 'Connecting'], 'a refused decline completed the invitation');
        assert.ok(inc.json._links[`${P}accept`] && inc.json._links[`${P}decline`], 'a refused decline answered the invitation');
        const now = server.app.stats();
        // (connectingInvitations is not compared: invitations to unknown targets complete on their own after 100 ms)
        assert.deepEqual([now.applications, now.invitations], [before.applications, before.invitations]);
      }
    });
    assert.ok(declined > 0, 'some bodies are valid declines');
  });

  test('addMessaging: arbitrary bodies on a Disconnected conversation → 201, or a 4xx that changed nothing', async () => {
    const { location } = await invite();
    const out = (await json('GET', location, 'alice')).json;
    assert.equal((await json('POST', out._links[`${P}cancel`].href, 'alice')).status, 204);
    const messagingHref = out._links[`${P}messaging`].href as string;
    const addHref = (await json('GET', messagingHref, 'alice')).json._links[`${P}addMessaging`].href as string;
    let added = 0;
    await runProperty('addMessaging', request(addMessagingMix), async ({ body, type }) => {
      const before = server.app.stats().invitations;
      const r = await send('POST', addHref, { token: tokens.alice, body, type });
      checkAnswer(r, `addMessaging ${String(body).slice(0, 200)}`);
      if (r.status < 400) {
        assert.equal(r.status, 201);
        added++;
        const inv = await json('GET', r.headers.get('location')!, 'alice');
        assert.equal((await json('POST', inv.json._links[`${P}cancel`].href, 'alice')).status, 204);
      } else {
        assert.equal(server.app.stats().invitations, before, 'a refused addMessaging created an invitation');
      }
      assert.equal((await json('GET', messagingHref, 'alice')).json.state, 'Disconnected');
    });
    assert.ok(added > 0, 'some bodies are valid addMessaging requests');
  });

  test('token endpoint: arbitrary forms and bytes → 200 only for the right password, else an OAuth 400; old tokens keep working', async () => {
    const field = (right: string, known: string[]): fc.Arbitrary<string | undefined> => fc.oneof({ arbitrary: fc.constant(right), weight: 3 },
      fc.constantFrom(...known), codeUnits, fc.constant(undefined));
    const form = fc.record({
      grant: field('password', ['PASSWORD', 'client_credentials', 'urn:example:unknown', '']),
      username: field('alice', ['alice@example.com', 'sip:alice@example.com', 'ALICE', 'bob', 'nobody', '__proto__', 'constructor']),
      password: field('alice-Pa55word', ['alice-Pa55wordx', '', 'bob-Pa55word']),
      extra: fc.array(fc.tuple(memberName, codeUnits), { maxLength: 3 }),
    }).map(({ grant, username, password, extra }) => {
      const params = new URLSearchParams();
      if (grant !== undefined) params.append('grant_type', grant);
      if (username !== undefined) params.append('username', username);
      if (password !== undefined) params.append('password', password);
      for (const [k, v] of extra) params.append(k, v);
      const user = ['alice', 'alice@example.com', 'sip:alice@example.com', 'ALICE'].includes(username ?? '') ? 'alice' : username === 'bob' ? 'bob' : undefined;
      const right = grant === 'password' && user !== undefined && password === `${user}-Pa55word`;
      return { body: params.toString() as string | Uint8Array, right: right && extra.every(([k]) => !['grant_type', 'username', 'password'].includes(k)) };
    });
    const bytes = fc.uint8Array({ maxLength: 256 }).map((b) => ({ body: b as string | Uint8Array, right: false }));
    const type = fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded;charset=UTF-8', 'application/json', 'text/plain', undefined);
    let issued = 0;
    await runProperty('token endpoint', fc.record({ input: fc.oneof({ arbitrary: form, weight: 3 }, { arbitrary: bytes, weight: 1 }), type }), async ({ input, type: t }) => {
      const r = await send('POST', '/oauth/token', { body: input.body, type: t });
      checkAnswer(r, `token ${String(input.body).slice(0, 200)}`, true);
      if (r.status === 200) {
        assert.ok(input.right && t?.startsWith('application/x-www-form-urlencoded'), `a token for ${String(input.body)}`);
        assert.deepEqual([typeof r.json.access_token, r.json.token_type, r.json.expires_in], ['string', 'Bearer', 3600]);
        issued++;
      } else {
        assert.ok(!(input.right && t?.startsWith('application/x-www-form-urlencoded')), `refused the right password: ${r.text}`);
      }
    });
    assert.ok(issued > 0, 'some forms carry the right password');
    assert.equal((await json('GET', '/autodiscover/user', 'alice')).status, 200);
  });

  test('arbitrary methods, paths and queries under an application → never a 5xx, nothing created or deleted', async () => {
    const segment = fc.oneof(fc.constantFrom('communication', 'messagingInvitations', 'conversations', 'me', 'makeMeAvailable',
      'accept', 'decline', 'cancel', 'messaging', 'participants', '..', '.', '', '%', '%00', '%E0%A4%A', '__proto__', 'constructor'),
    codeUnits.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))));
    const arb = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      segments: fc.array(segment, { minLength: 1, maxLength: 6 }),
      query: fc.constantFrom('', '?to=%zz', '?ack=1e400', '?to=sip:bob@example.com', `?x=${'y'.repeat(9000)}`, '?__proto__[polluted]=1'),
      body: fc.option(bodyBytes, { nil: undefined }),
    });
    const self = aliceApp._links.self.href as string;
    await runProperty('paths', arb, async ({ method, segments, query, body }) => {
      const path = `${self}/${segments.join('/')}${query}`;
      if (/\/events(\?|$)/.test(path)) return;
      const before = server.app.stats();
      const r = await send(method, path, { token: tokens.alice, body: method === 'GET' || method === 'HEAD' ? undefined : body, type: 'application/json' });
      if (method !== 'HEAD') checkAnswer(r, `${method} ${path.slice(0, 200)}`);
      else assert.ok(r.status < 500, `HEAD ${path}: ${r.status}`);
      assert.ok(r.status >= 400 || method === 'GET', `${method} ${path}: ${r.status}`);
      const afterStats = server.app.stats();
      assert.deepEqual([afterStats.applications, afterStats.invitations], [before.applications, before.invitations]);
    });
  });
});

// ---- the listed bad inputs, case by case ----------------------------------------------------------------------------

/** Writes `head` and then `bodyBytes` of filler in 64 KiB chunks (respecting back-pressure) until the server closes. */
function rawExchange(url: string, head: string, bodyBytes = 0, chunked = false): Promise<{ response: string; written: number; closedMs: number }> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    let response = '';
    let written = 0;
    let closed = false;
    const socket = net.connect(Number(port), hostname);
    const filler = Buffer.alloc(64 * 1024, 0x61);
    const chunk = chunked ? Buffer.concat([Buffer.from('10000\r\n'), filler, Buffer.from('\r\n')]) : filler;
    const pump = (): void => {
      while (!closed && written < bodyBytes) {
        written += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (d) => {
      response += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      resolve({ response, written, closedMs: Date.now() - started });
    });
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

function parseRaw(response: string): { status: number; body: Json; headers: string } {
  const [head = '', body = ''] = response.split('\r\n\r\n', 2);
  return { status: Number(head.split(' ')[1]), body: body ? (JSON.parse(body) as Json) : {}, headers: head };
}

describe('reference server: the listed bad inputs', () => {
  let srv: RunningReference;
  let token = '';
  let smHref = '';
  const post = async (body: string | Uint8Array, type = 'application/json'): Promise<Resp> => {
    const res = await fetch(new URL(smHref, srv.url), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as Json) : {} };
  };

  before(async () => {
    srv = await startReferenceServer({});
    const form = new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-Pa55word' });
    const t = await fetch(`${srv.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    token = ((await t.json()) as Json).access_token as string;
    const app = await fetch(`${srv.url}/ucwa/v1/applications`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ userAgent: 'bad-input', endpointId: 'e', culture: 'en-US' }),
    });
    smHref = ((await app.json()) as Json)._embedded[`${P}communication`]._links[`${P}startMessaging`].href as string;
  });

  after(async () => {
    assert.equal(srv.app.stats().invitations, 4, 'only the four accepted requests created invitations');
    await srv.close();
  });

  test('deep nesting, huge numbers, hostile keys, invalid UTF-8, lone surrogates', async () => {
    const cases: [string, string | Uint8Array, number, string | undefined, string?][] = [
      ['100k nested arrays (over the size limit)', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 413, undefined],
      ['30k nested arrays', `${'['.repeat(30_000)}${']'.repeat(30_000)}`, 400, undefined],
      ['deep object in an unknown member', `{"to":"sip:carol@example.com","x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, 201, undefined],
      ['deep array as subject', `{"to":"sip:carol@example.com","subject":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, 400, 'ParameterValidationFailure', 'subject'],
      ['1e400', '{"to":"sip:carol@example.com","subject":1e400}', 400, 'ParameterValidationFailure', 'subject'],
      ['20-digit integer', '{"to":"sip:carol@example.com","importance":12345678901234567890}', 400, 'ParameterValidationFailure', 'importance'],
      ['__proto__ holding to', '{"__proto__":{"to":"sip:carol@example.com"}}', 400, 'ParameterValidationFailure', 'to'],
      ['__proto__ in _links', '{"to":"sip:carol@example.com","_links":{"__proto__":{"message":{"href":"data:,x"}}}}', 201, undefined],
      ['invalid UTF-8', Buffer.concat([Buffer.from('{"to":"sip:carol@example.com","subject":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), 400, undefined],
      ['lone high surrogate', '{"to":"sip:carol@example.com","subject":"a\\ud800b"}', 400, 'ParameterValidationFailure', 'subject'],
      ['lone low surrogate in a data URI', '{"to":"sip:carol@example.com","_links":{"message":{"href":"data:,\\udc00"}}}', 400, 'ParameterValidationFailure', 'message'],
      ['byte order mark', '\ufeff{"to":"sip:carol@example.com"}', 400, undefined],
    ];
    for (const [name, body, status, subcode, member] of cases) {
      const r = await post(body);
      checkAnswer(r, name);
      assert.equal(r.status, status, `${name}: ${r.text}`);
      if (status >= 400) assert.equal(r.json.subcode, subcode, `${name}: ${r.text}`);
      if (member) assert.ok(member in r.json.parameters, `${name}: ${r.text}`);
    }
    for (const body of ['{"to":"sip:carol@example.com","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
      '{"to":"sip:carol@example.com","prototype":{"polluted":1},"toString":1,"hasOwnProperty":2}']) {
      // extra hostile members are unknown members (WIRE-6): ignored, not merged anywhere
      assert.equal((await post(body)).status, 201);
    }
    assert.equal(({} as Json).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
  });

  test('over-long URLs and header fields get 414/431 with the error body; the server keeps serving', async () => {
    const long = await fetch(`${srv.url}/ucwa/v1/applications/${'a'.repeat(9000)}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(long.status, 414);
    assert.equal(((await long.json()) as Json).code, 'RequestUriTooLong');
    for (const head of [`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, `GET /autodiscover HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      `GET /autodiscover HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: v`).join('\r\n')}\r\n\r\n`]) {
      const r = parseRaw((await rawExchange(srv.url, head)).response);
      assert.equal(r.status, 431);
      assert.equal(r.body.code, 'RequestHeaderFieldsTooLarge');
    }
    const garbage = parseRaw((await rawExchange(srv.url, 'NOT HTTP AT ALL\r\n\r\n')).response);
    assert.deepEqual([garbage.status, garbage.body.code], [400, 'BadRequest']);
    assert.equal((await fetch(`${srv.url}/autodiscover`)).status, 200);
  });

  test('bodies over 64 KiB get 413 without being read whole; unread bodies are not drained', async () => {
    const auth = `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n`;
    const declared = await rawExchange(srv.url, `POST ${smHref} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 1000000000\r\n\r\n`, 1_000_000_000);
    assert.equal(parseRaw(declared.response).status, 413);
    assert.match(parseRaw(declared.response).headers, /Connection: close/i);
    const chunked = await rawExchange(srv.url, `POST ${smHref} HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n`, 1_000_000_000, true);
    assert.equal(parseRaw(chunked.response).status, 413);
    const unauthenticated = await rawExchange(srv.url, `POST ${smHref} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n`, 1_000_000_000);
    assert.equal(parseRaw(unauthenticated.response).status, 401);
    for (const r of [declared, chunked, unauthenticated]) {
      assert.ok(r.written < 64 * 1024 * 1024 && r.closedMs < 5000, `closed after ${r.written} bytes, ${r.closedMs} ms`);
    }
    assert.equal((await fetch(`${srv.url}/autodiscover`)).status, 200);
  });
});
