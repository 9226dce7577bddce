#!/usr/bin/env node
// The package's command: runs the TypeScript CLI through tsx (a dependency), from any working directory.
'use strict';
require('tsx/cjs');
require('./cli.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
