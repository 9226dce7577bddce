// Cucumber plugin: starts the longest scenarios first, so that with --parallel their waits overlap with everything
// else and a run takes about as long as its longest scenario rather than ending on a tail of long ones started late.
// "Longest" is what the last complete run against the same target recorded (bin/durations.ts, the file named by
// UCWA_CONFORMANCE_DURATIONS_FILE); a scenario with no record counts as longest when tagged @slow (dominated by
// protocol waits), else as shortest. Without any record this is the @slow tag alone. The order of equals is kept.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function recorded() {
  const file = process.env.UCWA_CONFORMANCE_DURATIONS_FILE;
  if (!file) return {};
  try {
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    return d && d.version === 1 && d.scenarios && typeof d.scenarios === 'object' ? d.scenarios : {};
  } catch {
    return {};
  }
}

/** @type {import('@cucumber/cucumber/api').Plugin} */
module.exports = {
  type: 'plugin',
  coordinator({ transform }) {
    transform('pickles:order', (pickles) => {
      const ms = recorded();
      const cost = (p) => {
        const known = ms[`${path.basename(p.pickle.uri)} ${p.pickle.name}`];
        if (typeof known === 'number') return known;
        return p.pickle.tags.some((t) => t.name === '@slow') ? Number.POSITIVE_INFINITY : 0;
      };
      return pickles
        .map((p, i) => ({ p, i, c: cost(p) }))
        .sort((a, b) => b.c - a.c || a.i - b.i)
        .map((x) => x.p);
    });
  },
};
