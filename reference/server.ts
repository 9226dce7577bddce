/** The reference server on a real port. */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createApp, type ReferenceApp, type ReferenceOptions } from './app';
import { errorBody } from './errors';

export interface RunningReference {
  url: string;
  description: Record<string, unknown>;
  app: ReferenceApp;
  close(): Promise<void>;
}

/** Listen on host (default 127.0.0.1) and port (default 0 = free port). */
export interface ListenOptions {
  port?: number;
  host?: string;
  /** Serve HTTPS with this PEM certificate (chain) and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** One line per exchange: method, path (no query), status, milliseconds — never a header or body. */
  log?: (line: string) => void;
}

/** Wraps a handler to log each exchange once its response is done (or the connection closed). */
function logged(handler: (req: IncomingMessage, res: ServerResponse) => void, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    res.once('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      log(`${req.method ?? '-'} ${path} ${status} ${Math.round(performance.now() - started)}ms`);
    });
    handler(req, res);
  };
}

export async function startReferenceServer(options: ReferenceOptions & ListenOptions = {}): Promise<RunningReference> {
  const { port = 0, host = '127.0.0.1', tls, log, ...appOptions } = options;
  const app = createApp(appOptions);
  const handler = log ? logged(app.handler, log) : app.handler;
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    app.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${hostPart}:${address.port}`;
  app.listening(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    description: app.describe(url),
    app,
    close() {
      closing ??= new Promise<void>((resolve) => {
        app.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** What node:http's parser refused, and with which status (node's own choices: 431, 408, else 400). */
function clientErrorStatus(code: string | undefined): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW': return [431, 'The request line or header fields are too large.'];
    case 'HPE_URI_TOO_LONG': return [414, 'The request URI is too long.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT': return [408, 'The request took too long to arrive.'];
    default: return [400, 'The request is not well-formed HTTP.'];
  }
}

/**
 * Requests node:http refuses before the app sees them (headers or request line over its 16 KiB limit, bad framing,
 * timeouts) get the profile's error body instead of node's bare status line; the connection is closed either way.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] = clientErrorStatus(error.code);
  const body = JSON.stringify(errorBody(status, message));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
