/**
 * The reference server's Trusted Application API surface (PROFILE.md §15, TARGET.md §9; issue #12): client-credentials
 * tokens, discovery, applications by endpointId, startMessaging with callbackUrl, and callbacks to a receiver stub in
 * this process — signed (verified with jose against the served JWKS), serial per conversation, with callbackContext —
 * and invitations between UCWA users and TAA endpoints both ways. Real HTTP throughout; no timing in any assertion.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createRemoteJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { type RunningReference, startReferenceServer } from '../reference/server';
import { fetchJson, type Json, type Resp } from './support/fetch-json';

const ROOT = path.join(__dirname, '..');
const R = 'service:';

/** One callback POST the stub received, and what it answered. */
interface Received {
  path: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Json;
  seq: number;
  /** Order stamps (a shared counter, not a clock): arrival and the moment the answer was written. */
  arrived: number;
  answered?: number;
}

interface Rule {
  match: (r: Received) => boolean;
  status?: number;
  body?: unknown;
  /** Answer only once this promise settles (the test decides when). */
  hold?: Promise<void>;
  once?: boolean;
}

/** A tiny callback receiver: records every POST, answers 200 unless a rule says otherwise. */
class Receiver {
  readonly received: Received[] = [];
  private readonly rules: Rule[] = [];
  private waiters: (() => void)[] = [];
  private stamp = 0;
  private server!: http.Server;
  origin = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', this.origin);
        let body: Json = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
        } catch { /* recorded as {} */ }
        const r: Received = {
          path: url.pathname, url: url.href, authorization: req.headers.authorization, contentType: req.headers['content-type'],
          body, seq: this.received.length, arrived: ++this.stamp,
        };
        this.received.push(r);
        const i = this.rules.findIndex((rule) => rule.match(r));
        const rule = i >= 0 ? this.rules[i] : undefined;
        if (rule?.once) this.rules.splice(i, 1);
        const reply = (): void => {
          r.answered = ++this.stamp;
          const text = rule?.body === undefined ? '' : JSON.stringify(rule.body);
          res.writeHead(rule?.status ?? 200, text ? { 'Content-Type': 'application/json' } : {});
          res.end(text);
        };
        if (rule?.hold) void rule.hold.then(reply);
        else reply();
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  rule(rule: Rule): void {
    this.rules.push(rule);
  }

  /** The first callback (in arrival order) after `from` that satisfies `pred`. */
  async waitFor(pred: (r: Received) => boolean, what: string, from = 0): Promise<Received> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = this.received.slice(from).find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no callback: ${what}; got ${JSON.stringify(this.received.map((r) => [r.url, kinds(r)]))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The events of a callback batch, flattened: rel, type, href (relative, as sent), embedded resource. */
function events(r: Received): { rel: string; type: string; href: string; embedded?: Json; status?: string }[] {
  const out = [];
  for (const sender of (r.body.sender ?? []) as Json[]) {
    for (const e of (sender.events ?? []) as Json[]) {
      out.push({ rel: e.link.rel as string, type: e.type as string, href: e.link.href as string, embedded: e._embedded?.[e.link.rel], status: e.status });
    }
  }
  return out;
}
const kinds = (r: Received): string[] => events(r).map((e) => `${e.rel.replace(R, '')}:${e.type}`);
const invitationEvent = (r: Received, type: string) => events(r).find((e) => e.rel === `${R}messagingInvitation` && e.type === type);

function send(url: string, method: string, bearer?: string, body?: string, headers: Record<string, string> = {}): Promise<Resp> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  return fetchJson(url, { method, headers: h, body });
}

type Account = Json & { uri: string };

