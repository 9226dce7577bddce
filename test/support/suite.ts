import { spawn } from 'node:child_process';
import { nodeArgs, ROOT } from '../../bin/root';

/**
 * Runs the suite's command line (compiled `bin/conformance.ts ARGS`) in a child process, without blocking this one (tests
 * often serve the target from it), with TARGET cleared and `env` added; resolves with the exit status and the
 * console output (stdout and stderr).
 */
export function runSuite(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs('bin/conformance.ts', ...args), { cwd: ROOT, env: { ...process.env, TARGET: '', ...env } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}
