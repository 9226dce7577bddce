import { Before, Given, Then, When } from '@cucumber/cucumber';
import { randomBytes } from 'node:crypto';
import type { RecordedCallback } from './support/callbacks/types';
import { isRecordedCallback } from './support/callbacks/channel';
import { Inconclusive } from './support/client';
import { rel } from './support/dialect';
import { show } from './support/expect';
import { answer, receiveFor } from './support/flow';
import {
  callbackBody,
  callbackEventCount,
  callbackEvents,
  callbackExchange,
  callbackKeys,
  callbackShapeProblems,
  callbackSignatureProblem,
  callbackTokenProblems,
  callbacksSinceStart,
  contextOf,
  conversationUrls,
  expectedAudience,
  isAbout,
  sameCallbackUrl,
  scenarioCallbacks,
  scenarioRule,
  taaRoles,
  taaScenario,
  unresolvableHrefs,
} from './support/taa-checks';
import { EVENT_WAIT_MS } from './support/timing';
import { cancelAsPrerequisite } from './support/cancelling';
import type { ConformanceWorld, Role } from './support/world';

/** Every TAA scenario notes where the receiver's record stood when it began: its callbacks come after. */
Before({ tags: '@area:callbacks or @area:taa-application or @area:taa-startMessaging or @area:taa-discovery or @area:taa-sign-in' }, async function (this: ConformanceWorld) {
  if (!this.target.taa) return;
  try {
    taaScenario(this).mark = await this.receiver.mark();
  } catch {
    // no receiver in this run: the steps that need callbacks say so themselves
  }
});

/** The scenario's callbacks, or Inconclusive when none arrived (the flow before waited for events, so this is odd). */
async function someCallbacks(w: ConformanceWorld): Promise<{ role: Role; callback: RecordedCallback }[]> {
  const all = await scenarioCallbacks(w);
  if (!all.length) throw new Inconclusive('no callback reached the receiver during this scenario (check that the callback URLs reach the receiver)');
  return all;
}

function accountOf(w: ConformanceWorld, role: Role) {
  return w.pair[role];
}

Then('every callback of this scenario is a JSON event batch with an absolute baseuri', async function (this: ConformanceWorld) {
  for (const { role, callback: c } of await someCallbacks(this)) {
    const problems = callbackShapeProblems(c, this.prefix);
    this.check('CB-1', problems.length === 0, `callback #${c.seq} to the ${role}: a JSON event batch (application/json) with an absolute baseuri and _links.self`, problems.join('; '), [callbackExchange(c)]);
  }
});

Then("every invitation event of this scenario's callbacks resolves against baseuri to its invitation and communication", async function (this: ConformanceWorld) {
  const fetched = new Set<string>();
  for (const { role, callback: c } of await someCallbacks(this)) {
    const x = callbackExchange(c);
    const bad = unresolvableHrefs(c);
    this.check('CB-2', bad.length === 0, `every href of callback #${c.seq} resolving against its baseuri`, bad.join(', '), [x]);
    const ours = conversationUrls(this, role);
    const invitation = this.invitation(role).url;
    const communication = this.app(role).communicationUrl;
    for (const e of callbackEvents(c, this.prefix)) {
      if (e.linkRel !== 'messagingInvitation') continue;
      // Events about this scenario's invitation, told by the threadId of an embedded copy when the href is wrong.
      const mine = (e.linkHref !== undefined && ours.has(e.linkHref)) || e.embeddedInvitation?.threadId === this.threadId;
      if (!mine) continue;
      this.check('CB-2', e.linkHref === invitation, `link.href of the ${e.type} event resolving against baseuri to the ${role}'s invitation ${invitation}`, show(e.linkHref), [x]);
      if (e.embeddedInvitation) this.check('CB-2', e.embeddedSelf === invitation, `the embedded invitation's self resolving against baseuri to ${invitation}`, show(e.embeddedSelf), [x]);
      if (communication) this.check('CB-2', e.senderHref === communication, `the sender href resolving against baseuri to the ${role}'s communication ${communication}`, show(e.senderHref), [x]);
      this.check('CB-2', e.senderRel === rel(this.prefix, 'communication'), `sender rel ${rel(this.prefix, 'communication')}`, e.senderRel, [x]);
      if (e.linkHref && !fetched.has(e.linkHref)) {
        fetched.add(e.linkHref);
        const got = await this.app(role).get(e.linkHref);
        this.check('CB-2', got.status === 200, `GET on the resolved link.href with the ${role}'s token answered 200`, `${got.status ?? got.error}`, [x, got]);
      }
    }
  }
});

