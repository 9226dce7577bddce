/**
 * The reference server as a local UCWA server for clients written against Lync / Skype for Business (issue #10):
 * discovery as deployed, lenient input, driven with requests shaped like the public documentation's samples.
 */
import { after, before, describe, test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { type RunningReference, startReferenceServer } from '../reference/server';
import { fetchJson, type Resp } from './support/fetch-json';

const ALICE = { username: 'alice', password: 'alice-Pa55word' };

async function token(base: string, account = ALICE): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'password', ...account });
  const res = await fetchJson(`${base}/oauth/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString(),
  });
  assert.equal(res.status, 200, res.text);
  return res.json.access_token as string;
}

function send(url: string, method: string, bearer?: string, body?: string, headers: Record<string, string> = {}): Promise<Resp> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  return fetchJson(url, { method, headers: h, body });
}

/** A dialect-"" server and alice's token for the describe this is called in (its before/after hooks registered). */
function bareServerWithToken(): { server: RunningReference; t: string } {
  const fx = {} as { server: RunningReference; t: string };
  before(async () => {
    fx.server = await startReferenceServer({ relPrefix: '' });
    fx.t = await token(fx.server.url);
  });
  after(() => fx.server.close());
  return fx;
}

describe('discovery as deployed', () => {
  let server: RunningReference;
  before(async () => { server = await startReferenceServer({ relPrefix: '' }); });
  after(() => server.close());

  test('the root is also served at / with absolute self and user hrefs on the request Host', async () => {
    for (const path of ['/', '/autodiscover']) {
      const res = await send(`${server.url}${path}`, 'GET');
      assert.equal(res.status, 200, path);
      assert.equal(res.json._links.self.href, `${server.url}/autodiscover`);
      assert.equal(res.json._links.user.href, `${server.url}/autodiscover/user`);
    }
  });

  test('the challenge and the user document are absolute; inside the application hrefs stay absolute paths', async () => {
    const root = await send(`${server.url}/`, 'GET');
    const unauth = await send(root.json._links.user.href as string, 'GET');
    assert.equal(unauth.status, 401);
    assert.match(unauth.headers.get('www-authenticate')!, new RegExp(`MsRtcOAuth href="${server.url}/oauth/token"`));
    const t = await token(server.url);
    const user = await send(root.json._links.user.href as string, 'GET', t);
    assert.equal(user.json._links.self.href, `${server.url}/autodiscover/user`);
    assert.equal(user.json._links.applications.href, `${server.url}/ucwa/v1/applications`);
    const app = await send(user.json._links.applications.href as string, 'POST', t,
      JSON.stringify({ UserAgent: 'doc-client', EndpointId: 'e-1', Culture: 'en-US' }));
    assert.equal(app.status, 201, app.text);
    assert.match(app.json._links.self.href as string, /^\/ucwa\/v1\/applications\/[^/]+$/);
  });

  test('a Host that is not a plain host[:port] is never written into an href', async () => {
    const http = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${server.url}/`, { headers: { Host: 'evil"/x' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(JSON.parse(body)._links.self.href, '/autodiscover');
  });

  test('X-Forwarded-Proto/Host count only with trustProxy', async () => {
    const fwd = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'lyncdiscover.example.com' };
    const plain = await send(`${server.url}/`, 'GET', undefined, undefined, fwd);
    assert.equal(plain.json._links.self.href, `${server.url}/autodiscover`);
    const proxied = await startReferenceServer({ relPrefix: '', trustProxy: true });
    try {
      const res = await send(`${proxied.url}/`, 'GET', undefined, undefined, fwd);
      assert.equal(res.json._links.user.href, 'https://lyncdiscover.example.com/autodiscover/user');
      const unauth = await send(`${proxied.url}/autodiscover/user`, 'GET', undefined, undefined, fwd);
      assert.match(unauth.headers.get('www-authenticate')!, /href="https:\/\/lyncdiscover\.example\.com\/oauth\/token"/);
    } finally {
      await proxied.close();
    }
  });
});

