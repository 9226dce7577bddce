import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { RecordedCallback } from '../steps/support/callbacks/types';
import {
  callbackEvents,
  callbackShapeProblems,
  callbackSignatureProblem,
  callbackTokenProblems,
  contextOf,
  isAbout,
  sameCallbackUrl,
  unresolvableHrefs,
} from '../steps/support/taa-checks';
import type { Account, TaaConfig } from '../steps/support/target';

const P = 'service:';
const NOW = Date.now();

const TAA: TaaConfig = {
  discoverUrl: 'https://sfb.example.com/platformservice/discover',
  callbackAuth: { issuer: 'https://sfb.example.com/example.com/', appId: '00000004-0000-0ff1-ce00-000000000000', algorithms: ['RS256'], clockSkewSeconds: 300 },
  callbackReceiver: {},
  allowHttpCallbackUrls: false,
  unreachableCallbackUrl: 'https://callback-unreachable.invalid/cb',
};
const ACCOUNT: Account = { uri: 'sip:helpdesk@example.com', transport: 'taa', clientId: 'app-1', callbackUrl: 'https://cb.example.net/taa/helpdesk?x=1', appIdUri: 'https://apps.example/helpdesk' };

const BODY = {
  _links: { self: { href: '/platformservice/v1/applications/h1/events?ack=1' } },
  sender: [
    {
      rel: 'service:communication',
      href: '/platformservice/v1/applications/h1/communication',
      events: [
        {
          link: { rel: 'service:messagingInvitation', href: '/platformservice/v1/applications/h1/communication/messagingInvitations/m1' },
          type: 'started',
          _embedded: { 'service:messagingInvitation': { rel: 'service:messagingInvitation', threadId: 't-1', _links: { self: { href: '/platformservice/v1/applications/h1/communication/messagingInvitations/m1' } } } },
        },
      ],
    },
  ],
  baseuri: 'https://sfb.example.com',
};

function recorded(o: { body?: unknown; token?: string; contentType?: string; url?: string } = {}): RecordedCallback {
  const url = o.url ?? 'https://cb.example.net/taa/helpdesk?x=1';
  const u = new URL(url);
  return {
    seq: 1,
    arrivedAt: NOW,
    answeredAt: NOW + 1,
    method: 'POST',
    url,
    path: `${u.pathname}${u.search}`,
    headers: { 'content-type': o.contentType ?? 'application/json; charset=utf-8', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
    body: JSON.stringify(o.body ?? BODY),
    answer: { status: 200 },
  } as RecordedCallback;
}

async function keys(): Promise<{ privateKey: KeyLike; jwks: { keys: Record<string, unknown>[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { privateKey, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] } };
}

function token(privateKey: KeyLike, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(NOW / 1000);
  const payload = { iss: TAA.callbackAuth.issuer, aud: ACCOUNT.appIdUri, tid: 'example.com', appid: TAA.callbackAuth.appId, iat: now, nbf: now, exp: now + 3600, ...claims };
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).sign(privateKey);
}

describe('CB-1: the shape of a callback', () => {
  test('the profile example shape passes, in the vnd media type too', () => {
    assert.deepEqual(callbackShapeProblems(recorded(), P), []);
    assert.deepEqual(callbackShapeProblems(recorded({ contentType: 'application/vnd.microsoft.com.ucwa+json; type="x"' }), P), []);
  });
  test('no baseuri, a relative baseuri, another media type and a body that is no object are problems', () => {
    const { baseuri: _b, ...noBase } = BODY;
    assert.ok(callbackShapeProblems(recorded({ body: noBase }), P).length > 0);
    assert.ok(callbackShapeProblems(recorded({ body: { ...BODY, baseuri: '/platformservice' } }), P).length > 0);
    assert.ok(callbackShapeProblems(recorded({ contentType: 'text/plain' }), P).some((p) => p.includes('Content-Type')));
    assert.ok(callbackShapeProblems(recorded({ body: [1] }), P).some((p) => p.includes('not a JSON object')));
  });
});