Then('every callback of this scenario carries a bearer JWS whose {} is as declared', async function (this: ConformanceWorld, part: string) {
  if (part !== 'header and claims' && part !== 'audience') throw new Error(`suite defect: unknown part ${part}`);
  const taa = this.taa;
  let checked = 0;
  for (const { role, callback: c } of await someCallbacks(this)) {
    const account = accountOf(this, role);
    if (part === 'audience' && expectedAudience(account, taa) === undefined) continue;
    checked++;
    const problems = callbackTokenProblems(c, taa, account, part);
    this.check('CB-5', problems.length === 0, `callback #${c.seq} to the ${role} carrying Authorization: Bearer <JWS> with the declared ${part}`, problems.join('; '), [callbackExchange(c)]);
  }
  if (!checked) throw new Inconclusive(`no callback of this scenario went to an account with a declared audience (appIdUri or taa.callbackAuth.audience)`);
});

Then("the JWS of every callback of this scenario verifies with the declared key of its kid", async function (this: ConformanceWorld) {
  const keys = await callbackKeys(this);
  const algorithms = this.taa.callbackAuth.algorithms;
  for (const { role, callback: c } of await someCallbacks(this)) {
    const problem = await callbackSignatureProblem(c, keys, algorithms);
    this.check('CB-6', problem === undefined, `the JWS of callback #${c.seq} to the ${role} verifying with the declared key of its kid`, problem ?? '', [callbackExchange(c)]);
  }
});

Then('every empty callback of this scenario is a well-formed signed batch without events', async function (this: ConformanceWorld) {
  const taa = this.taa;
  const empty = (await scenarioCallbacks(this)).filter(({ callback: c }) => {
    const b = callbackBody(c);
    return !b || callbackEventCount(b) === 0;
  });
  this.log(empty.length ? `CB-11: ${empty.length} empty callback(s) checked` : 'CB-11: no empty callback arrived during this scenario; nothing to check');
  for (const { role, callback: c } of empty) {
    const x = callbackExchange(c);
    const shape = callbackShapeProblems(c, this.prefix);
    this.check('CB-11', shape.length === 0, `empty callback #${c.seq} to the ${role} shaped as CB-1 says`, shape.join('; '), [x]);
    const token = callbackTokenProblems(c, taa, accountOf(this, role), 'header and claims');
    this.check('CB-11', token.length === 0, `empty callback #${c.seq} signed as CB-5 says`, token.join('; '), [x]);
  }
});

// ---- CB-3, CB-4: where callbacks go ----

Given('the caller has started messaging the callee without a callbackUrl', async function (this: ConformanceWorld) {
  const { callbackUrl: _none, ...body } = this.defaultStartMessaging() as Record<string, unknown>;
  const x = await this.startMessaging(body);
  if (x.status !== 201 || !this.invitations.has('caller')) throw new Inconclusive(`prerequisite SM-1 failed: startMessaging answered ${x.status ?? x.error}`, x);
});

/** The callbacks since the scenario began (any URL, unmatched ones included) about a role's conversation. */
async function callbacksAbout(w: ConformanceWorld, role: Role): Promise<RecordedCallback[]> {
  const urls = conversationUrls(w, role);
  return (await callbacksSinceStart(w)).filter((c) => isAbout(c, urls, undefined));
}

/** Callbacks since the scenario began that name its threadId but reached no default URL of the pair (CB-3). */
async function misrouted(w: ConformanceWorld): Promise<RecordedCallback[]> {
  const defaults = taaRoles(w).map((r) => accountOf(w, r).uri.toLowerCase());
  return (await callbacksSinceStart(w)).filter((c) => isAbout(c, new Set(), w.threadId) && !(c.route?.kind === 'default' && defaults.includes(c.route.account?.toLowerCase() ?? '')));
}

