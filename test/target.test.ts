import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTargetFile, parseTargetDescription, parseTargetText, TargetDescriptionError } from '../steps/support/target';

const minimal = () => ({
  discoveryUrl: 'http://127.0.0.1:8080/autodiscover',
  users: {
    caller: { uri: 'sip:alice@example.com', username: 'alice', password: 'alice-secret' },
    callee: { uri: 'sip:bob@example.com', username: 'bob', password: 'bob-secret' },
  },
});

function problems(json: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseTargetDescription(json, 'test.json', env);
  } catch (e) {
    assert.ok(e instanceof TargetDescriptionError, String(e));
    return e.problems;
  }
  assert.fail('expected a TargetDescriptionError');
}

test('a minimal description gets the defaults of TARGET.md §2 and §4', () => {
  const t = parseTargetDescription(minimal(), 'test.json', {});
  assert.equal(t.name, '127.0.0.1:8080');
  assert.equal(t.relPrefix, 'ms:rtc:saas:');
  assert.deepEqual(t.timing, { noAnswerTimeoutSeconds: 30, early: 5, late: 10, callbackLatencySeconds: 1 });
  assert.deepEqual(t.capabilities, { addMessaging: false, acceptAndBridge: false, startAdhocMeeting: false, customContent: false, startMessagingWithIdentity: false });
  assert.equal(t.users.caller.transport, 'ucwa');
  assert.equal(t.taa, undefined);
  assert.deepEqual(t.fixtures, {});
  assert.equal(t.unsupportedContentTypeStatus, 410);
  assert.deepEqual(t.users.pairs, []);
  assert.deepEqual(t.secrets.sort(), ['alice-secret', 'bob-secret']);
});

test('the complete example of TARGET.md §8 loads, secrets read from the environment', () => {
  const d = {
    name: 'Contoso staging pool',
    discoveryUrl: 'https://lyncdiscover.contoso.example/',
    relPrefix: 'service:',
    users: {
      caller: { uri: 'sip:alice@contoso.example', username: 'alice@contoso.example', password: { env: 'CALLER_PASSWORD' } },
      callee: { uri: 'sip:bob@contoso.example', token: { env: 'CALLEE_TOKEN' } },
      unavailable: { uri: 'sip:carol@contoso.example' },
      pairs: [{ caller: { uri: 'sip:a2@contoso.example', token: 't2' }, callee: { uri: 'sip:b2@contoso.example', token: 't3' } }],
    },
    timing: { noAnswerTimeoutSeconds: 20, toleranceSeconds: 3 },
    capabilities: { addMessaging: true },
    fixtures: { tooManyGroups: { uri: 'sip:fx@contoso.example', token: 'fx-token' }, onlineMeetingUri: 'sip:meet@contoso.example;gruu' },
    unsupportedContentTypeStatus: 415,
    'x-owner': 'messaging team',
    $comment: 'notes',
  };
  const t = parseTargetDescription(d, 'test.json', { CALLER_PASSWORD: 'pw-from-env', CALLEE_TOKEN: 'token-from-env' });
  assert.equal(t.users.caller.password, 'pw-from-env');
  assert.equal(t.users.callee.token, 'token-from-env');
  assert.deepEqual(t.timing, { noAnswerTimeoutSeconds: 20, early: 3, late: 3, callbackLatencySeconds: 1 });
  assert.equal(t.capabilities.addMessaging, true);
  assert.equal(t.fixtures.tooManyGroups?.token, 'fx-token');
  assert.equal(t.fixtures.onlineMeetingUri, 'sip:meet@contoso.example;gruu');
  assert.equal(t.unsupportedContentTypeStatus, 415);
  assert.equal(t.relPrefix, 'service:');
  assert.ok(t.secrets.includes('pw-from-env') && t.secrets.includes('token-from-env') && t.secrets.includes('t2'));
});

