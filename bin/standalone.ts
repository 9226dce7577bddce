import { spawn, type ChildProcess } from 'node:child_process';
import { nodeArgs, ROOT } from './root';

/**
 * Starts the standalone reference server (`reference/main.ts --port 0`, plus `args`) as a separate process and
 * resolves with the target description it prints, once that is complete JSON (rejects after 20 s).
 */
export function spawnStandaloneReference<D = Record<string, unknown>>(args: readonly string[] = []): Promise<{ process: ChildProcess; description: D }> {
  const child = spawn(process.execPath, nodeArgs('reference/main.ts', '--port', '0', ...args), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the reference server printed no description within 20 s: ${out}`));
    }, 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        const description = JSON.parse(out) as D;
        clearTimeout(timer);
        resolve({ process: child, description });
      } catch {
        /* not complete yet */
      }
    });
  });
}