When('the callee receives the invitation at its default callback URL', async function (this: ConformanceWorld) {
  try {
    await receiveFor(this, 'CB-3');
  } catch (e) {
    const wrong = await misrouted(this);
    if (wrong[0]) this.fail('CB-3', `the started callback at the callee's default callback URL ${accountOf(this, 'callee').callbackUrl}`, `callbacks about this conversation went to ${[...new Set(wrong.map((c) => c.url))].join(', ')}`, wrong.slice(0, 3).map(callbackExchange));
    throw e;
  }
});

Then("every callback about the TAA sides' invitations arrived at that side's default callback URL and nowhere else", async function (this: ConformanceWorld) {
  // Let the completions arrive (or not: a misrouted one is what this checks).
  await Promise.all(taaRoles(this).map((r) => this.completed(r).catch(() => undefined)));
  const wrong = await misrouted(this);
  for (const c of wrong) this.check('CB-3', false, `callback #${c.seq} about this scenario's conversation POSTed to a default callback URL of its endpoint`, `it went to ${c.url}`, [callbackExchange(c)]);
  for (const role of taaRoles(this)) {
    const declared = accountOf(this, role).callbackUrl as string;
    const about = await callbacksAbout(this, role);
    this.check('CB-3', about.length > 0, `callbacks about the ${role}'s invitation at its default callback URL ${declared}`, 'none arrived');
    for (const c of about) {
      const routed = c.route?.kind === 'default' && c.route.account?.toLowerCase() === accountOf(this, role).uri.toLowerCase();
      this.check('CB-3', routed && sameCallbackUrl(c.url, declared), `callback #${c.seq} about the ${role}'s invitation POSTed to its default callback URL ${declared} (same path and query, callbackContext aside)`, c.url, [callbackExchange(c)]);
    }
  }
});

Given('the caller has started messaging the callee with a fresh conversation callbackUrl', async function (this: ConformanceWorld) {
  const url = await this.receiver.conversationUrl();
  taaScenario(this).conversationUrl = url;
  const x = await this.startMessaging({ ...this.defaultStartMessaging(), callbackUrl: url });
  if (x.status !== 201 || !this.invitations.has('caller')) throw new Inconclusive(`prerequisite TSM-1 failed: startMessaging with a callbackUrl answered ${x.status ?? x.error}`, x);
});

Then("every callback about the caller's conversation arrived at the conversation URL exactly as given and none at the default URL", async function (this: ConformanceWorld) {
  const given = taaScenario(this).conversationUrl;
  if (!given) throw new Error('suite defect: no conversation URL was given');
  const u = new URL(given);
  const about = await callbacksAbout(this, 'caller');
  this.check('CB-4', about.length > 0, `callbacks about the caller's invitation at the conversation URL ${given}`, 'none arrived');
  for (const c of about)
    this.check('CB-4', c.route?.kind === 'conversation' && c.path === `${u.pathname}${u.search}`, `callback #${c.seq} about the caller's conversation POSTed to ${given} exactly as given`, c.url, [callbackExchange(c)]);
});

// ---- CB-7, CB-8, CB-9: callbackContext ----

async function answerStartedWithContext(w: ConformanceWorld, member: string, value: string): Promise<void> {
  const url = accountOf(w, 'callee').callbackUrl;
  if (!url) throw new Inconclusive('the callee is not a TAA account with a callbackUrl');
  const rule = await scenarioRule(w, { url, match: 'invitation-started', times: 1, json: { [member]: value } });
  taaScenario(w).context = { value, rule };
}

Given("the receiver answers the callee's next started callback with a fresh context as {string}", async function (this: ConformanceWorld, member: string) {
  await answerStartedWithContext(this, member, `ctx-${randomBytes(16).toString('hex')}`);
});

Given("the receiver answers the callee's next started callback with the context {string}", async function (this: ConformanceWorld, value: string) {
  await answerStartedWithContext(this, 'callbackContext', value);
});

