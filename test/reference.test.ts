import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ReferenceOptions } from '../reference/app';
import { type RunningReference, startReferenceServer } from '../reference/server';
import { fetchJson, type Json, type Resp } from './support/fetch-json';


interface Account {
  uri: string;
  username: string;
  password: string;
}

/** A small HTTP client over global fetch, resolving hrefs against the server's URL. */
class Client {
  constructor(readonly base: string) {}

  url(href: string): string {
    return new URL(href, this.base).toString();
  }

  async send(method: string, href: string, opts: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Resp> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] ??= 'application/json';
    }
    return fetchJson(this.url(href), { method, headers, body });
  }

  async token(account: Account): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'password', username: account.username, password: account.password });
    const res = await this.send('POST', '/oauth/token', { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 200, res.text);
    return res.json.access_token as string;
  }
}

/** A background P-GET loop collecting an application's events. */
class Channel {
  readonly events: Json[] = [];
  readonly batches: Json[] = [];
  private readonly abort = new AbortController();
  private href: string;
  private wake: (() => void) | undefined;
  finished: Promise<void>;

  constructor(private readonly client: Client, private readonly token: string, href: string) {
    this.href = href;
    this.finished = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let res: Response;
      try {
        res = await fetch(this.client.url(this.href), { headers: { Accept: 'application/json', Authorization: `Bearer ${this.token}` }, signal: this.abort.signal });
      } catch {
        return;
      }
      if (res.status !== 200) {
        await res.text();
        return;
      }
      const batch = (await res.json()) as Json;
      this.batches.push(batch);
      for (const sender of batch.sender ?? []) for (const e of sender.events) this.events.push({ ...e, sender });
      this.href = (batch._links.next ?? batch._links.resync).href;
      this.wake?.();
    }
  }

  /** Waits for an event matching `pred` and returns it. */
  async waitFor(pred: (e: Json) => boolean, ms = 2000, what = 'event'): Promise<Json> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.events.map((e) => [e.type, e.link?.href]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  stop(): void {
    this.abort.abort();
  }
}

/** One user with a token and an application on a running reference server. */
class Party {
  app!: Json;
  channel!: Channel;
  constructor(readonly client: Client, readonly account: Account, readonly token: string, readonly rel: (n: string) => string) {}

  static async create(client: Client, account: Account, rel: (n: string) => string, opts: { available?: boolean; listen?: boolean } = {}): Promise<Party> {
    const party = new Party(client, account, await client.token(account), rel);
    const res = await client.send('POST', '/ucwa/v1/applications', { token: party.token, json: { userAgent: 'reference-test/1.0', endpointId: crypto.randomUUID(), culture: 'en-US' } });
    assert.equal(res.status, 201, res.text);
    party.app = res.json;
    if (opts.available) {
      const r = await client.send('POST', party.embedded('me')._links[rel('makeMeAvailable')].href, { token: party.token, json: { supportedModalities: ['Messaging'] } });
      assert.equal(r.status, 204, r.text);
    }
    if (opts.listen !== false) party.channel = new Channel(client, party.token, party.app._links[rel('events')].href);
    return party;
  }

  embedded(name: string): Json {
    return this.app._embedded[this.rel(name)];
  }

  get startMessagingHref(): string {
    return this.embedded('communication')._links[this.rel('startMessaging')].href;
  }

  startMessaging(body: unknown, headers?: Record<string, string>): Promise<Resp> {
    return this.client.send('POST', this.startMessagingHref, { token: this.token, json: body, headers });
  }

  get(href: string): Promise<Resp> {
    return this.client.send('GET', href, { token: this.token });
  }

  post(href: string, json?: unknown, headers?: Record<string, string>): Promise<Resp> {
    return this.client.send('POST', href, { token: this.token, json, headers });
  }

  /** The invitation event of `type` whose embedded copy carries threadId. */
  invitationEvent(type: string, threadId: string, ms?: number): Promise<Json> {
    return this.channel.waitFor((e) => e.type === type && e._embedded?.[this.rel('messagingInvitation')]?.threadId === threadId, ms, `${type} for ${threadId}`);
  }

