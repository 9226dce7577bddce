import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../reference/app';
import { CallbackReceiver, exportTap } from '../steps/support/callbacks/receiver';
import { parseTargetDescription } from '../steps/support/target';

/**
 * The reference server, with the given fault switches, on a free loopback port, and the target description for it
 * with a short no-answer timeout (window [N−1, N+3] s): the target of the self-test's runs.
 *
 * With `taa` the server also serves the Trusted Application API (PROFILE.md §15), its TAA endpoints' callback URLs
 * on a callback receiver started here first, in this process, whose tap this process's scenarios read (as bin/run.ts
 * does for the embedded run).
 */
export async function serveVariant(faults: readonly string[], timeoutS: number, o: { taa?: boolean } = {}) {
  const receiver = o.taa ? await CallbackReceiver.start({ listen: ['127.0.0.1:0'] }) : undefined;
  const app = createApp({
    noAnswerTimeoutSeconds: timeoutS,
    ...(faults.length ? { faults } : {}),
    ...(receiver ? { taa: { callbackOrigin: receiver.localOrigin }, callbackAllowHttp: true } : {}),
  });
  const server = http.createServer(app.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.listening(url);
  const described = app.describe(url) as Record<string, unknown>;
  const description = { ...described, timing: { ...(described.timing as object), noAnswerTimeoutSeconds: timeoutS, toleranceSeconds: { early: 1, late: 3 } } };
  const target = parseTargetDescription(description, `fault ${faults.join(', ') || 'none'}`);
  receiver?.configure(target);
  const unexport = receiver ? exportTap(receiver) : () => undefined;
  return {
    url,
    description,
    target,
    close: async () => {
      unexport();
      app.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await receiver?.close();
    },
  };
}
