import { test } from 'node:test';
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
  assert.deepEqual(t.timing, { noAnswerTimeoutSeconds: 30, early: 5, late: 10 });
  assert.deepEqual(t.capabilities, { addMessaging: false, acceptAndBridge: false, startAdhocMeeting: false, customContent: false });
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
  assert.deepEqual(t.timing, { noAnswerTimeoutSeconds: 20, early: 3, late: 3 });
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
  assert.deepEqual(problems(d), ['discoveryUrl: required member is missing']);
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