describe('lenient input', () => {
  const fx = bareServerWithToken();

  test('PascalCase members, // paths and unknown query parameters are read as a real server reads them', async () => {
    const app = await send(`${fx.server.url}//ucwa/v1/applications?x-unknown=1`, 'POST', fx.t,
      JSON.stringify({ UserAgent: 'UCWA Samples', EndpointId: 'a917c6f4-976c-4cf3-847d-cdfffa28ccdf', Culture: 'en-US' }));
    assert.equal(app.status, 201, app.text);
    assert.equal(app.json.userAgent, 'UCWA Samples');
    assert.equal(app.json.endpointId, 'a917c6f4-976c-4cf3-847d-cdfffa28ccdf');
    const href = app.json._links.self.href as string;
    const me = await send(`${fx.server.url}/${href}/me//makeMeAvailable`, 'POST', fx.t,
      JSON.stringify({ SupportedModalities: ['Messaging'], SupportedMessageFormats: ['Plain'] }));
    assert.equal(me.status, 204, me.text);
    const start = await send(`${fx.server.url}${href}/communication/messagingInvitations?foo=bar`, 'POST', fx.t,
      JSON.stringify({ To: 'sip:nobody-here@example.com', Subject: 'hi', Importance: 'Normal', OperationId: 'op-1' }));
    assert.equal(start.status, 201, start.text);
    const inv = await send(`${fx.server.url}${start.headers.get('location')}`, 'GET', fx.t);
    assert.equal(inv.json.to, 'sip:nobody-here@example.com');
    assert.equal(inv.json.subject, 'hi');
    assert.equal(inv.json.operationId, 'op-1');
  });

  test('a wrong type under another casing is still refused, naming the member', async () => {
    const res = await send(`${fx.server.url}/ucwa/v1/applications`, 'POST', fx.t, JSON.stringify({ UserAgent: 5, EndpointId: 'e', Culture: 'en-US' }));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /userAgent/);
  });

  test('an empty body labelled application/json is no body where the operation takes none', async () => {
    const app = await send(`${fx.server.url}/ucwa/v1/applications`, 'POST', fx.t, JSON.stringify({ UserAgent: 'u', EndpointId: 'e2', Culture: 'en-US' }));
    const href = app.json._links.self.href as string;
    const avail = await send(`${fx.server.url}${href}/me/makeMeAvailable`, 'POST', fx.t, '');
    assert.equal(avail.status, 204, avail.text);
  });
});

describe("what a client's application expects", () => {
  const fx = bareServerWithToken();

  const create = (endpointId: string): Promise<Resp> =>
    send(`${fx.server.url}/ucwa/v1/applications`, 'POST', fx.t, JSON.stringify({ UserAgent: 'u', EndpointId: endpointId, Culture: 'en-US' }));

  test('the application embeds me, people, onlineMeetings and communication; me swaps makeMeAvailable for makeMeUnavailable', async () => {
    const app = await create('embed-1');
    const e = app.json._embedded;
    assert.deepEqual(Object.keys(e).sort(), ['communication', 'me', 'onlineMeetings', 'people']);
    assert.ok(e.me._links.makeMeAvailable && e.me._links.reportMyActivity && !e.me._links.makeMeUnavailable);
    assert.ok(e.people._links.search && e.people._links.myContacts);
    assert.equal((await send(`${fx.server.url}${e.onlineMeetings._links.self.href}`, 'GET', fx.t)).status, 200);
    assert.equal((await send(`${fx.server.url}${e.me._links.reportMyActivity.href}`, 'POST', fx.t, '')).status, 204);
    assert.equal((await send(`${fx.server.url}${e.me._links.makeMeAvailable.href}`, 'POST', fx.t, '{"SupportedModalities":["Messaging"]}')).status, 204);
    const me = await send(`${fx.server.url}${e.me._links.self.href}`, 'GET', fx.t);
    assert.ok(me.json._links.makeMeUnavailable && !me.json._links.makeMeAvailable, JSON.stringify(me.json._links));
    assert.equal((await send(`${fx.server.url}${me.json._links.makeMeUnavailable.href}`, 'POST', fx.t)).status, 204);
    const again = await send(`${fx.server.url}${e.me._links.self.href}`, 'GET', fx.t);
    assert.ok(again.json._links.makeMeAvailable);
  });

  test('reportMyActivity keeps an application alive past the idle limit', async () => {
    const idle = await startReferenceServer({ relPrefix: '', applicationIdleSeconds: 0.6 });
    try {
      const tk = await token(idle.url);
      const app = await send(`${idle.url}/ucwa/v1/applications`, 'POST', tk, JSON.stringify({ UserAgent: 'u', EndpointId: 'x', Culture: 'en-US' }));
      const href = app.json._links.self.href as string;
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 250));
        assert.equal((await send(`${idle.url}${href}/me/reportMyActivity`, 'POST', tk, '')).status, 204);
      }
      assert.equal((await send(`${idle.url}${href}`, 'GET', tk)).status, 200);
      await new Promise((r) => setTimeout(r, 1800));
      assert.equal((await send(`${idle.url}${href}`, 'GET', tk)).status, 404, 'without activity it is deleted');
    } finally {
      await idle.close();
    }
  });

  test('people/search returns matching accounts as contacts with a working presence link', async () => {
    const app = await create('people-1');
    const search = app.json._embedded.people._links.search.href as string;
    const res = await send(`${fx.server.url}${search}?query=bob`, 'GET', fx.t);
    assert.equal(res.status, 200, res.text);
    const contacts = res.json._embedded.contact as { uri: string; name: string; _links: Record<string, { href: string }> }[];
    assert.deepEqual(contacts.map((c) => c.uri), ['sip:bob@example.com']);
    assert.equal(contacts[0]!.name, 'Bob');
    const presence = await send(`${fx.server.url}${contacts[0]!._links.contactPresence!.href}`, 'GET', fx.t);
    assert.equal(presence.status, 200);
    assert.equal(presence.json.availability, 'Offline');
    assert.equal((await send(`${fx.server.url}${search}?query=nobody-at-all`, 'GET', fx.t)).json._embedded.contact.length, 0);
    assert.equal((await send(`${fx.server.url}${search}`, 'GET', fx.t)).status, 400);
    assert.equal((await send(`${fx.server.url}${app.json._embedded.people._links.myContacts.href}`, 'GET', fx.t)).status, 200);
  });

  test('a repeated endpointId of the same user returns the same application; another user gets its own', async () => {
    const first = await create('same-endpoint');
    const second = await create('same-endpoint');
    assert.equal(second.status, 201);
    assert.equal(second.json._links.self.href, first.json._links.self.href);
    const bob = await token(fx.server.url, { username: 'bob', password: 'bob-Pa55word' });
    const other = await send(`${fx.server.url}/ucwa/v1/applications`, 'POST', bob, JSON.stringify({ UserAgent: 'u', EndpointId: 'same-endpoint', Culture: 'en-US' }));
    assert.notEqual(other.json._links.self.href, first.json._links.self.href);
  });
});

