import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../reference/app';

/**
 * The reference server, with the given fault switches, on a free loopback port, and the target description for it
 * with a short no-answer timeout (window [N−1, N+3] s): the target of the self-test's runs.
 */
export async function serveVariant(faults: readonly string[], timeoutS: number) {
  const app = createApp({ noAnswerTimeoutSeconds: timeoutS, ...(faults.length ? { faults } : {}) });
  const server = http.createServer(app.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const description = { ...(app.describe(url) as Record<string, unknown>), timing: { noAnswerTimeoutSeconds: timeoutS, toleranceSeconds: { early: 1, late: 3 } } };
  return {
    url,
    description,
    close: async () => {
      app.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