Then("every later callback about the callee's conversation, its completed included, carries that callbackContext on the default URL", async function (this: ConformanceWorld) {
  const ctx = taaScenario(this).context;
  if (!ctx?.rule) throw new Error('suite defect: no context answer was registered');
  // The completed must come too: a context the platform cannot add to the URL must not stop delivery.
  const url = this.invitation('callee').url;
  await this.waitEvent(this.req, () => this.channel('callee').waitForInvitationEvent(url, 'completed', EVENT_WAIT_MS));
  const about = await callbacksAbout(this, 'callee');
  const answered = about.find((c) => c.answer.ruleId === ctx.rule?.id);
  if (!answered) throw new Inconclusive("the receiver did not answer the callee's started callback with the context (the rule matched no callback)");
  const later = about.filter((c) => c.seq > answered.seq);
  const declared = accountOf(this, 'callee').callbackUrl as string;
  this.check(this.req, later.length > 0, `callbacks about the callee's conversation after the context answer to #${answered.seq}`, 'none arrived', [callbackExchange(answered)]);
  for (const c of later) {
    const x = callbackExchange(c);
    this.check(this.req, sameCallbackUrl(c.url, declared), `callback #${c.seq} at the default callback URL ${declared} with its other query parameters kept`, c.url, [x]);
    this.check(this.req, contextOf(c.url) === ctx.value, `callback #${c.seq} with query parameter callbackContext decoding to ${show(ctx.value)}`, show(contextOf(c.url)), [x]);
  }
});

When('the caller starts messaging the callee with a fresh callbackContext and no callbackUrl', async function (this: ConformanceWorld) {
  const value = `ctx-${randomBytes(16).toString('hex')}`;
  taaScenario(this).context = { value };
  const { callbackUrl: _none, ...body } = this.defaultStartMessaging() as Record<string, unknown>;
  const x = await this.startMessaging({ ...body, callbackContext: value });
  this.check('CB-9', x.status === 201 && this.invitations.has('caller'), '201 Created with a Location for a startMessaging with callbackContext', `${x.status ?? x.error}`, [x]);
});

When('the callee receives and declines the invitation', async function (this: ConformanceWorld) {
  await receiveFor(this, 'LC-2');
  await answer(this, 'decline');
  await Promise.all([this.completed('caller'), this.completed('callee')]);
});

Then("every callback about the caller's conversation carries that callbackContext on the default URL", async function (this: ConformanceWorld) {
  const ctx = taaScenario(this).context;
  if (!ctx) throw new Error('suite defect: no callbackContext was given');
  const declared = accountOf(this, 'caller').callbackUrl as string;
  const about = await callbacksAbout(this, 'caller');
  this.check('CB-9', about.length > 0, "callbacks about the caller's conversation", 'none arrived');
  for (const c of about) {
    const x = callbackExchange(c);
    this.check('CB-9', sameCallbackUrl(c.url, declared), `callback #${c.seq} at the caller's default callback URL ${declared}`, c.url, [x]);
    this.check('CB-9', contextOf(c.url) === ctx.value, `callback #${c.seq} with query parameter callbackContext = ${show(ctx.value)}`, show(contextOf(c.url)), [x]);
  }
});

// ---- CB-10, CB-12: delivery ----

Given('the receiver holds its answer to the next started callback at a fresh conversation URL for {int} seconds', async function (this: ConformanceWorld, seconds: number) {
  const url = await this.receiver.conversationUrl();
  taaScenario(this).conversationUrl = url;
  taaScenario(this).holdMs = seconds * 1000;
  await scenarioRule(this, { url, match: 'invitation-started', times: 1, holdMs: seconds * 1000 });
});

Given('the caller has started messaging the callee with that conversation callbackUrl', async function (this: ConformanceWorld) {
  const url = taaScenario(this).conversationUrl;
  if (!url) throw new Error('suite defect: no conversation URL was issued');
  const x = await this.startMessaging({ ...this.defaultStartMessaging(), callbackUrl: url });
  if (x.status !== 201 || !this.invitations.has('caller')) throw new Inconclusive(`prerequisite TSM-1 failed: startMessaging with a callbackUrl answered ${x.status ?? x.error}`, x);
});