/** The project's schemas (every schemas/*.schema.json by its $id) and the dialect's prefix taken off, as the suite reads documents. */
function schemaCheck(): (id: string, doc: unknown) => string | undefined {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const dir = path.join(ROOT, 'schemas');
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.schema.json')) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Json);
  return (id, doc) => {
    const validate = ajv.getSchema(id);
    if (!validate) return `no schema ${id}`;
    const canonical = JSON.parse(JSON.stringify(doc).replaceAll(`"${R}`, '"')) as unknown;
    return validate(canonical) ? undefined : JSON.stringify(validate.errors);
  };
}
const hex = (): string => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The client side of the tests: tokens, links from discovery, UCWA users with their P-GET, pairs by name. */
function helpers(server: RunningReference) {
  const d = server.description as Json;
  const taa = d.taa as Json;
  const tokens = new Map<string, string>();

  /** A TAA account's token (client-credentials grant, v1), cached per client id. */
  async function taaToken(a: Account): Promise<string> {
    const cached = tokens.get(a.clientId as string);
    if (cached) return cached;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret, resource: taa.token.resource });
    const res = await send(taa.token.url as string, 'POST', undefined, form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 200, res.text);
    tokens.set(a.clientId as string, res.json.access_token as string);
    return res.json.access_token as string;
  }

  /** A TAA endpoint's communication resource, found by links from discovery (hrefs resolved against each response's URL). */
  async function communication(a: Account): Promise<{ token: string; comm: Json; commUrl: string; appUrl: string }> {
    const token = await taaToken(a);
    const disc = await send(taa.discoverUrl as string, 'GET', token);
    const apps = new URL(disc.json._links[`${R}applications`].href as string, taa.discoverUrl as string);
    apps.searchParams.set('endpointId', a.uri);
    const list = await send(apps.href, 'GET', token);
    assert.equal(list.status, 200, list.text);
    const appUrl = new URL(list.json._links[`${R}application`].href as string, apps).href;
    const app = await send(appUrl, 'GET', token);
    assert.equal(app.status, 200, app.text);
    const comm = app.json._embedded[`${R}communication`] as Json;
    return { token, comm, commUrl: new URL(comm._links.self.href as string, appUrl).href, appUrl };
  }

  /** A UCWA user signed in with an available application, and a P-GET reader of its events. */
  async function ucwaUser(a: Account) {
    const form = new URLSearchParams({ grant_type: 'password', username: a.username, password: a.password });
    const tok = await send(`${server.url}/oauth/token`, 'POST', undefined, form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(tok.status, 200, tok.text);
    const token = tok.json.access_token as string;
    const app = await send(`${server.url}/ucwa/v1/applications`, 'POST', token, JSON.stringify({ userAgent: 't', endpointId: hex(), culture: 'en-US' }));
    assert.equal(app.status, 201, app.text);
    const me = app.json._embedded[`${R}me`];
    assert.equal((await send(`${server.url}${me._links[`${R}makeMeAvailable`].href}`, 'POST', token, '{}')).status, 204);
    let next = app.json._links[`${R}events`].href as string;
    const seen: Json[] = [];
    return {
      token,
      app: app.json,
      startUrl: `${server.url}${app.json._embedded[`${R}communication`]._links[`${R}startMessaging`].href}`,
      /** Polls until an invitation event of `type` satisfying `pred` arrives. */
      async invitationEvent(type: string, pred: (inv: Json) => boolean = () => true): Promise<Json> {
        for (let i = 0; i < 50; i++) {
          const hit = seen.find((e) => e.type === type && pred(e));
          if (hit) return hit;
          const batch = await send(`${server.url}${next}&timeout=5`, 'GET', token);
          next = (batch.json._links.next ?? batch.json._links.resync).href as string;
          for (const s of batch.json.sender ?? []) for (const e of s.events ?? []) if (e.link.rel === `${R}messagingInvitation`) seen.push({ ...e, inv: e._embedded?.[e.link.rel] });
        }
        throw new Error(`no ${type} event`);
      },
    };
  }

  const pair = (caller: string, callee: string, i = 1): { caller: Account; callee: Account } => {
    const p = (d.users.pairs as { caller: Account; callee: Account }[]).find((x) => x.caller.uri === `sip:${caller}${i}@example.com`);
    assert.ok(p, `pair ${caller}${i}`);
    assert.equal(p.callee.uri, `sip:${callee}${i}@example.com`);
    return p;
  };

  return { d, taa, taaToken, communication, ucwaUser, pair };
}

type Helpers = ReturnType<typeof helpers>;