describe('a client written from the public pages completes a conversation (dialect "")', () => {
  let server: RunningReference;
  before(async () => { server = await startReferenceServer({ relPrefix: '' }); });
  after(() => server.close());

  test('invitation, accept, "hello" received by the callee as a message event, a reply received by the caller', async () => {
    const { DocClient } = await import('./support/ucwa-doc-client');
    await conversation(DocClient, `${server.url}/`);
  });
});

/** The whole exchange between two DocClients signed in from rootUrl. */
export async function conversation(DocClient: typeof import('./support/ucwa-doc-client').DocClient, rootUrl: string, fetcher?: typeof fetch): Promise<void> {
  const alice = new DocClient(rootUrl, 'alice', 'alice-Pa55word', fetcher);
  const bob = new DocClient(rootUrl, 'bob', 'bob-Pa55word', fetcher);
  try {
    await alice.signIn('alice-endpoint');
    await bob.signIn('bob-endpoint');
    await alice.startMessaging('sip:bob@example.com', 'doc client', 'hello');
    const started = await bob.waitFor((e) => e.rel === 'messagingInvitation' && e.type === 'started', 'incoming invitation');
    const invitation = started.embedded!;
    assert.equal(invitation.direction, 'Incoming');
    assert.equal(invitation._links.from.title, 'Alice');
    assert.equal(invitation._embedded.from.uri, 'sip:alice@example.com');
    assert.equal((await bob.request('POST', invitation._links.accept.href, '')).status, 204);
    const hello = await bob.waitFor((e) => e.rel === 'message' && e.type === 'completed', 'message event');
    assert.equal(hello.senderRel, 'conversation');
    assert.equal(hello.embedded!.direction, 'Incoming');
    assert.equal(DocClient.text(hello.embedded!), 'hello');
    assert.match(hello.embedded!._links.plainMessage.href, /^data:text\/plain;charset=utf-8,/);
    assert.equal(hello.embedded!._links.participant.title, 'Alice');
    // both sides see messaging Connected in their conversation sender, with sendMessage
    const bobMessaging = await bob.waitFor((e) => e.rel === 'messaging' && e.embedded?.state === 'Connected', 'messaging Connected');
    const aliceMessaging = await alice.waitFor((e) => e.rel === 'messaging' && e.embedded?.state === 'Connected', 'messaging Connected');
    for (const m of [bobMessaging, aliceMessaging]) assert.ok(m.embedded!._links.sendMessage && m.embedded!._links.stopMessaging && m.embedded!._links.setIsTyping);
    await alice.waitFor((e) => e.rel === 'participant' && e.type === 'added', 'participant added');
    assert.equal((await bob.request('POST', bobMessaging.embedded!._links.setIsTyping.href, '')).status, 204);
    await alice.waitFor((e) => e.rel === 'typingParticipants', 'typingParticipants update');
    const sent = await bob.request('POST', bobMessaging.embedded!._links.sendMessage.href, 'hi Alice & all', 'text/plain');
    assert.equal(sent.status, 201);
    await bob.waitFor((e) => e.rel === 'message' && e.href === sent.headers.get('location') && e.status === 'Success', 'own message completed');
    const reply = await alice.waitFor((e) => e.rel === 'message' && e.embedded?.direction === 'Incoming', 'the reply');
    assert.equal(DocClient.text(reply.embedded!), 'hi Alice & all');
    assert.equal((await alice.request('GET', reply.href)).status, 200);
    assert.equal((await bob.request('POST', bobMessaging.embedded!._links.sendMessage.href, '<b>x</b>', 'text/html; charset=utf-8')).status, 201);
    const html = await alice.waitFor((e) => e.rel === 'message' && e.embedded?._links.htmlMessage !== undefined, 'the html reply');
    assert.equal(html.embedded!._links.htmlMessage.href, 'data:text/html;charset=utf-8,%3Cb%3Ex%3C%2Fb%3E');
    assert.equal((await alice.request('POST', aliceMessaging.embedded!._links.stopMessaging.href, '')).status, 204);
    await bob.waitFor((e) => e.rel === 'messaging' && e.embedded?.state === 'Disconnected', 'messaging Disconnected');
  } finally {
    await alice.close();
    await bob.close();
  }
}

