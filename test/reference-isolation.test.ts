/**
 * Isolation of the reference server: tokens bound to their user and expiring per `expires_in`, no request reaching
 * another user's resources, idle applications expiring and freeing their state (reference/README.md, "Limits").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type ReferenceOptions } from '../reference/app';
import { type RunningReference, startReferenceServer } from '../reference/server';
import { fetchJson, type Json, type Resp } from './support/fetch-json';

const P = 'ms:rtc:saas:';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


async function send(base: string, method: string, href: string, token?: string, body?: unknown): Promise<Resp> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetchJson(new URL(href, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function signIn(base: string, username: string): Promise<{ token: string; expiresIn: number }> {
  const form = new URLSearchParams({ grant_type: 'password', username, password: `${username}-Pa55word` });
  const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  assert.equal(res.status, 200);
  const json = (await res.json()) as Json;
  return { token: json.access_token as string, expiresIn: json.expires_in as number };
}

/** A user's application with a background P-GET loop collecting its events. */
class User {
  app: Json = {};
  readonly events: Json[] = [];
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(readonly base: string, public token: string) {}

  static async create(server: RunningReference, username: string, opts: { available?: boolean; listen?: boolean } = {}): Promise<User> {
    const user = new User(server.url, (await signIn(server.url, username)).token);
    const res = await user.send('POST', '/ucwa/v1/applications', { userAgent: 'isolation-test', endpointId: crypto.randomUUID(), culture: 'en-US' });
    assert.equal(res.status, 201, res.text);
    user.app = res.json;
    if (opts.available) assert.equal((await user.send('POST', user.link('me', 'makeMeAvailable'), { supportedModalities: ['Messaging'] })).status, 204);
    if (opts.listen) user.listen();
    return user;
  }

  send(method: string, href: string, body?: unknown): Promise<Resp> {
    return send(this.base, method, href, this.token, body);
  }

  link(embedded: string, rel: string): string {
    return this.app._embedded[P + embedded]._links[P + rel].href as string;
  }

  get self(): string {
    return this.app._links.self.href as string;
  }

