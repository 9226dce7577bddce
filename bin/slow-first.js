// Cucumber plugin: schedules the scenarios dominated by protocol waits (@slow) first, so that with --parallel
// their waits overlap with everything else and a full run takes about as long as its longest wait.
'use strict';

/** @type {import('@cucumber/cucumber/api').Plugin} */
module.exports = {
  type: 'plugin',
  coordinator({ transform }) {
    transform('pickles:order', (pickles) => {
      const slow = pickles.filter((p) => p.pickle.tags.some((t) => t.name === '@slow'));
      const rest = pickles.filter((p) => !p.pickle.tags.some((t) => t.name === '@slow'));
      return [...slow, ...rest];
    });
  },
};