describe('the Trusted Application API surface', () => {
  const receiver = new Receiver();
  let server: RunningReference;
  let d: Json;
  let taa: Json;
  let taaToken: Helpers['taaToken'];
  let communication: Helpers['communication'];
  let ucwaUser: Helpers['ucwaUser'];
  let pair: Helpers['pair'];

  before(async () => {
    await receiver.start();
    server = await startReferenceServer({ relPrefix: R, pairs: 2, taa: { callbackOrigin: receiver.origin }, callbackAllowHttp: true });
    ({ d, taa, taaToken, communication, ucwaUser, pair } = helpers(server));
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  test('the description declares the TAA surface, two applications and pairs of all four combinations', () => {
    assert.equal(taa.discoverUrl, `${server.url}/platformservice/discover`);
    assert.deepEqual(taa.token, { url: `${server.url}/example.com/oauth2/token`, resource: server.url, issuer: `${server.url}/example.com/`, issuedByTarget: true });
    assert.deepEqual(taa.callbackAuth, { jwksUrl: `${server.url}/example.com/discovery/keys`, issuer: `${server.url}/example.com/`, appId: '00000004-0000-0ff1-ce00-000000000000' });
    assert.equal(taa.allowHttpCallbackUrls, true);
    assert.equal(taa.callbackReceiver.conversationUrlBase, `${receiver.origin}/taa-conv/`);
    assert.equal(d.capabilities.startMessagingWithIdentity, true);
    assert.ok(d.timing.callbackLatencySeconds > 0);
    const pairs = [{ caller: d.users.caller, callee: d.users.callee }, ...d.users.pairs] as { caller: Account; callee: Account }[];
    const combos = new Map<string, number>();
    for (const p of pairs) {
      const key = `${p.caller.transport ?? 'ucwa'}→${p.callee.transport ?? 'ucwa'}`;
      combos.set(key, (combos.get(key) ?? 0) + 1);
    }
    for (const key of ['ucwa→ucwa', 'ucwa→taa', 'taa→ucwa', 'taa→taa']) assert.ok((combos.get(key) ?? 0) >= 2, `${key}: ${combos.get(key)}`);
    const all = pairs.flatMap((p) => [p.caller, p.callee]);
    assert.equal(new Set(all.map((a) => a.uri.toLowerCase())).size, all.length, 'uris pairwise different');
    const taaAccounts = all.filter((a) => a.transport === 'taa');
    assert.equal(new Set(taaAccounts.map((a) => a.clientId)).size, 2, 'two applications');
    for (const a of taaAccounts) {
      assert.equal(a.callbackUrl, `${receiver.origin}/cb/${a.uri.slice(4).split('@')[0]}`);
      assert.ok(a.clientSecret && a.appIdUri);
    }
    for (const i of [1, 2]) assert.notEqual(pair('t2t-caller', 't2t-callee', i).caller.clientId, pair('t2t-caller', 't2t-callee', i).callee.clientId);
    assert.ok(d.fixtures.foreignEndpointUri);
  });

  test('the description validates against the target-description schema', (t) => {
    let schema: Json | undefined;
    const file = path.join(ROOT, 'schemas', 'target-description.schema.json');
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes('"taa"')) schema = JSON.parse(text) as Json;
    else {
      const spec = path.join(ROOT, '..', 'shared', 'spec', 'TARGET.md');
      if (!fs.existsSync(spec)) {
        t.skip('schemas/target-description.schema.json has no taa and ../shared is absent');
        return;
      }
      const md = fs.readFileSync(spec, 'utf8');
      schema = JSON.parse(/## 7\. Schema[\s\S]*?```json\n([\s\S]*?)```/.exec(md)![1]!) as Json;
    }
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    assert.ok(validate(d), JSON.stringify(validate.errors, null, 1));
    // and without taa the server's description is what it always was: no TAA member at all
    assert.ok(!JSON.stringify(d.users.caller).includes('transport'));
  });

  test('client-credentials grant (v1 and v2) issues RS256 JWTs that verify with the served key set; a bad secret is 401 invalid_client', async () => {
    const a = pair('t2u-caller', 't2u-callee').caller;
    const form = (extra: Record<string, string>): string => new URLSearchParams({ grant_type: 'client_credentials', client_id: a.clientId, ...extra }).toString();
    const urlencoded = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const jwks = createRemoteJWKSet(new URL(taa.callbackAuth.jwksUrl as string));
    const v1 = await send(taa.token.url as string, 'POST', undefined, form({ client_secret: a.clientSecret, resource: taa.token.resource }), urlencoded);
    assert.equal(v1.status, 200, v1.text);
    assert.equal(v1.json.token_type, 'Bearer');
    assert.ok(Number.isInteger(v1.json.expires_in) && v1.json.expires_in > 0);
    const { payload, protectedHeader } = await jwtVerify(v1.json.access_token as string, jwks, { issuer: taa.token.issuer, audience: taa.token.resource });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.ok(protectedHeader.kid);
    assert.equal(payload.appid, a.clientId);
    assert.equal(payload.tid, 'example.com');
    const v2Url = (taa.token.url as string).replace('/oauth2/token', '/oauth2/v2.0/token');
    const v2 = await send(v2Url, 'POST', undefined, form({ client_secret: a.clientSecret, scope: `${taa.token.resource}/.default` }), urlencoded);
    assert.equal(v2.status, 200, v2.text);
    await jwtVerify(v2.json.access_token as string, jwks, { audience: taa.token.resource });
    const bad = await send(taa.token.url as string, 'POST', undefined, form({ client_secret: `${a.clientSecret}x`, resource: taa.token.resource }), urlencoded);
    assert.equal(bad.status, 401);
    assert.equal(bad.json.error, 'invalid_client');
    assert.equal(bad.json.access_token, undefined);
    assert.ok(!bad.text.includes(a.clientSecret as string));
    const oidc = await send(`${server.url}/example.com/.well-known/openid-configuration`, 'GET');
    assert.equal(oidc.json.jwks_uri, taa.callbackAuth.jwksUrl);
  });

  test('discover, applications by endpointId, application with embedded communication; endpointId on every href', async () => {
    const a = pair('t2u-caller', 't2u-callee').caller;
    const token = await taaToken(a);
    const disc = await send(taa.discoverUrl as string, 'GET', token);
    assert.equal(disc.status, 200);
    assert.equal(disc.json.rel, `${R}discover`);
    assert.equal(disc.json._links.self.href, taa.discoverUrl);
    const { comm, appUrl } = await communication(a);
    assert.ok(appUrl.includes(`endpointId=${a.uri}`), appUrl);
    assert.equal(comm.rel, `${R}communication`);
    for (const rel of ['self', `${R}startMessaging`, `${R}startMessagingWithIdentity`]) {
      assert.ok((comm._links[rel].href as string).endsWith(`endpointId=${a.uri}`), `${rel}: ${comm._links[rel].href}`);
    }
    const self = await send(new URL(comm._links.self.href as string, appUrl).href, 'GET', token);
    assert.equal(self.status, 200);
    assert.equal(self.json.rel, `${R}communication`);
  });

  test('401 with a Bearer challenge first (no, invalid, forged, UCWA token), 403 ApplicationNotFound for unknown and foreign endpoints', async () => {
    const { caller, callee } = pair('t2t-caller', 't2t-callee', 2);
    const { appUrl, token } = await communication(caller);
    const apps = `${server.url}/platformservice/v1/applications`;
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ aud: taa.token.resource, iss: taa.token.issuer, appid: caller.clientId, tid: 'example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: 'ref-taa-1' }).setExpirationTime('1h').sign(privateKey);
    const ucwaTok = await send(`${server.url}/oauth/token`, 'POST', undefined, new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-Pa55word' }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    for (const bearer of [undefined, `invalid-${hex()}`, forged, ucwaTok.json.access_token as string]) {
      for (const [url, method] of [[appUrl, 'GET'], [`${apps}?endpointId=sip:nobody-${hex()}@example.com`, 'GET'], [`${appUrl.split('?')[0]}/communication/messagingInvitations`, 'POST']] as const) {
        const res = await send(url, method, bearer, method === 'POST' ? 'x' : undefined, { 'Content-Type': 'text/plain' });
        assert.equal(res.status, 401, `${method} ${url} with ${bearer === undefined ? 'no token' : bearer.slice(0, 8)}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/);
      }
    }
    // a TAA token on a UCWA application URL
    const onUcwa = await send(`${server.url}/ucwa/v1/applications`, 'POST', token, '{}');
    assert.equal(onUcwa.status, 401);
    assert.ok(onUcwa.headers.get('www-authenticate'));
    const unknown = await send(`${apps}?endpointId=sip:nobody-${hex()}@example.com`, 'GET', token);
    assert.equal(unknown.status, 403);
    assert.equal(unknown.json.subcode, 'ApplicationNotFound');
    const foreign = await send(`${apps}?endpointId=${callee.uri}`, 'GET', token);
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.subcode, 'ApplicationNotFound');
    const calleeApp = (await communication(callee)).appUrl;
    const foreignSelf = await send(calleeApp, 'GET', token);
    assert.equal(foreignSelf.status, 403);
    const fixture = await send(`${apps}?endpointId=${d.fixtures.foreignEndpointUri}`, 'GET', token);
    assert.equal(fixture.status, 403);
  });

  test('TAA → UCWA: startMessaging with callbackUrl; signed callbacks at the conversation URL, serial per conversation', async () => {
    const { caller, callee } = pair('t2u-caller', 't2u-callee');
    const bob = await ucwaUser(callee);
    const { token, comm, commUrl } = await communication(caller);
    const convUrl = `${taa.callbackReceiver.conversationUrlBase}${crypto.randomUUID()}`;
    const convPath = new URL(convUrl).pathname;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    receiver.rule({ match: (r) => r.path === convPath && invitationEvent(r, 'started') !== undefined, hold: held, once: true });
    const threadId = hex();
    const from = receiver.received.length;
    const start = await send(new URL(comm._links[`${R}startMessaging`].href as string, commUrl).href, 'POST', token, JSON.stringify({
      to: callee.uri, operationId: hex(), threadId, subject: 'Order', callbackUrl: convUrl,
      _links: { message: { href: 'data:text/plain;charset=utf-8,Your%20order%20shipped' } },
    }));
    assert.equal(start.status, 201, start.text);
    const location = start.headers.get('location')!;
    assert.ok(location.includes(`endpointId=${caller.uri}`), location);
    const started = await receiver.waitFor((r) => r.path === convPath && invitationEvent(r, 'started') !== undefined, 'started at the conversation URL', from);
    assert.equal(started.url, convUrl);
    assert.match(started.contentType ?? '', /^application\/json/);
    assert.equal(started.body.baseuri, server.url);
    const ev = invitationEvent(started, 'started')!;
    assert.equal(new URL(ev.href, started.body.baseuri as string).href, new URL(location, server.url).href);
    assert.equal(ev.embedded!.threadId, threadId);
    assert.ok(ev.href.includes('endpointId='));
    // the token: RS256 with kid, aud = the App ID URI, verified against the served key set
    const jws = started.authorization!.replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(jws, createRemoteJWKSet(new URL(taa.callbackAuth.jwksUrl as string)), {
      audience: caller.appIdUri as string, issuer: taa.callbackAuth.issuer as string,
    });
    assert.ok(protectedHeader.kid);
    assert.equal(payload.appid, taa.callbackAuth.appId);
    assert.equal(payload.tid, 'example.com');
    assert.ok(payload.iat !== undefined && payload.nbf !== undefined && payload.exp !== undefined);
    // the callee sees it; while the started callback is unanswered the caller cancels: completed waits for the answer
    await bob.invitationEvent('started', (e) => e.inv?.threadId === threadId);
    const inv = await send(new URL(location, server.url).href, 'GET', token);
    assert.equal(inv.json.state, 'Connecting');
    const cancel = await send(new URL(inv.json._links[`${R}cancel`].href as string, server.url).href, 'POST', token);
    assert.equal(cancel.status, 204, cancel.text);
    await bob.invitationEvent('completed', (e) => e.inv?.threadId === threadId);
    assert.equal(receiver.received.slice(started.seq + 1).filter((r) => r.path === convPath).length, 0, 'nothing while the answer is held');
    release();
    const completed = await receiver.waitFor((r) => r.path === convPath && invitationEvent(r, 'completed') !== undefined, 'completed', started.seq + 1);
    assert.ok(completed.arrived > started.answered!, 'the next callback left only after the answer');
    assert.equal(invitationEvent(completed, 'completed')!.status, 'Failure');
    // none of this conversation's callbacks went to the caller's default URL
    assert.equal(receiver.received.filter((r) => r.path === new URL(caller.callbackUrl as string).pathname).length, 0);
  });

  test('UCWA → TAA: the incoming started reaches the default URL; the answer\'s callbackContext rides on later callbacks; accept works', async () => {
    const { caller, callee } = pair('u2t-caller', 'u2t-callee');
    const alice = await ucwaUser(caller);
    const defaultPath = new URL(callee.callbackUrl as string).pathname;
    const context = `ctx-${hex()}`;
    receiver.rule({ match: (r) => r.path === defaultPath && invitationEvent(r, 'started') !== undefined, status: 200, body: { CallbackContext: context }, once: true });
    const threadId = hex();
    const from = receiver.received.length;
    const start = await send(alice.startUrl, 'POST', alice.token, JSON.stringify({ to: callee.uri, operationId: hex(), threadId }));
    assert.equal(start.status, 201, start.text);
    const started = await receiver.waitFor((r) => r.path === defaultPath && invitationEvent(r, 'started') !== undefined, 'incoming started', from);
    assert.equal(started.url, callee.callbackUrl, 'no context before one is answered');
    const ev = invitationEvent(started, 'started')!;
    assert.equal(ev.embedded!.direction, 'Incoming');
    await jwtVerify(started.authorization!.replace(/^Bearer /, ''), createRemoteJWKSet(new URL(taa.callbackAuth.jwksUrl as string)), { audience: callee.appIdUri as string });
    const token = await taaToken(callee);
    const incomingUrl = new URL(ev.href, started.body.baseuri as string).href;
    const inv = await send(incomingUrl, 'GET', token);
    assert.equal(inv.status, 200, inv.text);
    const accept = await send(new URL(inv.json._links[`${R}accept`].href as string, incomingUrl).href, 'POST', token);
    assert.equal(accept.status, 204, accept.text);
    const completed = await receiver.waitFor((r) => r.path === defaultPath && invitationEvent(r, 'completed') !== undefined, 'incoming completed', started.seq + 1);
    assert.equal(new URL(completed.url).searchParams.get('callbackContext'), context);
    assert.equal(invitationEvent(completed, 'completed')!.status, 'Success');
    await alice.invitationEvent('completed', (e) => e.inv?.threadId === threadId && e.status === 'Success');
  });

  test('TAA → TAA across the two applications: callbackContext input on the default URL; the callee declines with its own token', async () => {
    const { caller, callee } = pair('t2t-caller', 't2t-callee');
    const { token, comm, commUrl } = await communication(caller);
    const context = 'a b&c=d/é';
    const from = receiver.received.length;
    const threadId = hex();
    const start = await send(new URL(comm._links[`${R}startMessaging`].href as string, commUrl).href, 'POST', token,
      JSON.stringify({ to: callee.uri, operationId: hex(), threadId, callbackContext: context }));
    assert.equal(start.status, 201, start.text);
    const callerPath = new URL(caller.callbackUrl as string).pathname;
    const calleePath = new URL(callee.callbackUrl as string).pathname;
    const outStarted = await receiver.waitFor((r) => r.path === callerPath && invitationEvent(r, 'started') !== undefined, 'caller started', from);
    assert.equal(new URL(outStarted.url).searchParams.get('callbackContext'), context);
    const inStarted = await receiver.waitFor((r) => r.path === calleePath && invitationEvent(r, 'started') !== undefined, 'callee started', from);
    const incoming = new URL(invitationEvent(inStarted, 'started')!.href, inStarted.body.baseuri as string).href;
    assert.equal((await send(incoming, 'GET', token)).status, 403, 'another application\'s invitation');
    const calleeToken = await taaToken(callee);
    const inv = await send(incoming, 'GET', calleeToken);
    const decline = await send(new URL(inv.json._links[`${R}decline`].href as string, incoming).href, 'POST', calleeToken, '{}');
    assert.equal(decline.status, 204, decline.text);
    const done = await receiver.waitFor((r) => r.path === callerPath && invitationEvent(r, 'completed') !== undefined, 'caller completed', outStarted.seq + 1);
    assert.equal(new URL(done.url).searchParams.get('callbackContext'), context);
  });

  test('callbackUrl checks: 1024 units accepted, 1025, relative, ftp, not a URL refused naming callbackUrl; unreachable → CallbackUriUnreachable', async () => {
    const { caller } = pair('t2t-caller', 't2t-callee', 2);
    const { token, comm, commUrl } = await communication(caller);
    const startUrl = new URL(comm._links[`${R}startMessaging`].href as string, commUrl).href;
    const base = `${taa.callbackReceiver.conversationUrlBase}${crypto.randomUUID()}?pad=`;
    const exact = base + 'x'.repeat(1024 - base.length);
    const ok = await send(startUrl, 'POST', token, JSON.stringify({ to: `sip:nobody-${hex()}@example.com`, callbackUrl: exact }));
    assert.equal(ok.status, 201, ok.text);
    for (const bad of [`${exact}x`, '/cb', 'ftp://example.com/cb', 'not a url']) {
      const res = await send(startUrl, 'POST', token, JSON.stringify({ to: `sip:nobody-${hex()}@example.com`, callbackUrl: bad }));
      assert.equal(res.status, 400, bad);
      assert.equal(res.json.subcode, 'ParameterValidationFailure');
      assert.ok('callbackUrl' in (res.json.parameters ?? {}), res.text);
    }
    const before = server.app.stats().invitations;
    const unreachable = await send(startUrl, 'POST', token, JSON.stringify({ to: `sip:nobody-${hex()}@example.com`, callbackUrl: 'https://callback-unreachable.invalid/cb' }));
    assert.equal(unreachable.status, 400);
    assert.equal(unreachable.json.subcode, 'CallbackUriUnreachable');
    assert.equal(server.app.stats().invitations, before, 'no effect');
  });

  test('a multipart/related body is read as its JSON part; startMessagingWithIdentity shows the claimed sender to the callee', async () => {
    const { caller, callee } = pair('t2u-caller', 't2u-callee', 2);
    const bob = await ucwaUser(callee);
    const { token, comm, commUrl } = await communication(caller);
    const startUrl = new URL(comm._links[`${R}startMessaging`].href as string, commUrl).href;
    const boundary = `b-${hex()}`;
    const multipart = `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ to: `sip:nobody-${hex()}@example.com` })}\r\n--${boundary}--\r\n`;
    const mp = await send(startUrl, 'POST', token, multipart, { 'Content-Type': `multipart/related; boundary=${boundary}; type="application/json"` });
    assert.equal(mp.status, 201, mp.text);
    const identityUrl = new URL(comm._links[`${R}startMessagingWithIdentity`].href as string, commUrl).href;
    const missing = await send(identityUrl, 'POST', token, JSON.stringify({ to: callee.uri, localUserUri: 'sip:agent@example.com', localUserDisplayName: 'Agent' }));
    assert.equal(missing.status, 400);
    assert.ok('operationId' in missing.json.parameters, missing.text);
    const notSip = await send(identityUrl, 'POST', token, JSON.stringify({ to: callee.uri, operationId: hex(), localUserUri: 'agent' }));
    assert.ok('localUserUri' in notSip.json.parameters, notSip.text);
    const threadId = hex();
    const name = `Conformance ${hex().slice(0, 8)}`;
    const res = await send(identityUrl, 'POST', token, JSON.stringify({ to: callee.uri, operationId: hex(), threadId, localUserUri: 'sip:Agent.Smith@example.com', localUserDisplayName: name }));
    assert.equal(res.status, 201, res.text);
    const started = await bob.invitationEvent('started', (e) => e.inv?.threadId === threadId);
    const fromLink = started.inv._embedded[`${R}from`];
    assert.equal(fromLink.uri.toLowerCase(), 'sip:agent.smith@example.com');
    assert.equal(fromLink.name, name);
    const inv = await send(new URL(res.headers.get('location')!, server.url).href, 'GET', token);
    await send(new URL(inv.json._links[`${R}cancel`].href as string, server.url).href, 'POST', token);
  });
  test('every callback so far, and the TAA documents, validate against the project\'s schemas (where present)', async (t) => {
    const ids = ['urn:ucwa-conformance:callback-batch:1', 'urn:ucwa-conformance:taa-discover:1', 'urn:ucwa-conformance:taa-applications:1',
      'urn:ucwa-conformance:taa-application:1', 'urn:ucwa-conformance:taa-token-response:1'];
    const check = schemaCheck();
    if (ids.some((id) => check(id, {}) === `no schema ${id}`)) {
      t.skip('the TAA schemas are not all in schemas/ yet');
      return;
    }
    assert.ok(receiver.received.length > 5);
    for (const r of receiver.received) assert.equal(check(ids[0]!, r.body), undefined, `${r.url}: ${JSON.stringify(r.body)}`);
    const a = pair('t2u-caller', 't2u-callee').caller;
    const token = await taaToken(a);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret, resource: taa.token.resource });
    const grant = await send(taa.token.url as string, 'POST', undefined, form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(check(ids[4]!, grant.json), undefined);
    const disc = await send(taa.discoverUrl as string, 'GET', token);
    assert.equal(check(ids[1]!, disc.json), undefined);
    const list = await send(`${server.url}/platformservice/v1/applications?endpointId=${a.uri}`, 'GET', token);
    assert.equal(check(ids[2]!, list.json), undefined);
    const app = await send(new URL(list.json._links[`${R}application`].href as string, server.url).href, 'GET', token);
    assert.equal(check(ids[3]!, app.json), undefined);
  });
});

describe('the TAA options', () => {
  test('without taa the description has no TAA member; relPrefix "" and an http callbackOrigin without callbackAllowHttp are refused', async () => {
    const plain = await startReferenceServer({ pairs: 1 });
    try {
      const text = JSON.stringify(plain.description);
      for (const word of ['"taa"', 'transport', 'startMessagingWithIdentity', 'callbackLatencySeconds']) assert.ok(!text.includes(word), word);
      const discover = await send(`${plain.url}/platformservice/discover`, 'GET');
      assert.equal(discover.status, 401, 'not served: an unauthenticated UCWA path');
    } finally {
      await plain.close();
    }
    await assert.rejects(startReferenceServer({ relPrefix: '', taa: { callbackOrigin: 'https://cb.example.net' } }), /relPrefix ""/);
    await assert.rejects(startReferenceServer({ taa: { callbackOrigin: 'http://127.0.0.1:9' } }), /callbackAllowHttp/);
  });

  test('without callbackAllowHttp an http: callbackUrl is refused and the description does not declare it', async () => {
    const server = await startReferenceServer({ pairs: 1, taa: { callbackOrigin: 'https://cb.example.net' } });
    try {
      const d = server.description as Json;
      assert.equal(d.taa.allowHttpCallbackUrls, undefined);
      const a = (d.users.pairs as Json[]).map((p) => p.caller).find((c) => c.transport === 'taa');
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret, resource: d.taa.token.resource });
      const tok = await send(d.taa.token.url, 'POST', undefined, form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
      const token = tok.json.access_token as string;
      const list = await send(`${server.url}/platformservice/v1/applications?endpointId=${a.uri}`, 'GET', token);
      const app = await send(new URL(list.json._links['ms:rtc:saas:application'].href, server.url).href, 'GET', token);
      const comm = app.json._embedded['ms:rtc:saas:communication'];
      const res = await send(new URL(comm._links['ms:rtc:saas:startMessaging'].href, server.url).href, 'POST', token,
        JSON.stringify({ to: 'sip:nobody@example.com', callbackUrl: 'http://127.0.0.1:9/cb' }));
      assert.equal(res.status, 400);
      assert.ok('callbackUrl' in res.json.parameters, res.text);
    } finally {
      await server.close();
    }
  });
});

describe('TAA faults are observable (a sample; the self-test runs the scenarios against every one)', () => {
  const receiver = new Receiver();
  before(() => receiver.start());
  after(() => receiver.close());

  /** A server with one fault, its helpers, closed after `body`. */
  async function withFault(name: string, body: (h: Helpers, server: RunningReference) => Promise<void>): Promise<void> {
    const server = await startReferenceServer({ relPrefix: R, pairs: 1, faults: [name], taa: { callbackOrigin: receiver.origin }, callbackAllowHttp: true });
    try {
      assert.deepEqual(server.description['x-faults'], [name]);
      await body(helpers(server), server);
    } finally {
      await server.close();
    }
  }

  const conversationUrl = (h: Helpers): string => `${h.taa.callbackReceiver.conversationUrlBase}${crypto.randomUUID()}`;

  /** A TAA caller's startMessaging with a (fresh) conversation URL; resolves with that URL's path. */
  async function start(h: Helpers, caller: Account, input: Json, url = conversationUrl(h)): Promise<{ path: string; url: string; location: string; token: string }> {
    const { token, comm, commUrl } = await h.communication(caller);
    const res = await send(new URL(comm._links[`${R}startMessaging`].href as string, commUrl).href, 'POST', token, JSON.stringify({ callbackUrl: url, ...input }));
    assert.equal(res.status, 201, res.text);
    return { path: new URL(url).pathname, url, location: res.headers.get('location')!, token };
  }

  test('taa-forged-token-accepted: a self-signed JWS with a known appid reads the applications', () => withFault('taa-forged-token-accepted', async (h, server) => {
    const a = h.pair('t2u-caller', 't2u-callee').caller;
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ appid: a.clientId }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    const res = await send(`${server.url}/platformservice/v1/applications?endpointId=${a.uri}`, 'GET', forged);
    assert.equal(res.status, 200);
  }));

  test('taa-accepts-ucwa-token: a UCWA token reads a TAA endpoint', () => withFault('taa-accepts-ucwa-token', async (h, server) => {
    const a = h.pair('t2u-caller', 't2u-callee').caller;
    const tok = await send(`${server.url}/oauth/token`, 'POST', undefined, new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-Pa55word' }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    const res = await send(`${server.url}/platformservice/v1/applications?endpointId=${a.uri}`, 'GET', tok.json.access_token as string);
    assert.equal(res.status, 200);
  }));

  test('taa-callbacks-not-serial: the next callback arrives while the first is unanswered', () => withFault('taa-callbacks-not-serial', async (h) => {
    const { caller } = h.pair('t2u-caller', 't2u-callee');
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const url = conversationUrl(h);
    receiver.rule({ match: (r) => r.path === new URL(url).pathname && invitationEvent(r, 'started') !== undefined, hold: held, once: true });
    const target = await start(h, caller, { to: `sip:nobody-${hex()}@example.com` }, url);
    // the unknown target fails shortly: its completed must wait for the started answer, and does not
    const completed = await receiver.waitFor((r) => r.path === target.path && invitationEvent(r, 'completed') !== undefined, 'completed');
    const first = receiver.received.find((r) => r.path === target.path && invitationEvent(r, 'started') !== undefined)!;
    assert.equal(first.answered, undefined, 'the first callback is still unanswered');
    assert.ok(completed.seq > first.seq);
    release();
  }));

  test('taa-callback-foreign-key: the callback token does not verify against the served key set', () => withFault('taa-callback-foreign-key', async (h) => {
    const { caller } = h.pair('t2u-caller', 't2u-callee');
    const target = await start(h, caller, { to: `sip:nobody-${hex()}@example.com` });
    const cb = await receiver.waitFor((r) => r.path === target.path && invitationEvent(r, 'started') !== undefined, 'started');
    await assert.rejects(jwtVerify(cb.authorization!.replace(/^Bearer /, ''), createRemoteJWKSet(new URL(h.taa.callbackAuth.jwksUrl as string))));
  }));

  test('taa-callback-context-latin1: a context with non-ASCII characters does not survive the query', () => withFault('taa-callback-context-latin1', async (h) => {
    const { caller } = h.pair('t2t-caller', 't2t-callee');
    const { token, comm, commUrl } = await h.communication(caller);
    const from = receiver.received.length;
    const context = 'a b&c=d/é';
    const res = await send(new URL(comm._links[`${R}startMessaging`].href as string, commUrl).href, 'POST', token,
      JSON.stringify({ to: `sip:nobody-${hex()}@example.com`, callbackContext: context }));
    assert.equal(res.status, 201, res.text);
    const cb = await receiver.waitFor((r) => r.path === new URL(caller.callbackUrl as string).pathname, 'caller callback', from);
    assert.notEqual(new URL(cb.url).searchParams.get('callbackContext'), context);
  }));

  test('taa-unknown-endpoint-404: an unknown endpoint is 404 ApplicationNotFound', () => withFault('taa-unknown-endpoint-404', async (h, server) => {
    const a = h.pair('t2u-caller', 't2u-callee').caller;
    const res = await send(`${server.url}/platformservice/v1/applications?endpointId=sip:nobody-${hex()}@example.com`, 'GET', await h.taaToken(a));
    assert.equal(res.status, 404);
    assert.equal(res.json.subcode, 'ApplicationNotFound');
  }));

  test('an existing events fault reaches TAA delivery too: started-duplicated gives the caller two started callbacks', () => withFault('started-duplicated', async (h) => {
    const { caller } = h.pair('t2u-caller', 't2u-callee');
    const target = await start(h, caller, { to: `sip:nobody-${hex()}@example.com` });
    await receiver.waitFor((r) => r.path === target.path && invitationEvent(r, 'completed') !== undefined, 'completed');
    const started = receiver.received.filter((r) => r.path === target.path).flatMap((r) => events(r)).filter((e) => e.type === 'started');
    assert.equal(started.length, 2);
  }));
});
