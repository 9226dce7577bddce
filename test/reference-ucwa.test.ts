/**
 * The reference server as a local UCWA server for clients written against Lync / Skype for Business (issue #10):
 * discovery as deployed, lenient input, driven with requests shaped like the public documentation's samples.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type RunningReference, startReferenceServer } from '../reference/server';
import { fetchJson, type Resp } from './support/fetch-json';

const ALICE = { username: 'alice', password: 'alice-Pa55word' };

async function token(base: string, account = ALICE): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'password', ...account });
  const res = await fetchJson(`${base}/oauth/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString(),
  });
  assert.equal(res.status, 200, res.text);
  return res.json.access_token as string;
}

function send(url: string, method: string, bearer?: string, body?: string, headers: Record<string, string> = {}): Promise<Resp> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  return fetchJson(url, { method, headers: h, body });
}

describe('discovery as deployed', () => {
  let server: RunningReference;
  before(async () => { server = await startReferenceServer({ relPrefix: '' }); });
  after(() => server.close());

  test('the root is also served at / with absolute self and user hrefs on the request Host', async () => {
    for (const path of ['/', '/autodiscover']) {
      const res = await send(`${server.url}${path}`, 'GET');
      assert.equal(res.status, 200, path);
      assert.equal(res.json._links.self.href, `${server.url}/autodiscover`);
      assert.equal(res.json._links.user.href, `${server.url}/autodiscover/user`);
    }
  });

  test('the challenge and the user document are absolute; inside the application hrefs stay absolute paths', async () => {
    const root = await send(`${server.url}/`, 'GET');
    const unauth = await send(root.json._links.user.href as string, 'GET');
    assert.equal(unauth.status, 401);
    assert.match(unauth.headers.get('www-authenticate')!, new RegExp(`MsRtcOAuth href="${server.url}/oauth/token"`));
    const t = await token(server.url);
    const user = await send(root.json._links.user.href as string, 'GET', t);
    assert.equal(user.json._links.self.href, `${server.url}/autodiscover/user`);
    assert.equal(user.json._links.applications.href, `${server.url}/ucwa/v1/applications`);
    const app = await send(user.json._links.applications.href as string, 'POST', t,
      JSON.stringify({ UserAgent: 'doc-client', EndpointId: 'e-1', Culture: 'en-US' }));
    assert.equal(app.status, 201, app.text);
    assert.match(app.json._links.self.href as string, /^\/ucwa\/v1\/applications\/[^/]+$/);
  });

  test('a Host that is not a plain host[:port] is never written into an href', async () => {
    const http = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${server.url}/`, { headers: { Host: 'evil"/x' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(JSON.parse(body)._links.self.href, '/autodiscover');
  });

  test('X-Forwarded-Proto/Host count only with trustProxy', async () => {
    const fwd = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'lyncdiscover.example.com' };
    const plain = await send(`${server.url}/`, 'GET', undefined, undefined, fwd);
    assert.equal(plain.json._links.self.href, `${server.url}/autodiscover`);
    const proxied = await startReferenceServer({ relPrefix: '', trustProxy: true });
    try {
      const res = await send(`${proxied.url}/`, 'GET', undefined, undefined, fwd);
      assert.equal(res.json._links.user.href, 'https://lyncdiscover.example.com/autodiscover/user');
      const unauth = await send(`${proxied.url}/autodiscover/user`, 'GET', undefined, undefined, fwd);
      assert.match(unauth.headers.get('www-authenticate')!, /href="https:\/\/lyncdiscover\.example\.com\/oauth\/token"/);
    } finally {
      await proxied.close();
    }
  });
});

describe('lenient input', () => {
  let server: RunningReference;
  let t: string;
  before(async () => {
    server = await startReferenceServer({ relPrefix: '' });
    t = await token(server.url);
  });
  after(() => server.close());

  test('PascalCase members, // paths and unknown query parameters are read as a real server reads them', async () => {
    const app = await send(`${server.url}//ucwa/v1/applications?x-unknown=1`, 'POST', t,
      JSON.stringify({ UserAgent: 'UCWA Samples', EndpointId: 'a917c6f4-976c-4cf3-847d-cdfffa28ccdf', Culture: 'en-US' }));
    assert.equal(app.status, 201, app.text);
    assert.equal(app.json.userAgent, 'UCWA Samples');
    assert.equal(app.json.endpointId, 'a917c6f4-976c-4cf3-847d-cdfffa28ccdf');
    const href = app.json._links.self.href as string;
    const me = await send(`${server.url}/${href}/me//makeMeAvailable`, 'POST', t,
      JSON.stringify({ SupportedModalities: ['Messaging'], SupportedMessageFormats: ['Plain'] }));
    assert.equal(me.status, 204, me.text);
    const start = await send(`${server.url}${href}/communication/messagingInvitations?foo=bar`, 'POST', t,
      JSON.stringify({ To: 'sip:nobody-here@example.com', Subject: 'hi', Importance: 'Normal', OperationId: 'op-1' }));
    assert.equal(start.status, 201, start.text);
    const inv = await send(`${server.url}${start.headers.get('location')}`, 'GET', t);
    assert.equal(inv.json.to, 'sip:nobody-here@example.com');
    assert.equal(inv.json.subject, 'hi');
    assert.equal(inv.json.operationId, 'op-1');
  });

  test('a wrong type under another casing is still refused, naming the member', async () => {
    const res = await send(`${server.url}/ucwa/v1/applications`, 'POST', t, JSON.stringify({ UserAgent: 5, EndpointId: 'e', Culture: 'en-US' }));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /userAgent/);
  });

  test('an empty body labelled application/json is no body where the operation takes none', async () => {
    const app = await send(`${server.url}/ucwa/v1/applications`, 'POST', t, JSON.stringify({ UserAgent: 'u', EndpointId: 'e2', Culture: 'en-US' }));
    const href = app.json._links.self.href as string;
    const avail = await send(`${server.url}${href}/me/makeMeAvailable`, 'POST', t, '');
    assert.equal(avail.status, 204, avail.text);
  });
});
