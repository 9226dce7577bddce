import { After, Given, Then, When } from '@cucumber/cucumber';
import { checkRefusal } from './support/checks';
import { Inconclusive } from './support/client';
import {
  checkEventDelay,
  checkInvitationCopies,
  continuationProblems,
  deliveryProblem,
  disposeExtras,
  extras,
  linger,
  park,
  parkTwice,
  startFrom,
  throwaway,
  throwawayApplication,
  watchIdle,
} from './support/event-probes';
import { unique } from './support/values';
import { type ConformanceWorld } from './support/world';
import { EVENT_WAIT_MS } from './support/timing';

const ROLES = ['caller', 'callee'] as const;
const IDLE_RELEASE_MS = 180_000;

After(async function (this: ConformanceWorld) {
  await disposeExtras(this);
});

Given('the caller has a throw-away application', async function (this: ConformanceWorld) {
  await throwawayApplication(this);
});

Given('the caller has deleted its throw-away application', async function (this: ConformanceWorld) {
  const x = await throwaway(this).delete();
  if (x.status !== 204) throw new Inconclusive(`prerequisite APP-6 failed: deleting the application answered ${x.status ?? x.error}`, x);
});

When("the caller requests the deleted application's events", async function (this: ConformanceWorld) {
  const app = throwaway(this);
  this.last = await app.get(app.eventsUrl, { timeoutMs: 10_000 });
});

Then('each channel requested exactly the continuation href of its previous batch', function (this: ConformanceWorld) {
  for (const role of ROLES)
    for (const { problem, batch } of continuationProblems(this.ucwaChannel(role)))
      this.check('EV-2', false, `the ${role}'s reader requests the next, resume or resync href of the previous batch unchanged`, problem, [batch.exchange]);
});

Then('each channel delivered the started and the completed of its invitation once, in that order', async function (this: ConformanceWorld) {
  await linger(1000);
  for (const role of ROLES) {
    const problem = deliveryProblem(this.channel(role).about(this.invitation(role).url));
    this.check('EV-2', !problem, `on the ${role}'s channel one started, then one completed, each delivered once`, problem ?? '', []);
  }
});

When('the caller parks an event request on that application', function (this: ConformanceWorld) {
  extras(this).parked = park(throwaway(this), IDLE_RELEASE_MS + 60_000);
});

Then('the event request is not answered with an empty batch within 5 s', async function (this: ConformanceWorld) {
  const o = await watchIdle(throwaway(this), extras(this).parked!, 5000, 20_000);
  const e = o.empty;
  this.check('EV-3', !e, 'an idle P-GET still open after 5 s', `answered with a batch without events after ${Math.round(e?.afterMs ?? 0)} ms`, [e?.exchange]);
});

Then('the event request is released with an empty batch within 180 s', { timeout: IDLE_RELEASE_MS + 60_000 }, async function (this: ConformanceWorld) {
  const o = await watchIdle(throwaway(this), extras(this).parked!, IDLE_RELEASE_MS + 10_000, IDLE_RELEASE_MS + 40_000);
  this.check('EV-3', !!o.empty, 'the idle P-GET released with an empty batch by its timeout (180 s)', `still open after ${Math.round(o.openMs / 1000)} s`, o.exchanges);
});

When('the caller parks two event requests on the same href of that application', async function (this: ConformanceWorld) {
  const { first } = await parkTwice(throwaway(this));
  extras(this).replaced = first ? { first } : {};
});

Then('the first event request is refused with 409 Conflict \\/ PGetReplaced', function (this: ConformanceWorld) {
  const first = extras(this).replaced?.first;
  this.check('EV-4', !!first, 'the first P-GET answered once the second is issued', 'no answer within 5 s of the second P-GET', []);
  checkRefusal(this, 'EV-4', first!, 409, 'PGetReplaced');
});

When('the caller starts messaging the callee from that application', async function (this: ConformanceWorld) {
  const { exchange, url } = await startFrom(this, throwaway(this), unique('conformance-'));
  if (exchange.status !== 201 || !url) throw new Inconclusive(`prerequisite SM-1 failed: startMessaging answered ${exchange.status ?? exchange.error}`, exchange);
  this.last = exchange;
});

Then("the second event request delivers that invitation's started event", async function (this: ConformanceWorld) {
  const inv = extras(this).invitations[0]!;
  const ch = throwaway(this).channel!;
  await this.waitEvent('EV-4', () => ch.waitForStartedWithThread(inv.threadId, EVENT_WAIT_MS)).catch((e: unknown) => {
    if (!(e instanceof Inconclusive) || !ch.failureExchange) throw e;
  });
  const second = ch.batches[0]?.exchange ?? ch.failureExchange;
  this.check('EV-4', second?.status === 200, 'the second P-GET still valid: answered 200 with a batch', `${second?.status ?? second?.error ?? 'no answer'}`, [second]);
  this.check('EV-4', ch.events.some((e) => e.batch === 1), 'the second P-GET answered with events', ch.describe() || 'an empty batch', [second]);
});

Then('every invitation event on both channels embeds a valid copy of its invitation or only links it', async function (this: ConformanceWorld) {
  for (const role of ROLES) await checkInvitationCopies(this, role);
});

Then('both started events arrive within 1 s of the startMessaging response', async function (this: ConformanceWorld) {
  const cause = this.last!;
  if (cause.status !== 201) throw new Inconclusive(`prerequisite SM-1 failed: startMessaging answered ${cause.status ?? cause.error}`, cause);
  const url = this.invitation('caller').url;
  const out = await this.waitEvent('EV-10', () => this.channel('caller').waitForInvitationEvent(url, 'started', EVENT_WAIT_MS));
  await this.waitEvent('EV-10', () => this.channel('callee').waitForStartedWithThread(this.threadId, EVENT_WAIT_MS));
  const inc = await this.receiveIncoming();
  checkEventDelay(this, 'caller', out, cause, 'startMessaging');
  checkEventDelay(this, 'callee', inc, cause, 'startMessaging');
});

When(/^the invitation is completed by the (caller|callee)'s (accept|decline|cancel)$/, async function (this: ConformanceWorld, role: 'caller' | 'callee', action: string) {
  const t = this.invitation(role);
  if (!t.remembered[action]) await this.readInvitation(role);
  const href = t.remembered[action];
  if (!href) throw new Inconclusive(`prerequisite ${role === 'caller' ? 'MI-13' : 'MI-12'} failed: the ${role}'s invitation offers no ${action} link`);
  this.last = await this.app(role).post(href);
  const req = { accept: 'ACC-1', decline: 'DEC-1', cancel: 'CAN-1' }[action];
  if (this.last.status !== 204) throw new Inconclusive(`prerequisite ${req} failed: ${action} answered ${this.last.status ?? this.last.error}`, this.last);
});

Then(/^both completed events arrive within 1 s of the (accept|decline|cancel) response$/, async function (this: ConformanceWorld, action: string) {
  const cause = this.last!;
  for (const role of ROLES) {
    const url = this.invitation(role).url;
    const e = await this.waitEvent('EV-10', () => this.channel(role).waitForInvitationEvent(url, 'completed', EVENT_WAIT_MS));
    checkEventDelay(this, role, e, cause, action);
  }
});
