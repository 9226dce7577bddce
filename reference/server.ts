/** The reference server on a real port. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type ReferenceApp, type ReferenceOptions } from './app';

export interface RunningReference {
  url: string;
  description: Record<string, unknown>;
  app: ReferenceApp;
  close(): Promise<void>;
}

/** Listen on host (default 127.0.0.1) and port (default 0 = free port). */
export async function startReferenceServer(
  options: ReferenceOptions & { port?: number; host?: string } = {},
): Promise<RunningReference> {
  const { port = 0, host = '127.0.0.1', ...appOptions } = options;
  const app = createApp(appOptions);
  const server = createServer(app.handler);
  server.keepAliveTimeout = 5_000;
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
  const url = `http://${hostPart}:${address.port}`;
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