  /** Keeps a P-GET pending on the application's event channel until stop(). */
  listen(): void {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    let href = this.app._links[`${P}events`].href as string;
    this.loop = (async () => {
      while (!signal.aborted) {
        let res: Response;
        try {
          res = await fetch(new URL(href, this.base), { headers: { Accept: 'application/json', Authorization: `Bearer ${this.token}` }, signal });
        } catch {
          return;
        }
        if (res.status !== 200) {
          await res.text();
          return;
        }
        const batch = (await res.json()) as Json;
        for (const sender of batch.sender ?? []) for (const e of sender.events) this.events.push({ ...e, at: Date.now() });
        href = (batch._links.next ?? batch._links.resync).href as string;
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  async waitFor(pred: (e: Json) => boolean, ms = 3000, what = 'event'): Promise<Json> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.events.map((e) => [e.type, e.link?.href]))}`);
      await sleep(10);
    }
  }

  /** The embedded invitation of the event of `type` for threadId. */
  async invitation(type: string, threadId: string): Promise<Json> {
    const e = await this.waitFor((x) => x.type === type && x._embedded?.[`${P}messagingInvitation`]?.threadId === threadId, 3000, `${type} ${threadId}`);
    return e;
  }
}

async function withServer(options: ReferenceOptions, body: (server: RunningReference) => Promise<void>): Promise<void> {
  const server = await startReferenceServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const threadId = (): string => `iso-${crypto.randomUUID()}`;

/** Starts an invitation from caller to callee and returns both sides' embedded invitations. */
async function invite(caller: User, callee: User): Promise<{ out: Json; inc: Json; location: string }> {
  const t = threadId();
  const sm = await caller.send('POST', caller.link('communication', 'startMessaging'), { to: (callee.app._embedded[`${P}me`].uri as string), threadId: t });
  assert.equal(sm.status, 201, sm.text);
  const location = sm.headers.get('location')!;
  const inc = (await callee.invitation('started', t))._embedded[`${P}messagingInvitation`] as Json;
  const out = (await caller.send('GET', location)).json;
  return { out, inc, location };
}

describe('reference server isolation: tokens', () => {
  test('expires_in is the configured lifetime (default 3600); an expired token gets 401 with a challenge and has no effect', async () => {
    await withServer({}, async (server) => {
      assert.equal((await signIn(server.url, 'alice')).expiresIn, 3600);
    });
    await withServer({ tokenLifetimeSeconds: 1, noAnswerTimeoutSeconds: 60 }, async (server) => {
      const alice = await User.create(server, 'alice');
      const bob = await User.create(server, 'bob', { available: true, listen: true });
      assert.equal((await signIn(server.url, 'alice')).expiresIn, 1);
      const { out, location } = await invite(alice, bob);
      assert.equal(out.state, 'Connecting');
      await bob.stop();
      await sleep(1100);
      for (const [method, href] of [['GET', '/autodiscover/user'], ['GET', alice.self], ['GET', location],
        ['POST', out._links[`${P}cancel`].href], ['DELETE', alice.self]] as const) {
        const r = await alice.send(method, href);
        assert.equal(r.status, 401, `${method} ${href} with an expired token: ${r.status}`);
        assert.match(r.headers.get('www-authenticate') ?? '', /^MsRtcOAuth /);
      }
      alice.token = (await signIn(server.url, 'alice')).token;
      assert.equal((await alice.send('GET', location)).json.state, 'Connecting', 'the expired token cancelled nothing');
      assert.equal((await alice.send('GET', alice.self)).status, 200, 'the expired token deleted nothing');
      assert.equal((await alice.send('POST', out._links[`${P}cancel`].href)).status, 204);
    });
  });

  test('tokenLifetimeSeconds and applicationIdleSeconds are checked', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 1e12]) {
      assert.throws(() => createApp({ tokenLifetimeSeconds: bad }), /tokenLifetimeSeconds/);
    }
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => createApp({ applicationIdleSeconds: bad }), /applicationIdleSeconds/);
    }
    createApp({ tokenLifetimeSeconds: 1, applicationIdleSeconds: 0 }).close();
    createApp({ applicationIdleSeconds: 0.5 }).close();
  });
});

describe('reference server isolation: other users', () => {
  test("no method on any of a user's hrefs reaches it with another user's token, and nothing changes", async () => {
    await withServer({ noAnswerTimeoutSeconds: 60 }, async (server) => {
      const alice = await User.create(server, 'alice', { listen: true });
      const bob = await User.create(server, 'bob', { available: true, listen: true });
      const carol = await User.create(server, 'carol');

      const connecting = await invite(alice, bob);
      const accepted = await invite(alice, bob);
      assert.equal((await bob.send('POST', accepted.inc._links[`${P}accept`].href)).status, 204);
      const declined = await invite(alice, bob);
      assert.equal((await bob.send('POST', declined.inc._links[`${P}decline`].href, { reason: 'Local' })).status, 204);
      const meeting = await bob.send('POST', connecting.inc._links[`${P}startAdhocMeeting`].href, { subject: 'm' });
      assert.equal(meeting.status, 201, meeting.text);

      const hrefs = new Set<string>();
      const collect = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(collect);
        else if (value && typeof value === 'object') {
          for (const [k, v] of Object.entries(value)) {
            if (k === 'href' && typeof v === 'string' && v.startsWith('/ucwa/')) hrefs.add(v);
            else collect(v);
          }
        }
      };
      collect(alice.app);
      collect(bob.app);
      for (const who of [alice, bob]) {
        for (const inv of [connecting, accepted, declined]) {
          const mine = who === alice ? inv.location : inv.inc._links.self.href as string;
          const r = await who.send('GET', mine);
          collect(r.json);
          for (const rel of ['conversation', 'messaging']) {
            const href = r.json._links[P + rel]?.href as string | undefined;
            if (href) collect((await who.send('GET', href)).json);
          }
        }
      }
      collect(meeting.json);
      hrefs.add(meeting.headers.get('location')!);
      const aliceOwn = [...hrefs].filter((h) => h.startsWith(alice.self));
      const bobOwn = [...hrefs].filter((h) => h.startsWith(bob.self));
      assert.ok(aliceOwn.length >= 15 && bobOwn.length >= 15, `hrefs: ${aliceOwn.length} of alice, ${bobOwn.length} of bob`);
      assert.ok(aliceOwn.some((h) => h.endsWith('/stopMessaging')) && aliceOwn.some((h) => h.endsWith('/addMessaging')));
      assert.ok(bobOwn.some((h) => h.endsWith('/accept')) && bobOwn.some((h) => h.includes('/onlineMeetingInvitations/')));

      const before = server.app.stats();
      assert.equal(before.pendingEventRequests, 2);
      const bodies: (Json | undefined)[] = [undefined, {}, { to: 'sip:carol@example.com' }, { reason: 'Local' }, { supportedModalities: ['Messaging'] }];
      let probes = 0;
      for (const [intruder, victim] of [[carol, aliceOwn], [bob, aliceOwn], [carol, bobOwn], [alice, bobOwn]] as const) {
        for (const href of victim) {
          for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
            for (const body of method === 'POST' ? bodies : [undefined]) {
              const r = await intruder.send(method, href, body);
              probes++;
              const path = href.split('?')[0]!;
              const application = path === alice.self || path === bob.self || path.endsWith('/events');
              assert.deepEqual([r.status, r.json.code, r.json.subcode], [404, 'NotFound', application ? 'ApplicationNotFound' : undefined],
                `${method} ${href} ${JSON.stringify(body)} by another user: ${r.status} ${r.text}`);
            }
          }
        }
      }
      assert.ok(probes > 400, `${probes} probes`);

      assert.deepEqual(server.app.stats(), before, 'no invitation, application or P-GET changed');
      assert.equal((await alice.send('GET', connecting.location)).json.state, 'Connecting');
      assert.equal((await bob.send('GET', connecting.inc._links.self.href)).json.state, 'Connecting');
      const messaging = (await alice.send('GET', accepted.out._links[`${P}messaging`].href)).json;
      assert.equal(messaging.state, 'Connected');
      assert.equal(alice.events.filter((e) => e.type === 'started').length, 3, 'no invitation started by an intruder');
      assert.equal(bob.events.filter((e) => e.type === 'started').length, 3);
      for (const u of [alice, bob]) assert.equal((await u.send('GET', u.self)).status, 200);
      await alice.stop();
      await bob.stop();
    });
  });
});

describe('reference server isolation: idle applications expire', () => {
  test('an application without requests is deleted after applicationIdleSeconds; its invitations complete as on DELETE', async () => {
    await withServer({ applicationIdleSeconds: 1, noAnswerTimeoutSeconds: 60 }, async (server) => {
      const bob = await User.create(server, 'bob', { available: true, listen: true });
      const alice = await User.create(server, 'alice');
      const { location } = await invite(alice, bob);
      const t = (await alice.send('GET', location)).json.threadId as string;
      const lastRequest = Date.now();
      // alice's application goes idle: bob's incoming invitation fails as when the caller's application is deleted.
      const done = await bob.waitFor((e) => e.type === 'completed', 4000, "bob's completion");
      const after = done.at - lastRequest;
      assert.ok(after >= 900 && after < 2500, `expired ${after} ms after the last request`);
      assert.deepEqual([done.status, done.reason.code, done.reason.subcode], ['Failure', 'RemoteFailure', 'Canceled']);
      assert.equal(done._embedded[`${P}messagingInvitation`].threadId, t);
      const gone = await alice.send('GET', alice.self);
      assert.deepEqual([gone.status, gone.json.subcode], [404, 'ApplicationNotFound']);
      // bob's pending P-GET (held far longer than the idle time) keeps his application alive.
      await sleep(1500);
      assert.equal((await bob.send('GET', bob.self)).status, 200);
      await bob.stop();
      await sleep(1500);
      assert.deepEqual(server.app.stats(), { applications: 0, invitations: 0, connectingInvitations: 0, pendingEventRequests: 0 });
      assert.equal((await bob.send('GET', bob.self)).json.subcode, 'ApplicationNotFound');
    });
  });

  test("an idle callee's application goes too: the caller, still polling, sees TemporarilyUnavailable", async () => {
    await withServer({ applicationIdleSeconds: 1, noAnswerTimeoutSeconds: 60 }, async (server) => {
      const alice = await User.create(server, 'alice', { listen: true });
      const bob = await User.create(server, 'bob', { available: true, listen: true });
      const { location } = await invite(alice, bob);
      await bob.stop();
      const done = await alice.waitFor((e) => e.type === 'completed', 4000, "alice's completion");
      assert.deepEqual([done.status, done.reason.code, done.reason.subcode], ['Failure', 'RemoteFailure', 'TemporarilyUnavailable']);
      assert.equal((await alice.send('GET', location)).json.state, 'Failed');
      assert.equal(server.app.stats().applications, 1);
      await alice.stop();
    });
  });

  test('ordinary requests keep an application alive; applicationIdleSeconds 0 never expires one', async () => {
    await withServer({ applicationIdleSeconds: 0.6 }, async (server) => {
      const alice = await User.create(server, 'alice');
      for (let i = 0; i < 8; i++) {
        await sleep(250);
        assert.equal((await alice.send('GET', alice.link('communication', 'startMessaging').replace(/\/messagingInvitations$/, ''))).status, 200);
      }
      assert.equal((await alice.send('GET', alice.self)).status, 200, 'alive after 2 s of requests 250 ms apart');
      await sleep(1200);
      assert.equal((await alice.send('GET', alice.self)).status, 404, 'gone after 1.2 s without requests');
      assert.equal(server.app.stats().applications, 0);
    });
    await withServer({ applicationIdleSeconds: 0 }, async (server) => {
      const alice = await User.create(server, 'alice');
      await sleep(1200);
      assert.equal((await alice.send('GET', alice.self)).status, 200);
    });
  });
});
