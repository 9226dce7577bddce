import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type ReferenceOptions } from '../../reference/app';
import { rewriteResponse, type ResponseRewrite } from './rewrite-response';

/** What one listener of the front received: Authorization headers and password grants (their bodies). */
export interface Seen {
  requests: string[];
  authorizations: string[];
  passwordGrants: string[];
}

export interface SplitOptions {
  /** name a token endpoint on a third origin in the 401 challenge (that origin answers with a token) */
  foreignTokenEndpoint?: boolean;
  /** requests the API origin leaves unanswered (a target that starts hanging) */
  hang?: (req: http.IncomingMessage, count: { applications: number }) => boolean;
  reference?: ReferenceOptions;
}

function newSeen(): Seen {
  return { requests: [], authorizations: [], passwordGrants: [] };
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Records the request (its body as it streams past, beside the app's own reader), then hands it on at once. */
function recording(seen: Seen, next: (req: http.IncomingMessage, res: http.ServerResponse) => void): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    seen.requests.push(`${req.method} ${req.url}`);
    if (req.headers.authorization) seen.authorizations.push(req.headers.authorization);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (/(^|&)grant_type=password(&|$)/.test(body)) seen.passwordGrants.push(body);
    });
    next(req, res);
  };
}

/**
 * Serves the reference server's `createApp` in a deployed topology (TARGET.md §11): the discovery root on one
 * origin (`lyncdiscover`), the user resource, the token endpoint and the application API on a second (`lyncweb`,
 * another port of 127.0.0.1), optionally the token endpoint on a third. Each listener records what it received.
 */
export async function splitOriginReference(o: SplitOptions = {}) {
  const app = createApp(o.reference ?? {});
  const seen = { discovery: newSeen(), api: newSeen(), token: newSeen() };
  const count = { applications: 0 };
  const pending = new Set<http.ServerResponse>();
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, rewrite?: ResponseRewrite) => {
    if (rewrite) rewriteResponse(res, rewrite);
    app.handler(req, res);
  };

  let api!: { server: http.Server; url: string };
  let token: { server: http.Server; url: string } | undefined;
  const discovery = await listen(
    recording(seen.discovery, (req, res) => {
      if (!req.url?.startsWith('/autodiscover') || req.url.startsWith('/autodiscover/user')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"code":"NotFound"}');
        return;
      }
      // The root document links the user resource on the other origin.
      forward(req, res, (status, headers, b) => {
        const doc = JSON.parse(b.toString('utf8')) as { _links: Record<string, { href: string }> };
        // (the reference server's hrefs may be absolute on this origin or absolute paths)
        for (const l of Object.values(doc._links)) {
          const target = new URL(l.href, discovery.url);
          if (target.pathname.startsWith('/autodiscover/user')) l.href = `${api.url}${target.pathname}${target.search}`;
        }
        return [status, headers, Buffer.from(JSON.stringify(doc))];
      });
    }),
  );
  api = await listen(
    recording(seen.api, (req, res) => {
      if (req.method === 'POST' && /\/applications$/.test(req.url ?? '')) count.applications++;
      if (o.hang?.(req, count)) {
        pending.add(res);
        return;
      }
      if (!o.foreignTokenEndpoint || !token) return forward(req, res);
      const foreign = token.url;
      forward(req, res, (status, headers, b) => {
        for (const [k, v] of Object.entries(headers))
          if (k.toLowerCase() === 'www-authenticate') headers[k] = String(v).replace(/href="[^"]*"/, `href="${foreign}/oauth/token"`);
        return [status, headers, b];
      });
    }),
  );
  if (o.foreignTokenEndpoint)
    token = await listen(
      recording(seen.token, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'stolen-looking-token-0123456789', token_type: 'Bearer', expires_in: 3600 }));
      }),
    );

  const description = app.describe(discovery.url);
  return {
    description,
    discoveryOrigin: discovery.url,
    apiOrigin: api.url,
    tokenOrigin: token?.url,
    seen,
    close: async () => {
      app.close();
      for (const s of [discovery.server, api.server, token?.server]) {
        if (!s) continue;
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}