When('the caller cancels its invitation while the answer to its started callback is held', async function (this: ConformanceWorld) {
  await cancelAsPrerequisite(this);
});

Then('no callback about that conversation arrived before the held answer was given', async function (this: ConformanceWorld) {
  // the completed callback may only come after the held answer: the event deadline starts when that answer is given
  await this.completed('caller', EVENT_WAIT_MS + (taaScenario(this).holdMs ?? 0));
  const url = taaScenario(this).conversationUrl as string;
  const atUrl = (await this.receiver.callbacks({ url, since: taaScenario(this).mark ?? 0 })).sort((a, b) => a.seq - b.seq);
  const held = atUrl.find((c) => (c.answer.heldMs ?? 0) > 0);
  if (!held) throw new Inconclusive('the receiver held no callback at the conversation URL (the started callback never reached it)');
  for (let i = 1; i < atUrl.length; i++) {
    const before = atUrl[i - 1] as RecordedCallback;
    const c = atUrl[i] as RecordedCallback;
    const answeredAt = before.answeredAt ?? Number.POSITIVE_INFINITY;
    this.check('CB-10', c.arrivedAt >= answeredAt, `callback #${c.seq} sent only after the answer to callback #${before.seq}${before === held ? ` (held ${held.answer.heldMs} ms)` : ''}`, `it arrived ${Math.round(answeredAt - c.arrivedAt)} ms before that answer`, [callbackExchange(before), callbackExchange(c)]);
  }
});

Given("the receiver answers every callback at the callee's default callback URL with 204 and no body", async function (this: ConformanceWorld) {
  const url = accountOf(this, 'callee').callbackUrl;
  if (!url) throw new Inconclusive('the callee is not a TAA account with a callbackUrl');
  await scenarioRule(this, { url, match: 'any', times: 'always', status: 204 });
});

// ---- TAPP-6: no set-up before the first invitation ----

Then("the callee's started callback arrives at its default callback URL before the callee sends any request", async function (this: ConformanceWorld) {
  await receiveFor(this, 'TAPP-6', EVENT_WAIT_MS);
  const invitation = this.invitation('callee').url;
  const started = (await callbacksAbout(this, 'callee')).find((c) => callbackEvents(c, this.prefix).some((e) => e.type === 'started' && e.linkHref === invitation));
  if (!started) throw new Inconclusive("the callback that carried the callee's started event is not in the receiver's record");
  const declared = accountOf(this, 'callee').callbackUrl as string;
  this.check('TAPP-6', started.route?.kind === 'default' && sameCallbackUrl(started.url, declared), `the started callback at the callee's default callback URL ${declared}`, started.url, [callbackExchange(started)]);
  const tokenUrl = this.target.taa?.token?.url;
  // the callee's own requests: not its token grant, and not the callbacks its stream recorded (the target's requests)
  const first = this.client.exchanges.filter((x) => x.who.startsWith('callee') && !isRecordedCallback(x) && x.url !== tokenUrl).sort((a, b) => a.sentAt - b.sentAt)[0];
  const firstAt = first ? performance.timeOrigin + first.sentAt : Number.POSITIVE_INFINITY;
  this.check('TAPP-6', firstAt >= started.arrivedAt, "no request for the callee before its started callback arrived", first ? `${first.method} ${first.url} was sent ${Math.round(started.arrivedAt - firstAt)} ms before it` : '', [first, callbackExchange(started)]);
});

Then("both invitations complete with status {string} while the callee's callbacks are answered 204", async function (this: ConformanceWorld, status: string) {
  for (const role of ['callee', 'caller'] as const) {
    const url = this.invitation(role).url;
    const e = await this.waitEvent('CB-12', () => this.channel(role).waitForInvitationEvent(url, 'completed', EVENT_WAIT_MS));
    this.check('CB-12', e.status === status, `the ${role}'s completed event with status ${status}`, show(e.status));
  }
  const answered = (await scenarioCallbacks(this)).filter(({ role, callback: c }) => role === 'callee' && c.answer.status === 204);
  if (!answered.length) throw new Inconclusive("the receiver answered none of the callee's callbacks with 204 (the rule matched nothing)");
});