  async close(): Promise<void> {
    this.channel?.stop();
    await this.client.send('DELETE', this.app._links.self.href, { token: this.token });
  }
}

const relFor = (prefix: string) => (name: string) => (['self', 'next', 'resync', 'resume', 'customContent'].includes(name) ? name : prefix + name);
const thread = (): string => `t-${crypto.randomUUID()}`;
const decodeDataUri = (href: string): Buffer => {
  const comma = href.indexOf(',');
  const header = href.slice(0, comma);
  const data = href.slice(comma + 1);
  return header.endsWith(';base64') ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data.replace(/\+/g, ' ')), 'utf8');
};

interface Env {
  server: RunningReference;
  client: Client;
  users: Json;
  rel: (n: string) => string;
}

async function start(options: ReferenceOptions = {}): Promise<Env> {
  const server = await startReferenceServer(options);
  return { server, client: new Client(server.url), users: server.description.users as Json, rel: relFor(options.relPrefix ?? 'ms:rtc:saas:') };
}

describe('reference server: description and sign-in', () => {
  let env: Env;
  before(async () => {
    env = await start();
  });
  after(() => env.server.close());

  test('the description validates against the target-description schema with pairwise different uris', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'target-description.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const d = env.server.description as Json;
    assert.ok(validate(d), JSON.stringify(validate.errors));
    assert.equal(d.discoveryUrl, `${env.server.url}/autodiscover`);
    assert.equal(d.users.pairs.length, 8);
    assert.deepEqual(d.capabilities, { addMessaging: true, acceptAndBridge: true, startAdhocMeeting: true, customContent: true });
    const uris = [d.users.caller, d.users.callee, d.users.unavailable, ...d.users.pairs.flatMap((p: Json) => [p.caller, p.callee]),
      d.fixtures.invalidExchangeServerVersion, d.fixtures.tooManyGroups, d.fixtures.cannotRedirect].map((a: Json) => a.uri.toLowerCase());
    assert.equal(new Set(uris).size, uris.length);
  });

  test('discovery, 401 challenge, password grant and the user document', async () => {
    const { client, users } = env;
    const root = await client.send('GET', '/autodiscover');
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type')!, /^application\/json; charset=utf-8$/);
    const userHref = root.json._links.user.href;
    const unauth = await client.send('GET', userHref);
    assert.equal(unauth.status, 401);
    const challenge = unauth.headers.get('www-authenticate')!;
    assert.match(challenge, /^MsRtcOAuth href="([^"]+)",grant_type="password"$/);
    const tokenUrl = /href="([^"]+)"/.exec(challenge)![1]!;
    assert.equal(tokenUrl, `${env.server.url}/oauth/token`);
    const token = await client.token(users.caller);
    assert.equal((await client.send('GET', userHref, { token: 'invalid-123' })).status, 401);
    const user = await client.send('GET', userHref, { token });
    assert.equal(user.status, 200);
    assert.equal(user.json._links.applications.href, `${env.server.url}/ucwa/v1/applications`);
    assert.ok(!user.text.includes(token));

    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const wrong = await client.send('POST', tokenUrl, { body: `grant_type=password&username=alice&password=${users.caller.password}x`, headers: form });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    assert.equal(wrong.json.access_token, undefined);
    assert.ok(!wrong.text.includes(users.caller.password));
    const unknownGrant = await client.send('POST', tokenUrl, { body: 'grant_type=urn:example:unknown', headers: form });
    assert.equal(unknownGrant.status, 400);
    assert.equal(unknownGrant.json.error, 'unsupported_grant_type');
    const ok = await client.send('POST', tokenUrl, { body: `grant_type=password&username=alice&password=${users.caller.password}`, headers: form });
    assert.equal(ok.json.token_type, 'Bearer');
    assert.equal(ok.json.expires_in, 3600);
  });

  test('applications: APP-5 names the missing member, other users get 404, DELETE ends the channel', async () => {
    const { client, users, rel } = env;
    const token = await client.token(users.caller);
    const missing = await client.send('POST', '/ucwa/v1/applications', { token, json: { userAgent: 'x', endpointId: 'y' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.subcode, 'ParameterValidationFailure');
    assert.ok('culture' in missing.json.parameters);

    const alice = await Party.create(client, users.caller, rel, { listen: false });
    const bob = await Party.create(client, users.callee, rel, { listen: false });
    const events = alice.app._links[rel('events')].href;
    const foreign = await bob.get(alice.app._links.self.href);
    assert.equal(foreign.status, 404);
    assert.equal((await bob.get(events)).status, 404);
    assert.equal((await alice.get(alice.app._links.self.href)).json.rel, rel('application'));

    const pending = alice.get(events);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await client.send('DELETE', alice.app._links.self.href, { token: alice.token })).status, 204);
    const released = await pending;
    assert.equal(released.status, 404);
    assert.equal(released.json.subcode, 'ApplicationNotFound');
    const gone = await alice.get(events);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.code, 'NotFound');
    assert.equal(gone.json.subcode, 'ApplicationNotFound');
    await bob.close();
  });

  test('a second P-GET on the same ack answers the first 409 PGetReplaced and later delivers', async () => {
    const { client, users, rel } = env;
    const alice = await Party.create(client, users.caller, rel, { listen: false });
    const events = alice.app._links[rel('events')].href;
    const first = alice.get(events);
    await new Promise((r) => setTimeout(r, 50));
    const second = alice.get(events);
    const replaced = await first;
    assert.equal(replaced.status, 409);
    assert.equal(replaced.json.code, 'Conflict');
    assert.equal(replaced.json.subcode, 'PGetReplaced');
    const sm = await alice.startMessaging({ to: 'sip:nobody-0123456789abcdef0123456789abcdef@example.com' });
    assert.equal(sm.status, 201);
    const batch = await second;
    assert.equal(batch.status, 200);
    assert.equal(batch.json.sender[0].rel, rel('communication'));
    assert.equal(batch.json.sender[0].events[0].type, 'started');
    assert.equal(client.url(batch.json.sender[0].events[0].link.href), client.url(sm.headers.get('location')!));
    const again = await alice.get(batch.json._links.self.href);
    assert.deepEqual(again.json, batch.json);
    const idle = await alice.get(`${batch.json._links.next.href}&timeout=0.2`);
    assert.equal(idle.status, 200);
    assert.ok(Array.isArray(idle.json.sender));
    await alice.close();
  });
});