describe('a real local server: HTTPS and the request log', () => {
  test('--tls: the same conversation over HTTPS with a fresh self-signed certificate, one log line per exchange', async () => {
    const { selfSignedTls } = await import('../reference/tls');
    const https = await import('node:https');
    const tls = await selfSignedTls('127.0.0.1');
    const lines: string[] = [];
    const server = await startReferenceServer({ relPrefix: '', tls, log: (line) => lines.push(line) });
    // a fetch over node:https trusting only this certificate
    const fetcher = ((input: string | URL, init: RequestInit = {}) => new Promise<Response>((resolve, reject) => {
      const req = https.request(String(input), { method: init.method ?? 'GET', headers: init.headers as Record<string, string>, ca: tls.cert }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          const status = res.statusCode ?? 0;
          resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers }));
        });
      });
      req.on('error', reject);
      req.end(init.body as string | undefined);
    })) as typeof fetch;
    try {
      assert.match(server.url, /^https:/);
      const root = await fetcher(`${server.url}/`);
      assert.equal(((await root.json()) as { _links: { user: { href: string } } })._links.user.href, `${server.url}/autodiscover/user`);
      const { DocClient } = await import('./support/ucwa-doc-client');
      await conversation(DocClient, `${server.url}/`, fetcher);
    } finally {
      await server.close();
    }
    assert.ok(lines.some((l) => /^POST \/oauth\/token 200 \d+ms$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^GET \/ 200 \d+ms$/.test(l)));
    for (const l of lines) assert.doesNotMatch(l, /Pa55word|Bearer|ack=/);
  });

  test('readTls names the option of a missing or wrong file', async () => {
    const { readTls } = await import('../reference/tls');
    assert.throws(() => readTls('/nonexistent/cert.pem', '/nonexistent/key.pem'), /--tls-cert \/nonexistent\/cert\.pem: ENOENT/);
    assert.throws(() => readTls('package.json', 'package.json'), /--tls-cert package\.json: not a PEM certificate/);
  });
});

