// Cucumber configuration. `npm run conformance` (bin/conformance.ts) loads this file, adds the report formats and
// the target description as world parameters. Running cucumber-js directly needs those world parameters too:
// use `npm run conformance` instead.
const common = {
  paths: ['features/**/*.feature'],
  requireModule: ['tsx/cjs'],
  require: ['steps/**/*.ts'],
  strict: true,
};

module.exports = {
  default: { ...common },
};