for (const prefix of ['ms:rtc:saas:', '', 'service:'] as const) {
  test(`dialect "${prefix}": application, invitation and event rels carry the prefix`, async () => {
    const env = await start({ relPrefix: prefix });
    try {
      const { client, users, rel } = env;
      const alice = await Party.create(client, users.caller, rel);
      const bob = await Party.create(client, users.callee, rel, { available: true });
      assert.equal(alice.app.rel, `${prefix}application`);
      assert.ok(alice.app._links[`${prefix}events`]);
      assert.ok(alice.embedded('me')._links[`${prefix}makeMeAvailable`]);
      const threadId = thread();
      const sm = await alice.startMessaging({ to: users.callee.uri, threadId, _links: { customContent: { href: 'data:application/json;base64,eyJhIjoxfQ==' } } });
      assert.equal(sm.status, 201);
      const started = await bob.invitationEvent('started', threadId);
      assert.equal(started.sender.rel, `${prefix}communication`);
      assert.equal(started.link.rel, `${prefix}messagingInvitation`);
      const inc = started._embedded[`${prefix}messagingInvitation`];
      assert.equal(inc.rel, `${prefix}messagingInvitation`);
      for (const name of ['conversation', 'messaging', 'accept', 'decline', 'acceptAndBridge', 'startAdhocMeeting']) assert.ok(inc._links[`${prefix}${name}`], name);
      assert.equal(decodeDataUri(inc._links.customContent.href).toString(), '{"a":1}');
      assert.equal(inc._embedded[`${prefix}from`].uri, users.caller.uri);
      const r = await bob.post(inc._links[`${prefix}decline`].href);
      assert.equal(r.status, 204);
      await alice.invitationEvent('completed', threadId);
      await alice.close();
      await bob.close();
    } finally {
      await env.server.close();
    }
  });
}