describe('--accounts', () => {
  const list = [
    { uri: 'sip:ann@corp.test', username: 'ann', password: 'secret-ann-1', displayName: 'Ann' },
    { uri: 'sip:ben@corp.test', username: 'ben', password: 'secret-ben-1', displayName: 'Ben' },
    { uri: 'sip:cy@corp.test', username: 'cy', password: 'secret-cy-1' },
  ];

  test('the listed accounts replace the built-in ones and sign in; the description names them', async () => {
    const server = await startReferenceServer({ relPrefix: '', accounts: list });
    try {
      const users = server.description.users as Record<string, { uri: string }>;
      assert.equal(users.caller!.uri, 'sip:ann@corp.test');
      assert.equal(users.callee!.uri, 'sip:ben@corp.test');
      assert.equal(users.unavailable!.uri, 'sip:cy@corp.test');
      await token(server.url, { username: 'ann', password: 'secret-ann-1' });
      const form = new URLSearchParams({ grant_type: 'password', ...ALICE });
      const refused = await fetchJson(`${server.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      assert.equal(refused.status, 400, 'alice is gone');
      const t = await token(server.url, { username: 'ben', password: 'secret-ben-1' });
      const app = await send(`${server.url}/ucwa/v1/applications`, 'POST', t, JSON.stringify({ UserAgent: 'u', EndpointId: 'e', Culture: 'en-US' }));
      const found = await send(`${server.url}${app.json._embedded.people._links.search.href}?query=Ann`, 'GET', t);
      assert.deepEqual(found.json._embedded.contact.map((c: { uri: string }) => c.uri), ['sip:ann@corp.test']);
    } finally {
      await server.close();
    }
  });

  test('each bad entry is named by index and member, never with its password', async () => {
    const bad = [list[0], { uri: 'ben@corp.test', username: '', password: 'hunter2-secret' }, { ...list[0], password: 'other-secret' }, 5];
    await assert.rejects(startReferenceServer({ accounts: bad }), (error: Error) => {
      assert.match(error.message, /accounts\[1\]\.uri: must be a SIP URI/);
      assert.match(error.message, /accounts\[1\]\.username: must be a non-empty string/);
      assert.match(error.message, /accounts\[2\]\.uri: listed twice/);
      assert.match(error.message, /accounts\[3\]: must be an object/);
      assert.doesNotMatch(error.message, /hunter2|other-secret|secret-ann/);
      return true;
    });
    await assert.rejects(startReferenceServer({ accounts: [list[0]] }), /at least two entries/);
    await assert.rejects(startReferenceServer({ accounts: {} }), /must be a JSON array/);
  });
});

describe('message events have the members of the public capture', () => {
  const capture = path.resolve('..', 'shared', 'spec', 'doc-examples', 'receiveAnIM-events-message-completed-incoming.json');

  test('an incoming message event carries every member the receiveAnIM capture shows', async (t) => {
    if (!fs.existsSync(capture)) {
      t.skip(`${capture} is absent: the captures are evidence kept outside the project, so the comparison is skipped`);
      return;
    }
    const sample = JSON.parse(fs.readFileSync(capture, 'utf8'));
    const sampleSender = sample.sender.find((s: { rel: string }) => s.rel === 'conversation');
    const sampleEvent = sampleSender.events[0];
    const sampleMessage = sampleEvent._embedded.message;
    const server = await startReferenceServer({ relPrefix: '' });
    const { DocClient } = await import('./support/ucwa-doc-client');
    const alice = new DocClient(`${server.url}/`, 'alice', 'alice-Pa55word');
    const bob = new DocClient(`${server.url}/`, 'bob', 'bob-Pa55word');
    try {
      await alice.signIn('a');
      await bob.signIn('b');
      await alice.startMessaging('sip:bob@example.com', '', 'Hi Bob');
      const started = await bob.waitFor((e) => e.rel === 'messagingInvitation' && e.type === 'started', 'invitation');
      await bob.request('POST', started.embedded!._links.accept.href);
      const got = await bob.waitFor((e) => e.rel === 'message', 'message event');
      assert.equal(got.senderRel, sampleSender.rel);
      for (const key of Object.keys(sampleEvent)) assert.ok(key in got.raw, `event member ${key}`);
      assert.equal(got.raw.type, sampleEvent.type);
      assert.equal(got.raw.status, sampleEvent.status);
      for (const key of Object.keys(sampleMessage)) assert.ok(key in got.embedded!, `message member ${key}`);
      for (const rel of Object.keys(sampleMessage._links)) assert.ok(rel in got.embedded!._links, `message link ${rel}`);
      assert.match(got.embedded!.timeStamp, /^\/Date\(\d+\)\/$/);
      assert.equal(DocClient.text(got.embedded!), 'Hi Bob');
    } finally {
      await alice.close();
      await bob.close();
      await server.close();
    }
  });
});
