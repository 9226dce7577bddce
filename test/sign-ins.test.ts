import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceServer, type RunningReference } from '../reference/server';
import { Client, User } from '../steps/support/client';
import { HttpTransport } from '../steps/support/http';
import { recall, REUSE_AT_MOST_MS, reuseUntil, signsInAfresh } from '../steps/support/sign-ins';
import { parseTargetDescription, type Target } from '../steps/support/target';
import { TaaClient } from '../steps/support/taa/client';
import { TaaSession, TaaUser } from '../steps/support/taa/session';

test('a sign-in is reused for half its token lifetime, at most REUSE_AT_MOST_MS', () => {
  assert.equal(reuseUntil(3600, 0), Math.min(1_800_000, REUSE_AT_MOST_MS));
  assert.equal(reuseUntil('60', 0), 30_000);
  assert.equal(reuseUntil(undefined, 0), REUSE_AT_MOST_MS);
  assert.equal(reuseUntil(-5, 0), REUSE_AT_MOST_MS);
  assert.equal(reuseUntil('soon', 0), REUSE_AT_MOST_MS);
});

test('scenarios that check signing in, or every exchange, sign in afresh', () => {
  for (const id of ['DISC-1', 'AUTH-4', 'SEC-5', 'WIRE-4', 'TDISC-1', 'TAUTH-5', 'TAPP-6']) assert.equal(signsInAfresh(['SM-1', id]), true, id);
  assert.equal(signsInAfresh(['SM-1', 'ERR-5', 'CB-4', 'TSM-2', 'APP-1']), false);
  assert.equal(signsInAfresh([]), false);
});

describe('signing in again in a later scenario of the same worker', () => {
  let server: RunningReference;
  let target: Target;
  before(async () => {
    server = await startReferenceServer({ pairs: 1, taa: { callbackOrigin: 'http://127.0.0.1:9' }, callbackAllowHttp: true });
    target = parseTargetDescription(server.description, 'test');
  });
  after(() => server.close());

  const requests = (c: Client) => c.exchanges.map((x) => `${x.method} ${new URL(x.url).pathname}`);

  test('UCWA: a reusing sign-in sends nothing and has the same token and links; a fresh one signs in again', async () => {
    const account = target.users.caller;
    const first = new Client(target, new HttpTransport());
    const u1 = new User(first, 'caller', account);
    await u1.signIn({ reuse: true });
    assert.ok(first.exchanges.length >= 4, `discovery, challenge, grant, user: ${requests(first).join(', ')}`);
    const again = new Client(target, new HttpTransport());
    const u2 = new User(again, 'caller', account);
    await u2.signIn({ reuse: true });
    assert.deepEqual(requests(again), []);
    assert.equal(u2.token, u1.token);
    assert.equal(u2.applicationsUrl, u1.applicationsUrl);
    await u2.createApplication();
    assert.deepEqual(requests(again), ['POST /ucwa/v1/applications']);
    const fresh = new Client(target, new HttpTransport());
    await new User(fresh, 'caller', account).signIn();
    assert.ok(fresh.exchanges.length >= 4, 'without reuse every step is sent');
  });

  test('a 401 to a request with the remembered token forgets that sign-in', async () => {
    const account = target.users.caller;
    const c = new Client(target, new HttpTransport());
    const u = new User(c, 'caller', account);
    await u.signIn({ reuse: true });
    assert.ok(recall(target, 'ucwa', account));
    // a token the server no longer accepts: simulated by a 401 the client sees for it
    await c.request('GET', `${server.url}/ucwa/v1/applications/nothing-here`, 'caller', 'not-the-token');
    assert.ok(recall(target, 'ucwa', account), 'a 401 to another token forgets nothing');
    // a UCWA token on a TAA URL is refused (TAUTH-4): the client's 401 with that token forgets the sign-in
    const x = await c.request('GET', `${server.url}/platformservice/v1/applications`, 'caller', u.token);
    assert.equal(x.status, 401);
    assert.equal(recall(target, 'ucwa', account), undefined);
    const next = new Client(target, new HttpTransport());
    await new User(next, 'caller', account).signIn({ reuse: true });
    assert.ok(next.exchanges.length >= 4, 'the next sign-in is a full one');
  });

  test('TAA: a reusing session opens without a request, with the same application and token', async () => {
    const account = target.users.pairs?.map((p) => p.caller).find((a) => a.transport === 'taa') ?? target.users.caller;
    assert.equal(account.transport, 'taa');
    const first = new Client(target, new HttpTransport());
    const s1 = new TaaSession(new TaaUser(new TaaClient(first), 'caller', account, undefined, true));
    await s1.open();
    assert.deepEqual(
      requests(first).map((r) => r.replace(/applications\/[^/]+$/, 'applications/X')),
      ['POST /example.com/oauth2/token', 'GET /platformservice/discover', 'GET /platformservice/v1/applications', 'GET /platformservice/v1/applications/X'],
    );
    const again = new Client(target, new HttpTransport());
    const tokens: string[] = [];
    const s2 = new TaaSession(new TaaUser(new TaaClient(again), 'caller', account, (t) => tokens.push(t), true));
    await s2.open();
    assert.deepEqual(requests(again), []);
    assert.equal(s2.startMessagingUrl, s1.startMessagingUrl);
    assert.deepEqual(tokens, [s1.user.token], 'the remembered token is told for redaction');
    const fresh = new Client(target, new HttpTransport());
    await new TaaSession(new TaaUser(new TaaClient(fresh), 'caller', account)).open();
    assert.equal(fresh.exchanges.length, 4, 'without reuse the session opens in full');
  });
});