test('a missing required member is named', () => {
  const d: Record<string, unknown> = minimal();
  delete d.discoveryUrl;
  assert.deepEqual(problems(d), ['discoveryUrl: required member is missing (UCWA accounts need it; a description with only TAA accounts gives taa instead)']);
  assert.deepEqual(problems({ discoveryUrl: 'http://x/', users: { caller: minimal().users.caller } }), ['users.callee: required member is missing']);
});

test('an unknown member (a misspelt capability) is an error, x- members are not', () => {
  const d = { ...minimal(), capabilities: { addMesaging: true }, 'x-note': 1 };
  assert.deepEqual(problems(d), ['capabilities.addMesaging: unknown member (a misspelling? notes go in members named "x-…")']);
});

test('every problem of a broken description is reported by member name', () => {
  const d = {
    discoveryUrl: 'ftp://example.com/',
    relPrefix: 'saas:',
    users: {
      caller: { uri: 'alice@example.com', username: 'alice', password: 'pw', token: 't' },
      callee: { uri: 'sip:bob@example.com', username: 'bob' },
    },
    timing: { noAnswerTimeoutSeconds: 0, toleranceSeconds: { early: 1 } },
    unsupportedContentTypeStatus: 400,
  };
  const p = problems(d);
  for (const expected of [
    'discoveryUrl: must be an absolute http: or https: URL',
    'relPrefix: must be one of "ms:rtc:saas:", "", "service:"',
    'users.caller.uri: must be a SIP URI such as "sip:alice@example.com"',
    'users.caller: give either "username" with "password", or "token" (exactly one of the two)',
    'users.callee.password: required when users.callee.username is given',
    'timing.noAnswerTimeoutSeconds: must be > 0',
    'timing.toleranceSeconds: must be a number ≥ 0 or an object {"early": number ≥ 0, "late": number ≥ 0}',
    'unsupportedContentTypeStatus: must be one of 410, 415',
  ])
    assert.ok(p.includes(expected), `missing ${JSON.stringify(expected)} in ${JSON.stringify(p, null, 1)}`);
});

test('a secret must be a non-empty string or {"env": NAME}', () => {
  const d = minimal();
  (d.users.caller as Record<string, unknown>).password = 5;
  assert.deepEqual(problems(d), ['users.caller.password: must be a non-empty string or {"env": "VARIABLE_NAME"}']);
});

test('an unset or empty environment variable is named', () => {
  const d = minimal();
  (d.users.caller as Record<string, unknown>).password = { env: 'NOPE' };
  (d.users.callee as Record<string, unknown>).password = { env: 'EMPTY' };
  assert.deepEqual(problems(d, { EMPTY: '' }), [
    'users.caller.password: environment variable NOPE is not set',
    'users.callee.password: environment variable EMPTY is empty',
  ]);
});

test('account uris must be pairwise different, case-insensitively', () => {
  const d = { ...minimal(), users: { ...minimal().users, unavailable: { uri: 'SIP:Alice@example.com' } } };
  assert.deepEqual(problems(d), ['users.unavailable.uri: same uri as users.caller.uri (account uris must be pairwise different, case-insensitive)']);
});

test('text that is not JSON, and a file that cannot be read, are configuration errors', () => {
  assert.throws(() => parseTargetText('{"discoveryUrl": ', 'bad.json', {}), (e: unknown) => e instanceof TargetDescriptionError && /not valid JSON/.test(e.problems[0] ?? ''));
  assert.throws(() => loadTargetFile('/nonexistent/target.json', {}), (e: unknown) => e instanceof TargetDescriptionError && /cannot be read: ENOENT/.test(e.problems[0] ?? ''));
});

test('a file with a byte-order mark loads', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'target-')), 't.json');
  fs.writeFileSync(file, `\uFEFF${JSON.stringify(minimal())}`);
  assert.equal(loadTargetFile(file, {}).users.callee.uri, 'sip:bob@example.com');
});

