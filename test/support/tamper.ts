import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type ReferenceOptions } from '../../reference/app';
import { rewriteResponse } from './rewrite-response';

/** Rewrites a JSON response body of the reference server; return the body unchanged to leave it alone. */
export type Tamper = (req: http.IncomingMessage, body: unknown) => unknown;

/**
 * The reference server behind a wrapper that rewrites its JSON responses: a broken implementation for the
 * suite's own tests. Listens on a free loopback port.
 */
export async function tamperedReference(tamper: Tamper, options: ReferenceOptions = {}) {
  const app = createApp(options);
  const server = http.createServer((req, res) => {
    rewriteResponse(res, (status, headers, body) => {
      const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      if (body.length && /json/.test(String(type))) body = Buffer.from(JSON.stringify(tamper(req, JSON.parse(body.toString('utf8')))));
      return [status, headers, body];
    });
    app.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    description: app.describe(url),
    close: async () => {
      app.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
