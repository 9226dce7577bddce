#!/usr/bin/env node
// Keeps dist/ (the compiled JavaScript every suite process runs) up to date: compiles with tsc
// (tsconfig.build.json, incremental) when a .ts file under bin/, steps/ or reference/, or a tsconfig, is newer
// than the last build; otherwise it only compares modification times (a few milliseconds). Run by `prepare` and
// by the `pre*` scripts, and by the tests before they spawn a suite process. In an installed package (no
// TypeScript, no sources) there is nothing to do. It also regenerates the schemas' standalone validation code
// (dist/schemas/validators.js) when a schema changed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.tsbuildinfo');
const SOURCES = ['bin', 'steps', 'reference'];

function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCES) if (fs.existsSync(path.join(ROOT, d))) visit(path.join(ROOT, d));
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) if (fs.existsSync(path.join(ROOT, f))) newest = Math.max(newest, fs.statSync(path.join(ROOT, f)).mtimeMs);
  return newest;
}

/**
 * Deletes compiled files whose source is gone (a moved or deleted .ts): a stale dist/reference/faults.js would
 * otherwise shadow a new reference/faults/index.ts.
 */
function removeOrphans() {
  const visit = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else {
        const source = path.join(ROOT, path.relative(path.join(ROOT, 'dist'), p)).replace(/\.js(\.map)?$/, '.ts');
        if (/\.js(\.map)?$/.test(e.name) && !fs.existsSync(source)) fs.rmSync(p);
      }
    }
  };
  for (const d of SOURCES) visit(path.join(ROOT, 'dist', d));
}

const STANDALONE = path.join(ROOT, 'dist', 'schemas', 'validators.js');

/**
 * Regenerates dist/schemas/validators.js (the schemas' ajv standalone validation code, generated from the suite's
 * one strict ajv instance by steps/support/schemas.ts) when it is missing or older than a schema file or the
 * compiled schemas module. Suite processes check its digest and compile at run time if it does not match.
 */
function ensureStandalone(force) {
  const schemasModule = path.join(ROOT, 'dist', 'steps', 'support', 'schemas.js');
  if (!fs.existsSync(schemasModule)) return false;
  const schemaDir = path.join(ROOT, 'schemas');
  const inputs = [schemasModule, ...fs.readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).map((f) => path.join(schemaDir, f))];
  const newest = Math.max(...inputs.map((f) => fs.statSync(f).mtimeMs));
  if (!force && fs.existsSync(STANDALONE) && fs.statSync(STANDALONE).mtimeMs >= newest) return false;
  require(schemasModule).writeStandalone(STANDALONE);
  return true;
}

/** Compiles when dist/ is missing or older than a source; returns whether it compiled. */
function ensureBuilt({ force = false } = {}) {
  const compiled = ensureCompiled({ force });
  ensureStandalone(force || compiled);
  return compiled;
}

function ensureCompiled({ force = false } = {}) {
  if (!fs.existsSync(path.join(ROOT, 'tsconfig.build.json'))) return false;
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  } catch {
    if (fs.existsSync(STAMP)) return false;
    throw new Error('dist/ is missing and TypeScript is not installed: run `npm ci` in the project folder');
  }
  if (!force && fs.existsSync(STAMP) && fs.statSync(STAMP).mtimeMs >= newestSource()) return false;
  removeOrphans();
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  // tsc leaves the build-info file untouched when nothing changed: mark the check as done
  const now = new Date();
  fs.utimesSync(STAMP, now, now);
  return true;
}

module.exports = { ensureBuilt };

if (require.main === module) ensureBuilt({ force: process.argv.includes('--force') });
