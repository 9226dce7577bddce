import { Then, When } from '@cucumber/cucumber';
import { randomBytes } from 'node:crypto';
import { Inconclusive } from './support/client';
import { fromParticipant, representations, sameUri } from './support/checks';
import { rel } from './support/dialect';
import { show } from './support/expect';
import { isObject } from './support/links';
import { locationOf, receiveFor } from './support/flow';
import { taaScenario } from './support/taa-checks';
import { unique } from './support/values';
import { type ConformanceWorld } from './support/world';

/** A fresh conversation URL from the receiver, remembered as the scenario's (CB-4 attributes callbacks by it). */
async function conversationUrl(w: ConformanceWorld, length?: number): Promise<string> {
  const url = await w.receiver.conversationUrl(length === undefined ? {} : { length });
  taaScenario(w).conversationUrl = url;
  return url;
}

When('the caller starts messaging the callee with a callbackUrl that is {}', async function (this: ConformanceWorld, what: string) {
  const url =
    what === 'a fresh conversation URL' ? await conversationUrl(this) : what === 'a conversation URL padded to 1024 code units' ? await conversationUrl(this, 1024) : undefined;
  if (url === undefined) throw new Error(`suite defect: unknown callbackUrl ${what}`);
  if (url.length !== 1024 && what.includes('1024')) throw new Error(`suite defect: the padded conversation URL has ${url.length} code units`);
  await this.startMessaging({ ...this.defaultStartMessaging(), callbackUrl: url });
});

/** TSM-2's malformed callbackUrl values, by case label. */
async function malformedCallbackUrl(w: ConformanceWorld, label: string): Promise<string> {
  const letter = /^\(([a-e])\)/.exec(label)?.[1];
  switch (letter) {
    case 'a':
      return conversationUrl(w, 1025);
    case 'b':
      return '/cb';
    case 'c':
      return 'ftp://example.com/cb';
    case 'd':
      return 'not a url';
    case 'e': {
      const u = new URL(await w.receiver.conversationUrl());
      return `http://${u.host}${u.pathname}${u.search}`;
    }
    default:
      throw new Error(`suite defect: unknown TSM-2 case ${label}`);
  }
}

When('the caller starts messaging the callee with the callbackUrl {}', async function (this: ConformanceWorld, label: string) {
  const callbackUrl = await malformedCallbackUrl(this, label);
  const threadId = unique('conformance-');
  taaScenario(this).refusedThreadIds.push(threadId);
  await this.startMessaging({ ...this.defaultStartMessaging(), threadId, callbackUrl });
});

Then('no invitation with that threadId reaches either side within {int} seconds', async function (this: ConformanceWorld, seconds: number) {
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const role of ['caller', 'callee'] as const) {
    const ch = this.channel(role);
    for (const threadId of taaScenario(this).refusedThreadIds) {
      const seen = ch.events.filter((e) => (e.embeddedInvitation ?? e.fetched)?.threadId === threadId);
      this.check(this.req, seen.length === 0, `no event about an invitation with the refused threadId ${threadId} on the ${role}'s event stream within ${seconds} s (ERR-16)`, seen.map((e) => `${e.type} ${e.linkHref ?? '?'}`).join('; '), []);
    }
  }
});

When('the caller starts messaging the callee with the unreachable callbackUrl', async function (this: ConformanceWorld) {
  await this.startMessaging({ ...this.defaultStartMessaging(), callbackUrl: this.taa.unreachableCallbackUrl });
});

When('the caller starts messaging the callee with a multipart\\/related body holding the JSON input', async function (this: ConformanceWorld) {
  const body = this.defaultStartMessaging();
  const boundary = `conformance-${randomBytes(12).toString('hex')}`;
  const rawBody = [`--${boundary}`, 'Content-Type: application/json; charset=utf-8', '', JSON.stringify(body), `--${boundary}--`, ''].join('\r\n');
  await this.startMessaging(body, { rawBody, contentType: `multipart/related; boundary=${boundary}; type="application/json"` });
});

// ---- TSM-5: startMessagingWithIdentity ----

/** The identity TSM-5 claims: fixtures.localUserUri, else the caller's own uri; display name `Conformance <hex>`. */
function identityInput(w: ConformanceWorld): Record<string, unknown> {
  return {
    ...w.defaultStartMessaging(),
    localUserUri: w.target.fixtures.localUserUri ?? w.pair.caller.uri,
    localUserDisplayName: `Conformance ${randomBytes(4).toString('hex')}`,
  };
}

/** POST ⟨startMessagingWithIdentity⟩; on 201 the invitation is tracked as the caller's (and cancelled at clean-up). */
async function startWithIdentity(w: ConformanceWorld, body: Record<string, unknown>): Promise<void> {
  const href = w.app('caller').linkOf('communication', 'startMessagingWithIdentity');
  w.check('TSM-5', !!href, `the caller's communication resource links ${rel(w.prefix, 'startMessagingWithIdentity')} (capability declared)`, 'absent', []);
  w.sent = body;
  if (typeof body.threadId === 'string') w.threadId = body.threadId;
  const x = await w.app('caller').post(href as string, { body });
  w.last = x;
  const location = locationOf(x);
  if (x.status === 201 && location) w.invitations.set('caller', { role: 'caller', url: location, remembered: {} });
}

When('the caller starts messaging the callee with a local user identity', async function (this: ConformanceWorld) {
  await startWithIdentity(this, identityInput(this));
});

When('the caller starts messaging the callee with a local user identity and {}', async function (this: ConformanceWorld, fault: string) {
  const body = identityInput(this);
  if (fault === 'no operationId') delete body.operationId;
  else if (fault === 'a localUserUri that is no SIP URI') body.localUserUri = 'tel:+14255550100';
  else throw new Error(`suite defect: unknown fault ${fault}`);
  await startWithIdentity(this, body);
});

Then("the callee's invitation names the local user as from", async function (this: ConformanceWorld) {
  await receiveFor(this, 'TSM-5');
  const { localUserUri, localUserDisplayName } = this.sent as { localUserUri: string; localUserDisplayName: string };
  const seen = representations(this, 'callee');
  if (!seen.length) await this.readInvitation('callee');
  for (const { what, body } of representations(this, 'callee')) {
    const p = await fromParticipant(this, 'callee', body);
    if (!isObject(p)) throw new Inconclusive(`prerequisite MI-11 failed: the callee's invitation has no ⟨from⟩ participant (${what}): ${show(p)}`);
    this.check('TSM-5', sameUri(p.uri, localUserUri), `⟨from⟩ uri ${localUserUri} on the callee's invitation (${what})`, show(p.uri));
    this.check('TSM-5', p.name === localUserDisplayName, `⟨from⟩ name ${show(localUserDisplayName)} on the callee's invitation (${what})`, show(p.name));
  }
});
