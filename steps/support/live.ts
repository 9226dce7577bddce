/**
 * The scenarios in progress in this process, so that an interrupted run (SIGINT, SIGTERM) can still cancel the
 * invitations and delete the applications they created. The only module-level state of the suite's support code
 * besides the transport's health: it holds clean-up functions, never scenario data.
 */
const live = new Set<() => Promise<void>>();

export function register(cleanUp: () => Promise<void>): () => void {
  live.add(cleanUp);
  return () => live.delete(cleanUp);
}

/** Runs the clean-up of every scenario still in progress, within `ms` at most. */
export async function cleanUpLive(ms = 5000): Promise<void> {
  const all = [...live].map((f) => f().catch(() => undefined));
  live.clear();
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, ms).unref())]);
}

// In a Cucumber worker process, a signal cleans up before the worker exits (the coordinator writes the reports).
if (process.env.CUCUMBER_WORKER_ID !== undefined)
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void cleanUpLive().then(() => process.exit(130));
    });
