import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitOriginReference } from './support/split-origin';
import { runSuite } from './support/suite';
import { schemas } from '../steps/support/schemas';

/**
 * Deployed topologies (TARGET.md §11, issue 11): discovery on one origin, user resource, token endpoint and
 * application API on another, served by the reference server's createApp behind two local listeners.
 */

async function runWith(description: unknown, args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployments-'));
  const file = path.join(dir, 'target.json');
  fs.writeFileSync(file, JSON.stringify(description));
  const reports = path.join(dir, 'reports');
  const started = performance.now();
  const r = await runSuite(['--target', file, '--report-dir', reports, ...args]);
  const read = (f: string) => (fs.existsSync(path.join(reports, f)) ? fs.readFileSync(path.join(reports, f), 'utf8') : undefined);
  return { ...r, seconds: (performance.now() - started) / 1000, summary: read('summary.json'), junit: read('junit.xml'), html: read('conformance.html') };
}

function validSummary(text: string | undefined) {
  assert.ok(text, 'summary.json written');
  const s = JSON.parse(text) as { complete: boolean; stopped?: { cause: string; reason: string }; target: { trustedOrigins?: string[] }; gate: { exitCode: number } };
  const v = schemas().getSchema('urn:ucwa-conformance:summary:1');
  assert.ok(v?.(s), JSON.stringify(v?.errors));
  return s;
}

const SIGN_IN = ['--tags', '@area:sign-in or @area:application', '--parallel', '1'];

describe('a target whose discovery and API sit on different origins', { concurrency: true }, () => {
  test('passes with trustedOrigins listing the API origin; the report header lists the trusted origins', async () => {
    const t = await splitOriginReference();
    try {
      const r = await runWith({ ...t.description, trustedOrigins: [t.apiOrigin] }, SIGN_IN);
      assert.equal(r.code, 0, r.out);
      const s = validSummary(r.summary);
      assert.deepEqual(s.target.trustedOrigins, [t.discoveryOrigin, t.apiOrigin]);
      assert.match(r.html ?? '', new RegExp(`id="trusted-origins"><code>${t.discoveryOrigin}</code>, <code>${t.apiOrigin}</code>`));
      assert.ok(t.seen.api.passwordGrants.length > 0 && t.seen.api.authorizations.length > 0, 'the API origin did the sign-in');
      assert.equal(t.seen.discovery.authorizations.length, 0, 'discovery needs no credential');
    } finally {
      await t.close();
    }
  });

  test('without trustedOrigins: exit 2 before any scenario naming the untrusted origin, no password or token sent there, three reports', async () => {
    const t = await splitOriginReference();
    try {
      const r = await runWith(t.description, SIGN_IN);
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, new RegExp(`configuration error: untrusted origin: the password grant of the caller \\(POST\\) to ${t.apiOrigin}/oauth/token was not sent, because its origin ${t.apiOrigin} is not trusted`));
      assert.match(r.out, new RegExp(`add "${t.apiOrigin}" to trustedOrigins`));
      assert.deepEqual(t.seen.api.passwordGrants, []);
      assert.deepEqual(t.seen.api.authorizations, []);
      assert.ok(t.seen.api.requests.length > 0, 'the anonymous challenge probe may go there');
      const s = validSummary(r.summary);
      assert.equal(s.complete, false);
      assert.equal(s.stopped?.cause, 'configuration error');
      assert.match(s.stopped?.reason ?? '', /trustedOrigins/);
      assert.match(r.junit ?? '', /<error message="configuration error: untrusted origin/);
      assert.match(r.html ?? '', /id="overall">CONFIGURATION ERROR — untrusted origin/);
    } finally {
      await t.close();
    }
  });

  test('a challenge naming a token endpoint on a third origin receives no password', async () => {
    const t = await splitOriginReference({ foreignTokenEndpoint: true });
    try {
      const r = await runWith({ ...t.description, trustedOrigins: [t.apiOrigin] }, SIGN_IN);
      assert.equal(r.code, 2, r.out);
      assert.deepEqual(t.seen.token.requests, [], 'the foreign token endpoint saw no request at all');
      assert.match(r.out, new RegExp(`origin ${t.tokenOrigin} is not trusted`));
      assert.equal(validSummary(r.summary).stopped?.cause, 'configuration error');
    } finally {
      await t.close();
    }
  });

  test('an application API that hangs after sign-in: exit 2 naming the request, within 60 s, three reports', async () => {
    const t = await splitOriginReference({ hang: (req) => req.method === 'POST' && /\/applications$/.test(req.url ?? '') });
    try {
      const r = await runWith({ ...t.description, trustedOrigins: [t.apiOrigin] }, ['--parallel', '1']);
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, /target unreachable: POST http:\/\/127\.0\.0\.1:\d+\/\S*applications: no complete answer within 10000 ms/);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      const s = validSummary(r.summary);
      assert.equal(s.stopped?.cause, 'target unreachable');
      assert.match(r.junit ?? '', /<error message="target unreachable: POST/);
      assert.match(r.html ?? '', /id="overall">TARGET UNREACHABLE — POST/);
    } finally {
      await t.close();
    }
  });

  test('a target that starts hanging mid-run: the breaker ends the whole run (all workers) within 60 s, reports say why', async () => {
    // the start-up check and the first scenarios get answers; from the fifth application on, nothing answers
    const t = await splitOriginReference({ hang: (_req, n) => n.applications > 4 });
    try {
      const r = await runWith({ ...t.description, trustedOrigins: [t.apiOrigin] }, ['--parallel', '2', '--tags', 'not @slow']);
      assert.equal(r.code, 2, r.out);
      assert.ok(r.seconds < 60, `${r.seconds} s`);
      assert.match(r.out, /target stopped answering: /);
      const s = validSummary(r.summary);
      assert.equal(s.complete, false);
      assert.equal(s.stopped?.cause, 'target stopped answering');
      assert.match(r.junit ?? '', /<error message="target stopped answering: /);
      assert.match(r.html ?? '', /id="overall">TARGET STOPPED ANSWERING — /);
    } finally {
      await t.close();
    }
  });
});
