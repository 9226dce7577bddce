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

/** Creations in progress (an application being made): a clean-up also waits for them (`tracked`). */
const creating = new Set<Promise<unknown>>();

/**
 * Tracks the creation of something a clean-up must remove: if the scenario's clean-up ran while it was being made
 * (an interrupting signal), the creation deletes it itself, and cleanUpLive waits for that before the worker exits.
 */
export function tracked<T>(p: Promise<T>): Promise<T> {
  creating.add(p);
  const done = () => creating.delete(p);
  p.then(done, done);
  return p;
}

let stopping = false;

/** Whether this process is ending its scenarios (cleanUpLive ran): nothing new is created any more. */
export function isStopping(): boolean {
  return stopping;
}

/** A new run in this process (bin/run.ts): an earlier run's interruption no longer stops its scenarios. */
export function resumeLive(): void {
  stopping = false;
}

/** Runs the clean-up of every scenario still in progress, and waits for the creations in progress, within `ms` at most. */
export async function cleanUpLive(ms = 5000): Promise<void> {
  stopping = true;
  const all = [...live].map((f) => f().catch(() => undefined));
  live.clear();
  const creations = async () => {
    while (creating.size) await Promise.allSettled([...creating]);
  };
  await Promise.race([Promise.all([...all, creations()]), new Promise((r) => setTimeout(r, ms).unref())]);
}

// In a Cucumber worker process, a signal cleans up before the worker exits (the coordinator writes the reports).
if (process.env.CUCUMBER_WORKER_ID !== undefined)
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void cleanUpLive().then(() => process.exit(130));
    });