describe('reference server: invitation lifecycle', () => {
  let env: Env;
  before(async () => {
    env = await start();
  });
  after(() => env.server.close());

  test('accept: both sides complete Success, acceptedByParticipant, links follow §9.1, then stop/addMessaging', async () => {
    const { client, users, rel } = env;
    const alice = await Party.create(client, users.caller, rel);
    const bob = await Party.create(client, users.callee, rel, { available: true });
    const threadId = thread();
    const text = 'Hi Bob + ünï ✓\r\n';
    const sm = await alice.startMessaging({ to: users.callee.uri, operationId: 'op-1', subject: '<b>R&D "Q3"</b> – ünï', importance: 'Urgent', threadId,
      _links: { message: { href: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}` } } });
    assert.equal(sm.status, 201, sm.text);
    const location = sm.headers.get('location')!;
    const out = (await alice.get(location)).json;
    assert.equal(out.direction, 'Outgoing');
    assert.equal(out.state, 'Connecting');
    assert.equal(out.operationId, 'op-1');
    assert.equal(out.importance, 'Urgent');
    assert.ok(out._links[rel('cancel')]);
    assert.ok(out._links[rel('from')]);
    assert.equal(out._embedded?.[rel('acceptedByParticipant')], undefined);
    const outStarted = await alice.invitationEvent('started', threadId);
    assert.equal(client.url(outStarted.link.href), client.url(location));

    const started = await bob.invitationEvent('started', threadId);
    const inc = started._embedded[rel('messagingInvitation')];
    assert.equal(inc.direction, 'Incoming');
    assert.equal(inc.subject, '<b>R&D "Q3"</b> – ünï');
    assert.equal(inc.importance, 'Urgent');
    assert.equal(inc._links[rel('cancel')], undefined);
    assert.equal(decodeDataUri(inc._links[rel('message')].href).toString('utf8'), text);

    const acceptHref = inc._links[rel('accept')].href;
    assert.equal((await bob.post(acceptHref)).status, 204);
    const after = (await bob.get(started.link.href)).json;
    assert.equal(after._links[rel('accept')], undefined);
    assert.equal(after._links[rel('decline')], undefined);
    const again = await bob.post(acceptHref);
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'Conflict');
    assert.equal(again.json.subcode, undefined);

    const outDone = await alice.invitationEvent('completed', threadId);
    const incDone = await bob.invitationEvent('completed', threadId);
    assert.equal(outDone.status, 'Success');
    assert.equal(incDone.status, 'Success');
    const final = outDone._embedded[rel('messagingInvitation')];
    assert.equal(final.state, 'Connected');
    assert.equal(final._links[rel('cancel')], undefined);
    assert.equal(final._embedded[rel('acceptedByParticipant')][0].uri, users.callee.uri);
    assert.equal(alice.channel.events.filter((e) => e.link.href === outDone.link.href).length, 2);

    const cancelAfter = await alice.post(out._links[rel('cancel')].href);
    assert.equal(cancelAfter.status, 409);
    const messagingHref = out._links[rel('messaging')].href;
    const messaging = (await alice.get(messagingHref)).json;
    assert.equal(messaging.state, 'Connected');
    assert.equal((await alice.get(out._links[rel('conversation')].href)).json.rel, rel('conversation'));
    const from = await alice.get(out._links[rel('from')].href);
    assert.equal(from.json.uri, users.caller.uri);

    assert.equal((await alice.post(messaging._links[rel('stopMessaging')].href)).status, 204);
    const stopped = (await alice.get(messagingHref)).json;
    assert.equal(stopped.state, 'Disconnected');
    const addHref = stopped._links[rel('addMessaging')].href;
    assert.equal((await alice.post(addHref, { operationId: 'x'.repeat(51) })).json.subcode, 'ParameterValidationFailure');
    const add = await alice.post(addHref, { operationId: 'op-2' });
    assert.equal(add.status, 201);
    const twice = await alice.post(addHref, {});
    assert.equal(twice.status, 409);
    assert.equal(twice.json.subcode, 'AlreadyExists');
    const added = (await alice.get(add.headers.get('location')!)).json;
    assert.equal(added.to, users.callee.uri);
    assert.equal(added._links[rel('conversation')].href, out._links[rel('conversation')].href);
    const addedIncoming = await bob.channel.waitFor((e) => e.type === 'started' && e.link.href !== started.link.href);
    assert.equal((await bob.post(addedIncoming._embedded[rel('messagingInvitation')]._links[rel('accept')].href)).status, 204);
    assert.equal((await alice.channel.waitFor((e) => e.type === 'completed' && client.url(e.link.href) === client.url(add.headers.get('location')!))).status, 'Success');
    await alice.close();
    await bob.close();
  });

  test('decline: reasons are checked, Local is the default, both sides Failed with Declined', async () => {
    const { client, users, rel } = env;
    const alice = await Party.create(client, users.caller, rel);
    const bob = await Party.create(client, users.callee, rel, { available: true });
    for (const reason of [undefined, 'Global']) {
      const threadId = thread();
      assert.equal((await alice.startMessaging({ to: users.callee.uri, threadId })).status, 201);
      const inc = (await bob.invitationEvent('started', threadId))._embedded[rel('messagingInvitation')];
      const declineHref = inc._links[rel('decline')].href;
      const bad = await bob.post(declineHref, { reason: 'Sideways' });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.subcode, 'ParameterValidationFailure');
      assert.ok('reason' in bad.json.parameters);
      assert.equal((await bob.get(inc._links.self.href)).json.state, 'Connecting');
      assert.equal((await bob.post(declineHref, reason === undefined ? undefined : { reason })).status, 204);
      const outDone = await alice.invitationEvent('completed', threadId);
      const incDone = await bob.invitationEvent('completed', threadId);
      assert.deepEqual([outDone.status, outDone.reason.code, outDone.reason.subcode], ['Failure', 'RemoteFailure', 'Declined']);
      assert.deepEqual([incDone.status, incDone.reason.code, incDone.reason.subcode], ['Failure', 'LocalFailure', 'Declined']);
      assert.equal(outDone._embedded[rel('messagingInvitation')].state, 'Failed');
      assert.equal(outDone._embedded[rel('messagingInvitation')]._embedded?.[rel('acceptedByParticipant')], undefined);
      assert.equal((await bob.post(inc._links[rel('accept')].href)).status, 409);
    }
    await alice.close();
    await bob.close();
  });

  test('cancel: caller LocalFailure/Canceled, callee RemoteFailure/Canceled; answering afterwards is 409', async () => {
    const { client, users, rel } = env;
    const alice = await Party.create(client, users.caller, rel);
    const bob = await Party.create(client, users.callee, rel, { available: true });
    const threadId = thread();
    const sm = await alice.startMessaging({ to: users.callee.uri, threadId });
    const inc = (await bob.invitationEvent('started', threadId))._embedded[rel('messagingInvitation')];
    const out = (await alice.get(sm.headers.get('location')!)).json;
    assert.equal((await alice.post(out._links[rel('cancel')].href)).status, 204);
    const outDone = await alice.invitationEvent('completed', threadId);
    const incDone = await bob.invitationEvent('completed', threadId);
    assert.deepEqual([outDone.reason.code, outDone.reason.subcode], ['LocalFailure', 'Canceled']);
    assert.deepEqual([incDone.reason.code, incDone.reason.subcode], ['RemoteFailure', 'Canceled']);
    assert.equal((await bob.post(inc._links[rel('accept')].href)).status, 409);
    assert.equal((await bob.post(inc._links[rel('decline')].href)).status, 409);
    assert.equal((await alice.post(out._links[rel('cancel')].href)).status, 409);
    await alice.close();
    await bob.close();
  });

  test('unknown and unavailable targets get 201 and fail quickly; no incoming invitation appears', async () => {
    const { client, users, rel } = env;
    const alice = await Party.create(client, users.caller, rel);
    const bob = await Party.create(client, users.callee, rel, { available: true });
    const unknown = thread();
    const unavailable = thread();
    const t0 = Date.now();
    assert.equal((await alice.startMessaging({ to: 'sip:nobody-0123456789abcdef0123456789abcdef@example.com', threadId: unknown })).status, 201);
    assert.equal((await alice.startMessaging({ to: users.unavailable.uri, threadId: unavailable })).status, 201);
    const a = await alice.invitationEvent('completed', unknown);
    const b = await alice.invitationEvent('completed', unavailable);
    assert.ok(Date.now() - t0 < 1500);
    assert.deepEqual([a.status, a.reason.code, a.reason.subcode], ['Failure', 'NotFound', 'DestinationNotFound']);
    assert.deepEqual([b.status, b.reason.code, b.reason.subcode], ['Failure', 'RemoteFailure', 'TemporarilyUnavailable']);
    assert.equal(bob.channel.events.length, 0);
    await alice.close();
    await bob.close();
  });

  test('a callee that has not called makeMeAvailable counts as unavailable', async () => {
    const { client, users, rel } = env;
    const pair = users.pairs[0];
    const caller = await Party.create(client, pair.caller, rel);
    const callee = await Party.create(client, pair.callee, rel);
    const threadId = thread();
    assert.equal((await caller.startMessaging({ to: pair.callee.uri, threadId })).status, 201);
    const done = await caller.invitationEvent('completed', threadId);
    assert.equal(done.reason.subcode, 'TemporarilyUnavailable');
    assert.equal(callee.channel.events.length, 0);
    await caller.close();
    await callee.close();
  });

  test('synchronous errors: limits, malformed bodies, media types, conflicts, 405, 401 first, 404, fixtures, 413', async () => {
    const { client, users, rel } = env;
    const alice = await Party.create(client, users.caller, rel);
    const bob = await Party.create(client, users.callee, rel, { available: true });
    const to = users.callee.uri;
    const pvf = async (body: unknown, member: string) => {
      const r = await alice.startMessaging(body);
      assert.equal(r.status, 400, `${member}: ${r.text}`);
      assert.equal(r.json.code, 'BadRequest');
      assert.equal(r.json.subcode, 'ParameterValidationFailure');
      assert.ok(member in r.json.parameters, `${member}: ${r.text}`);
      assert.match(r.headers.get('content-type')!, /^application\/json/);
    };
    await pvf({ to, subject: 'a'.repeat(251) }, 'subject');
    await pvf({ to, subject: '\u{1F600}'.repeat(126) }, 'subject');
    await pvf({ to, operationId: 'o'.repeat(51) }, 'operationId');
    await pvf({ to, threadId: 't'.repeat(251) }, 'threadId');
    await pvf({ subject: 'no to' }, 'to');
    await pvf({ to: 'bob@example.com' }, 'to');
    await pvf({ to, importance: 'Critical' }, 'importance');
    await pvf({ to, _links: { message: { href: 'https://example.com/m' } } }, 'message');
    await pvf({ to: [to] }, 'to');

    for (const subject of ['\u{1F600}'.repeat(125), 'a'.repeat(250), 'é'.repeat(250)]) {
      const threadId = thread();
      const ok = await alice.startMessaging({ to, subject, threadId, operationId: 'o'.repeat(50) });
      assert.equal(ok.status, 201);
      assert.equal((await alice.get(ok.headers.get('location')!)).json.subject, subject);
      const inc = (await bob.invitationEvent('started', threadId))._embedded[rel('messagingInvitation')];
      assert.equal(inc.subject, subject);
      assert.equal((await bob.post(inc._links[rel('decline')].href)).status, 204);
    }

    const malformed = await client.send('POST', alice.startMessagingHref, { token: alice.token, body: `{"to":"${to}",`, headers: { 'Content-Type': 'application/json' } });
    assert.deepEqual([malformed.status, malformed.json.code, malformed.json.subcode], [400, 'BadRequest', undefined]);
    const array = await alice.startMessaging([]);
    assert.deepEqual([array.status, array.json.subcode], [400, undefined]);
    const textPlain = await client.send('POST', alice.startMessagingHref, { token: alice.token, body: JSON.stringify({ to }), headers: { 'Content-Type': 'text/plain' } });
    assert.deepEqual([textPlain.status, textPlain.json.code, textPlain.json.subcode], [410, 'Gone', undefined]);
    const viaQuery = await alice.post(`${alice.startMessagingHref}?to=${encodeURIComponent(to)}`, { operationId: 'q-1', sessionContext: crypto.randomUUID(), telemetryId: null });
    assert.equal(viaQuery.status, 201);
    const location = viaQuery.headers.get('location')!;
    const out = (await alice.get(location)).json;
    assert.equal(out.to, to);
    assert.equal(out.importance, 'Normal');
    assert.ok(out.threadId.length > 0);

    const reuse = await alice.startMessaging({ to, operationId: 'q-1' });
    assert.deepEqual([reuse.status, reuse.json.code, reuse.json.subcode], [409, 'Conflict', 'AlreadyExists']);
    const image = await client.send('GET', location, { token: alice.token, headers: { Accept: 'image/png' } });
    assert.deepEqual([image.status, image.json.code], [410, 'Gone']);

    const put = await client.send('PUT', location, { token: alice.token, json: {} });
    assert.equal(put.status, 405);
    assert.equal(put.json.code, 'MethodNotAllowed');
    assert.match(put.headers.get('allow')!, /GET/);
    const getCancel = await alice.get(out._links[rel('cancel')].href);
    assert.equal(getCancel.status, 405);
    assert.match(getCancel.headers.get('allow')!, /POST/);
    assert.equal((await alice.get(alice.startMessagingHref)).headers.get('allow'), 'POST');

    const probe = `${client.url(location)}x404`;
    assert.equal((await client.send('PUT', probe, {})).status, 401);
    assert.equal((await client.send('POST', out._links[rel('cancel')].href, { token: 'invalid-abc' })).status, 401);
    assert.equal((await client.send('POST', alice.startMessagingHref, { body: 'x', headers: { 'Content-Type': 'text/plain' } })).status, 401);
    const probed = await alice.get(probe);
    const foreign = await bob.get(location);
    const foreignCancel = await bob.post(out._links[rel('cancel')].href);
    for (const r of [probed, foreign, foreignCancel]) assert.deepEqual([r.status, r.json.code, r.json.subcode], [404, 'NotFound', undefined]);
    assert.equal((await alice.get(location)).json.state, 'Connecting');
    assert.equal((await alice.post(out._links[rel('cancel')].href)).status, 204);
    const afterCancel = await alice.startMessaging({ to, operationId: 'q-1' });
    assert.equal(afterCancel.status, 201);
    await alice.post((await alice.get(afterCancel.headers.get('location')!)).json._links[rel('cancel')].href);

    const fixtures = env.server.description.fixtures as Json;
    for (const [name, status, code, subcode] of [['invalidExchangeServerVersion', 500, 'ServiceFailure', 'InvalidExchangeServerVersion'],
      ['tooManyGroups', 409, 'Conflict', 'TooManyGroups'], ['cannotRedirect', 410, 'Gone', 'CannotRedirect']] as const) {
      const fx = await Party.create(client, fixtures[name], rel, { listen: false });
      const r = await fx.startMessaging({ to, threadId: thread() });
      assert.deepEqual([r.status, r.json.code, r.json.subcode], [status, code, subcode]);
      await fx.close();
    }

    const big = await client.send('POST', alice.startMessagingHref, { token: alice.token, json: { to, subject: 'x'.repeat(70_000) } });
    assert.equal(big.status, 413);
    assert.equal(env.server.app.stats().connectingInvitations, 0);
    await alice.close();
    await bob.close();
  });
});

describe('reference server: robustness', () => {
  test('odd methods, paths and bodies get a 4xx with the profile error shape, never a 5xx', async () => {
    const env = await start();
    try {
      const { client, users, rel } = env;
      const alice = await Party.create(client, users.caller, rel, { listen: false });
      const sm = await alice.startMessaging({ to: 'sip:nobody-0123456789abcdef0123456789abcdef@example.com' });
      const inv = sm.headers.get('location')!;
      const self = alice.app._links.self.href;
      const paths = ['/', '/ucwa', self, `${self}/`, `${self}/events?ack=abc`, `${self}/events?ack=0`, alice.startMessagingHref,
        `${alice.startMessagingHref}?to=%zz`, inv, `${inv}/decline`, `${inv}/%`, `${inv}/acceptAndBridge`,
        `${self}/communication/conversations/x/messaging`, '/ucwa/v1/applications/%E0%A4%A/x'];
      const bodies: [string, string][] = [['{', 'application/json'], ['null', 'application/json'], ['{"to":5,"subject":[],"_links":5}', 'application/json'],
        ['{"_links":{"message":{"href":"data:,%"}},"to":"sip:a@b"}', 'application/json'], ['{"reason":{}}', 'application/vnd.microsoft.com.ucwa+json'],
        ['{"supportedModalities":"Messaging"}', 'application/json'], ['x=1', 'application/x-www-form-urlencoded']];
      for (const method of ['PUT', 'POST', 'PATCH']) {
        for (const p of paths) {
          for (const [body, type] of bodies) {
            const r = await client.send(method, p, { token: alice.token, body, headers: { 'Content-Type': type } });
            assert.ok(r.status >= 400 && r.status < 500, `${method} ${p} ${body}: ${r.status} ${r.text}`);
            assert.equal(typeof r.json.code, 'string', `${method} ${p} ${body}: ${r.text}`);
            assert.match(r.headers.get('content-type')!, /^application\/json; charset=utf-8$/);
          }
        }
      }
      await alice.close();
    } finally {
      await env.server.close();
    }
  });
});

describe('reference server: configured variants', () => {
  test('no-answer timeout of 0.5 s fails both sides with Timeout inside the window', async () => {
    const env = await start({ noAnswerTimeoutSeconds: 0.5, unsupportedContentTypeStatus: 415 });
    try {
      const { client, users, rel } = env;
      assert.equal((env.server.description.timing as Json).noAnswerTimeoutSeconds, 0.5);
      const alice = await Party.create(client, users.caller, rel);
      const bob = await Party.create(client, users.callee, rel, { available: true });
      const threadId = thread();
      const t0 = Date.now();
      assert.equal((await alice.startMessaging({ to: users.callee.uri, threadId })).status, 201);
      const inc = (await bob.invitationEvent('started', threadId))._embedded[rel('messagingInvitation')];
      const outDone = await alice.invitationEvent('completed', threadId);
      const incDone = await bob.invitationEvent('completed', threadId);
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 450 && elapsed < 1500, `elapsed ${elapsed} ms`);
      assert.deepEqual([outDone.reason.code, outDone.reason.subcode], ['RemoteFailure', 'Timeout']);
      assert.deepEqual([incDone.reason.code, incDone.reason.subcode], ['LocalFailure', 'Timeout']);
      assert.equal((await bob.post(inc._links[rel('accept')].href)).status, 409);
      const unsupported = await client.send('POST', alice.startMessagingHref, { token: alice.token, body: '{}', headers: { 'Content-Type': 'text/plain' } });
      assert.deepEqual([unsupported.status, unsupported.json.code], [415, 'UnsupportedMediaType']);
      await alice.close();
      await bob.close();
      assert.deepEqual(env.server.app.stats(), { applications: 0, invitations: 0, connectingInvitations: 0, pendingEventRequests: 0 });
    } finally {
      await env.server.close();
    }
  });
});
