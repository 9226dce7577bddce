import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The package's root folder (the one holding package.json), found by walking up from this file, so that paths to
 * features/, schemas/, reports/ and ../shared resolve the same whether this module runs as TypeScript from bin/
 * (the tests, through tsx) or compiled from dist/bin/ (every suite process).
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = findRoot(__dirname);

let checked = false;
/**
 * When this module runs as TypeScript (a test through tsx), rebuilds dist/ first if a source is newer, so that
 * the processes it spawns run the code being tested; compiled code has nothing to check.
 */
function ensureFresh(): void {
  if (checked || !__filename.endsWith('.ts')) return;
  checked = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(path.join(ROOT, 'bin', 'build.js')) as { ensureBuilt: () => boolean }).ensureBuilt();
}

/** The compiled form of a source file of the project: `bin/conformance.ts` → `<ROOT>/dist/bin/conformance.js`. */
export function compiled(source: string): string {
  return path.join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
}

/** Node arguments that run the compiled form of `source` with stack traces mapped to the .ts lines. */
export function nodeArgs(source: string, ...args: string[]): string[] {
  ensureFresh();
  return ['--enable-source-maps', compiled(source), ...args];
}
