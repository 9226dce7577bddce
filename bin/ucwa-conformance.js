#!/usr/bin/env node
// The package's command: runs the compiled CLI (dist/, built by `npm ci` / `npm pack`) from any working directory,
// with stack traces mapped to the TypeScript lines.
'use strict';
process.setSourceMapsEnabled(true);
require('../dist/bin/cli.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