test('trustedOrigins (TARGET.md §11): accepted, listed with the discovery origin; bad entries named by member', () => {
  const t = parseTargetDescription({ ...minimal(), trustedOrigins: ['https://lyncweb.contoso.example', 'https://*.pool.contoso.example'] }, 'test.json', {});
  assert.deepEqual(t.trusted.list, ['http://127.0.0.1:8080', 'https://lyncweb.contoso.example', 'https://*.pool.contoso.example']);
  assert.equal(parseTargetDescription(minimal(), 'test.json', {}).trusted.allows('http://127.0.0.1:8080/ucwa'), true);
  assert.deepEqual(problems({ ...minimal(), trustedOrigins: ['https://a.example/path'] }), [
    'trustedOrigins[0]: must be an origin such as "https://lyncweb.contoso.example" or "https://*.contoso.example" (scheme, host, optional port; no path)',
  ]);
  assert.deepEqual(problems({ ...minimal(), trustedOrigins: ['https://a.example', 'https://a.example'] }), ['trustedOrigins: lists the same entry twice ([0] and [1])']);
  assert.deepEqual(problems({ ...minimal(), trustedOrigins: 'https://a.example' }), ['trustedOrigins: must be array']);
  assert.match(problems({ ...minimal(), trustedOrigins: ['https://a.example:99999'] })[0] ?? '', /^trustedOrigins\[0\]: "https:\/\/a\.example:99999" is not a valid origin/);
});

/** A description with TAA accounts only (TARGET.md §12): no discoveryUrl, the receiver on loopback. */
const taaOnly = () => ({
  relPrefix: 'service:',
  taa: {
    discoverUrl: 'https://sfb.example.com/platformservice/discover',
    token: { url: 'https://login.example.com/tenant/oauth2/token', resource: 'https://sfb.example.com' },
    allowHttpCallbackUrls: true,
  },
  users: {
    caller: { uri: 'sip:helpdesk@example.com', transport: 'taa', clientId: 'app-1', clientSecret: 'app-1-secret', callbackUrl: 'http://127.0.0.1:9100/cb/helpdesk' },
    callee: { uri: 'sip:orders@example.com', transport: 'taa', clientId: 'app-2', clientSecret: { env: 'APP2_SECRET' }, callbackUrl: 'http://127.0.0.1:9100/cb/orders', appIdUri: 'https://apps.example/orders' },
  },
});