describe('CB-2: hrefs against baseuri', () => {
  test('events resolve against baseuri, not against the callback URL', () => {
    const [e] = callbackEvents(recorded(), P);
    assert.equal(e?.linkHref, 'https://sfb.example.com/platformservice/v1/applications/h1/communication/messagingInvitations/m1');
    assert.equal(e?.senderHref, 'https://sfb.example.com/platformservice/v1/applications/h1/communication');
    assert.equal(e?.embeddedSelf, e?.linkHref);
    assert.equal(e?.linkRel, 'messagingInvitation');
    assert.deepEqual(unresolvableHrefs(recorded()), []);
  });
  test('a callback is about a conversation by a resolved href or by the threadId of an embedded copy', () => {
    const inv = new Set(['https://sfb.example.com/platformservice/v1/applications/h1/communication/messagingInvitations/m1']);
    assert.ok(isAbout(recorded(), inv, undefined));
    assert.ok(isAbout(recorded(), new Set(), 't-1'));
    assert.ok(!isAbout(recorded(), new Set(['https://cb.example.net/platformservice/v1/applications/h1/communication/messagingInvitations/m1']), 't-2'));
  });
});

describe('CB-3, CB-7: callback URLs and contexts', () => {
  test('the same callback URL apart from callbackContext, the other query kept', () => {
    assert.ok(sameCallbackUrl('https://cb.example.net/taa/helpdesk?x=1&callbackContext=a%20b', ACCOUNT.callbackUrl as string));
    assert.ok(!sameCallbackUrl('https://cb.example.net/taa/helpdesk?callbackContext=a', ACCOUNT.callbackUrl as string));
    assert.ok(!sameCallbackUrl('https://cb.example.net/taa/helpdesk/events?x=1', ACCOUNT.callbackUrl as string));
    assert.equal(contextOf('https://cb.example.net/taa?callbackContext=%7B%22job%22%3A%22a%20b%26c%3Dd%2F%C3%A9%22%7D'), '{"job":"a b&c=d/é"}');
  });
});

describe('CB-5, CB-6: the callback JWS', () => {
  test('a token with the declared header and claims, signed by the declared key, passes both', async () => {
    const { privateKey, jwks } = await keys();
    const c = recorded({ token: await token(privateKey) });
    assert.deepEqual(callbackTokenProblems(c, TAA, ACCOUNT, 'header and claims'), []);
    assert.deepEqual(callbackTokenProblems(c, TAA, ACCOUNT, 'audience'), []);
    assert.equal(await callbackSignatureProblem(c, jwks as never, TAA.callbackAuth.algorithms), undefined);
  });
  test('no Authorization, no kid, a wrong iss, appid or aud, an expired token are problems', async () => {
    const { privateKey } = await keys();
    assert.deepEqual(callbackTokenProblems(recorded(), TAA, ACCOUNT, 'header and claims'), ['no Authorization header']);
    const noKid = await new SignJWT({ tid: 't', appid: TAA.callbackAuth.appId }).setProtectedHeader({ alg: 'RS256' }).setIssuer(TAA.callbackAuth.issuer as string).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    assert.ok(callbackTokenProblems(recorded({ token: noKid }), TAA, ACCOUNT, 'header and claims').some((p) => p.startsWith('kid')));
    assert.ok(callbackTokenProblems(recorded({ token: await token(privateKey, { iss: 'https://evil.example/' }) }), TAA, ACCOUNT, 'header and claims').some((p) => p.startsWith('iss')));
    assert.ok(callbackTokenProblems(recorded({ token: await token(privateKey, { appid: 'other' }) }), TAA, ACCOUNT, 'header and claims').some((p) => p.startsWith('appid')));
    assert.ok(callbackTokenProblems(recorded({ token: await token(privateKey, { aud: 'https://other.example' }) }), TAA, ACCOUNT, 'audience').some((p) => p.startsWith('aud')));
    const past = Math.floor(NOW / 1000) - 7200;
    assert.ok(callbackTokenProblems(recorded({ token: await token(privateKey, { exp: past }) }), TAA, ACCOUNT, 'header and claims').some((p) => p.startsWith('exp')));
  });
  test('a token signed by another key with the same kid, or a kid the key set lacks, fails CB-6', async () => {
    const { jwks } = await keys();
    const other = await keys();
    const c = recorded({ token: await token(other.privateKey) });
    assert.match((await callbackSignatureProblem(c, jwks as never, ['RS256'])) ?? '', /does not verify/);
    const d = recorded({ token: await token(other.privateKey, {}, { kid: 'k2' }) });
    assert.match((await callbackSignatureProblem(d, jwks as never, ['RS256'])) ?? '', /no key with kid "k2"/);
  });
});
