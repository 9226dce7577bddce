import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveVariant } from '../bin/variant-server';
import { Client, Inconclusive, User, type Application } from '../steps/support/client';
import { RequirementFailure } from '../steps/support/expect';
import { HttpTransport } from '../steps/support/http';
import { asOwnFailure } from '../steps/support/own-failure';
import { parseTargetDescription } from '../steps/support/target';

/**
 * The set-up failure rule (issue #15): every requirement the shared set-up checks — discovery (DISC-1), the
 * challenge (DISC-2), the password grant (AUTH-1), the user document (DISC-3), the application and its links (APP-1),
 * makeMeAvailable (APP-4, World.ready), startMessaging (SM-1, the "has started messaging" steps) — is named by the
 * Inconclusive the set-up throws; in a scenario tagged with it that is its failure, with the exchange; elsewhere it
 * stays inconclusive. Each case below breaks one set-up step of the reference server (a fault switch, or a tampered
 * answer where no fault breaks that step) and runs the suite's own client against it.
 */
async function setUpError(faults: string[], tamper?: (url: string, init: { method: string }) => { status: number; body?: string; headers?: Record<string, string> } | undefined): Promise<Inconclusive> {
  const v = await serveVariant(faults, 2);
  try {
    const target = parseTargetDescription(v.description, 'test');
    const base = new HttpTransport({ timeoutMs: 5000 });
    const transport = tamper
      ? (Object.assign(Object.create(base) as HttpTransport, {
          send: async (r: Parameters<HttpTransport['send']>[0]) => {
            const x = await base.send(r);
            const t = tamper(r.url, { method: r.method });
            return t ? { ...x, status: t.status, responseBody: t.body ?? '', responseHeaders: t.headers ?? {} } : x;
          },
        }) as HttpTransport)
      : base;
    const user = new User(new Client(target, transport), 'caller', target.users.caller);
    try {
      await user.signIn();
      const app: Application = await user.createApplication();
      void app.eventsUrl;
    } catch (e) {
      if (e instanceof Inconclusive) return e;
      throw e;
    }
    throw new Error('the set-up did not fail');
  } finally {
    await v.close();
  }
}

describe('set-up failures are failures of the requirement they check', () => {
  const cases: [string, string[], Parameters<typeof setUpError>[1]?][] = [
    ['DISC-1', ['discovery-user-prefixed']],
    ['DISC-2', [], (url, i) => (i.method === 'GET' && url.endsWith('/autodiscover/user') ? { status: 401 } : undefined)],
    ['AUTH-1', [], (url, i) => (i.method === 'POST' && url.endsWith('/oauth/token') ? { status: 400, body: '{"error":"invalid_grant"}', headers: { 'content-type': 'application/json' } } : undefined)],
    ['DISC-3', ['user-document-redirect']],
    ['APP-1', ['application-without-events-link']],
  ];
  for (const [req, faults, tamper] of cases)
    test(`${req}: the scenario tagged ${req} fails with the exchange, any other stays inconclusive naming it`, async () => {
      const e = await setUpError(faults, tamper);
      assert.equal(e.requirement, req, e.message);
      const own = asOwnFailure([req], ['never-shown'], e);
      assert.ok(own instanceof RequirementFailure, String(own));
      assert.equal(own.requirement, req);
      if (req !== 'APP-1') assert.equal(own.exchanges.length, 1);
      assert.match(own.message, new RegExp(`^\\[${req} MUST`));
      assert.equal(asOwnFailure(['MI-1', 'SM-1'], [], e), e);
    });

  test('a requirement failure inside prerequisite() is given back whole to the scenario tagged with it', () => {
    const failure = new RequirementFailure('MI-1', 'a 200', '404', [], []);
    const e = new Inconclusive(`prerequisite MI-1 failed: expected a 200; actual 404`, undefined, failure);
    assert.equal(asOwnFailure(['MI-1'], [], e), failure);
    assert.equal(asOwnFailure(['MI-2'], [], e), e);
    assert.equal(asOwnFailure(['MI-1'], [], new Inconclusive('the callee has no invitation in this scenario')) instanceof Inconclusive, true);
  });
});
