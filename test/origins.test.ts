import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originProblems, TrustedOrigins } from '../steps/support/origins';

test('the origin of discoveryUrl is trusted, compared as the URL standard does (default ports, case)', () => {
  const t = new TrustedOrigins(['https://lyncdiscover.contoso.example/autodiscover']);
  assert.deepEqual(t.list, ['https://lyncdiscover.contoso.example']);
  assert.equal(t.allows('https://lyncdiscover.contoso.example/x'), true);
  assert.equal(t.allows('https://LyncDiscover.Contoso.Example:443/x'), true);
  assert.equal(t.allows('https://lyncdiscover.contoso.example:4443/x'), false);
  assert.equal(t.allows('http://lyncdiscover.contoso.example/x'), false);
  assert.equal(t.allows('https://lyncweb.contoso.example/x'), false);
  assert.equal(t.allows('not a url'), false);
});

test('listed origins and *. patterns (TARGET.md §11)', () => {
  const t = new TrustedOrigins(['http://127.0.0.1:8080/autodiscover'], ['https://lyncweb.contoso.example:443', 'https://*.contoso.example', 'http://127.0.0.2:9000']);
  assert.deepEqual(t.list, ['http://127.0.0.1:8080', 'https://lyncweb.contoso.example', 'https://*.contoso.example', 'http://127.0.0.2:9000']);
  assert.equal(t.allows('https://lyncweb.contoso.example/ucwa'), true);
  assert.equal(t.allows('https://a.contoso.example/'), true);
  assert.equal(t.allows('https://a.b.contoso.example/'), true);
  assert.equal(t.allows('https://contoso.example/'), false);
  assert.equal(t.allows('http://a.contoso.example/'), false);
  assert.equal(t.allows('https://a.contoso.example:8443/'), false);
  assert.equal(t.allows('https://evilcontoso.example/'), false);
  assert.equal(t.allows('http://127.0.0.2:9000/oauth/token'), true);
  assert.equal(t.allows('http://127.0.0.2:9001/oauth/token'), false);
});

test('the refusal names the URL, its origin and the member that allows it', () => {
  const t = new TrustedOrigins(['http://127.0.0.1:8080/']);
  const m = t.refusal('http://127.0.0.2:9000/oauth/token?x=1', 'the password grant');
  assert.match(m, /http:\/\/127\.0\.0\.2:9000\/oauth\/token\?x=1/);
  assert.match(m, /origin http:\/\/127\.0\.0\.2:9000 is not trusted/);
  assert.match(m, /add "http:\/\/127\.0\.0\.2:9000" to trustedOrigins/);
});

test('entries that are not origins are named by index', () => {
  assert.deepEqual(originProblems(['https://a.example', 'https://b.example:99999', 'https://*.', 'https://a.example/path'], 'trustedOrigins').map((p) => p.split(':')[0]), [
    'trustedOrigins[1]',
    'trustedOrigins[2]',
    'trustedOrigins[3]',
  ]);
});
