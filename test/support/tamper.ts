import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type ReferenceOptions } from '../../reference/app';

/** Rewrites a JSON response body of the reference server; return the body unchanged to leave it alone. */
export type Tamper = (req: http.IncomingMessage, body: unknown) => unknown;

/**
 * The reference server behind a wrapper that rewrites its JSON responses: a broken implementation for the
 * suite's own tests. Listens on a free loopback port.
 */
export async function tamperedReference(tamper: Tamper, options: ReferenceOptions = {}) {
  const app = createApp(options);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const writeHead = res.writeHead.bind(res);
    const end = res.end.bind(res);
    let head: [number, http.OutgoingHttpHeaders] = [200, {}];
    res.writeHead = ((status: number, headers?: http.OutgoingHttpHeaders) => {
      head = [status, { ...(headers ?? {}) }];
      return res;
    }) as typeof res.writeHead;
    res.write = ((chunk: unknown) => {
      if (chunk) chunks.push(Buffer.from(chunk as Buffer));
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
      let body = Buffer.concat(chunks);
      const type = Object.entries(head[1]).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      if (body.length && /json/.test(String(type))) body = Buffer.from(JSON.stringify(tamper(req, JSON.parse(body.toString('utf8')))));
      const headers = Object.fromEntries(Object.entries(head[1]).filter(([k]) => k.toLowerCase() !== 'content-length'));
      writeHead(head[0], { ...headers, 'Content-Length': body.length });
      return end(body);
    }) as typeof res.end;
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
