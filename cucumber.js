// Cucumber profiles of the conformance suite. `npm run conformance` (bin/cli.ts) loads this file with the
// profile named by --profile, adds the report formats and hands the target description to the steps as world
// parameters; the gate level travels as the world parameter `gateLevel` (must | should | may).
const common = {
  paths: ['features/**/*.feature'],
  // the compiled step definitions (dist/, built by `npm ci` and kept fresh by bin/build.js): no TypeScript at run time
  require: ['dist/steps/**/*.js'],
  // start the scenarios dominated by protocol waits first (bin/slow-first.js)
  plugin: ['./bin/slow-first.js'],
  strict: true,
};

module.exports = {
  // every applicable MUST decides the verdict; failed SHOULDs are warnings
  default: { ...common, worldParameters: { gateLevel: 'must' } },
  // as default, without colours in the console output, for CI logs
  ci: { ...common, formatOptions: { colorsEnabled: false }, worldParameters: { gateLevel: 'must' } },
  // failed SHOULD requirements fail the gate too
  strict: { ...common, worldParameters: { gateLevel: 'should' } },
};