describe('the Trusted Application API transport (TARGET.md §3, §7, §12)', () => {
  test('a TAA-only description (no discoveryUrl) validates, with TAA accounts, defaults and trusted origins', () => {
    const t = parseTargetDescription(taaOnly(), 'test.json', { APP2_SECRET: 'from-env' });
    assert.equal(t.ucwaDiscoveryUrl, undefined);
    assert.equal(t.discoveryUrl, 'https://sfb.example.com/platformservice/discover');
    assert.equal(t.users.caller.transport, 'taa');
    assert.equal(t.users.callee.clientSecret, 'from-env');
    assert.equal(t.users.callee.appIdUri, 'https://apps.example/orders');
    assert.equal(t.taa?.callbackReceiver.conversationUrlBase, 'http://127.0.0.1:9100/taa-conv/');
    assert.deepEqual(t.taa?.callbackAuth, { algorithms: ['RS256'], clockSkewSeconds: 300 });
    assert.equal(t.taa?.unreachableCallbackUrl, 'https://callback-unreachable.invalid/cb');
    assert.equal(t.taa?.token?.issuedByTarget, false);
    assert.deepEqual(t.trusted.list, ['https://sfb.example.com', 'https://login.example.com']);
    assert.ok(t.secrets.includes('app-1-secret') && t.secrets.includes('from-env'));
  });

  test('a TAA account without the taa object stops naming the member', () => {
    const d: Record<string, unknown> = { ...minimal() };
    (d.users as Record<string, unknown>).callee = { uri: 'sip:orders@example.com', transport: 'taa', token: 't0k3n', callbackUrl: 'http://127.0.0.1:9100/cb/orders' };
    assert.deepEqual(problems(d), ['taa: required member is missing (users.callee is a TAA account: "transport": "taa")']);
  });

  test('TAA accounts with neither discoveryUrl nor taa: the missing taa is named', () => {
    const d = taaOnly() as Record<string, any>;
    delete d.taa;
    assert.deepEqual(problems(d, { APP2_SECRET: 's' }), ['taa: required member is missing (users.caller is a TAA account: "transport": "taa")']);
  });

  test('a UCWA account without discoveryUrl beside taa, and a clientSecret without taa.token, are named', () => {
    const d = taaOnly() as Record<string, any>;
    d.users.pairs = [{ caller: { uri: 'sip:alice@example.com', token: 'tok-alice' }, callee: { uri: 'sip:bob@example.com', token: 'tok-bob' } }];
    delete d.taa.token;
    const p = problems(d, { APP2_SECRET: 'x-secret' });
    assert.ok(p.includes('discoveryUrl: required member is missing (users.pairs[0].caller is a UCWA account)'), JSON.stringify(p));
    assert.ok(p.some((x) => x.startsWith('taa.token: required member is missing (users.caller.clientSecret')), JSON.stringify(p));
  });

  test('a callback URL the suite cannot bind (not a local address, no callbackReceiver.bind) is named', () => {
    const d = taaOnly() as Record<string, any>;
    d.users.callee.callbackUrl = 'https://cb.example.net/taa/orders';
    const p = problems(d, { APP2_SECRET: 's' });
    assert.equal(p.length, 1, JSON.stringify(p));
    assert.match(p[0] ?? '', /^users\.callee\.callbackUrl: cb\.example\.net is not an address of this machine.*callbackReceiver\.bind/);
    d.taa.callbackReceiver = { bind: '127.0.0.1:9100', conversationUrlBase: 'https://cb.example.net/taa-conv/' };
    d.users.caller.callbackUrl = 'https://cb.example.net/taa/helpdesk';
    assert.equal(parseTargetDescription(d, 'test.json', { APP2_SECRET: 's' }).taa?.callbackReceiver.bind, '127.0.0.1:9100');
    d.taa.callbackReceiver = {};
    d.users.caller.callbackUrl = 'https://127.0.0.1:9100/cb/helpdesk';
    d.users.callee.callbackUrl = 'http://127.0.0.1:9100/cb/orders';
    assert.match(problems(d, { APP2_SECRET: 's' })[0] ?? '', /^users\.caller\.callbackUrl: an https: callback URL the suite listens on itself needs taa\.callbackReceiver\.tls/);
  });

  test('TAA member rules: relPrefix "" refused, UCWA accounts have no TAA members, pairwise callback URLs, conversationUrlBase', () => {
    const d = taaOnly() as Record<string, any>;
    d.relPrefix = '';
    assert.ok(problems(d, { APP2_SECRET: 's' }).some((p) => p.startsWith('relPrefix: "" is refused when taa is present')));
    const u = { ...minimal(), users: { ...minimal().users, caller: { ...minimal().users.caller, callbackUrl: 'http://127.0.0.1:1/cb' } } };
    assert.ok(problems(u).some((p) => p.startsWith('users.caller.callbackUrl: not allowed here')), JSON.stringify(problems(u)));
    const e = taaOnly() as Record<string, any>;
    e.users.callee.callbackUrl = e.users.caller.callbackUrl;
    e.taa.callbackReceiver = { conversationUrlBase: 'http://127.0.0.1:9100/conv' };
    e.taa.allowHttpCallbackUrls = false;
    const p = problems(e, { APP2_SECRET: 's' });
    assert.ok(p.includes('users.callee.callbackUrl: same callbackUrl as users.caller.callbackUrl (callback URLs must be pairwise different)'), JSON.stringify(p));
    assert.ok(p.some((x) => x.startsWith('taa.callbackReceiver.conversationUrlBase: must end with "/"')));
    assert.ok(p.some((x) => x.startsWith('taa.callbackReceiver.conversationUrlBase: must be an https: URL')));
    const s = taaOnly() as Record<string, any>;
    s.users.caller.token = 'ready';
    assert.ok(problems(s, { APP2_SECRET: 's' }).some((x) => x.startsWith('users.caller: a TAA account gives either "clientSecret"')));
  });
});
