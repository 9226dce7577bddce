import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairBudget } from '../bin/placement';

test('a two-sided scenario fits while a pair of its combination is free, a caller-only one while any of its caller transport is', () => {
  // two ucwa→ucwa pairs, one ucwa→taa, one taa→taa
  const b = new PairBudget([
    { caller: 'ucwa', callee: 'ucwa' },
    { caller: 'ucwa', callee: 'ucwa' },
    { caller: 'ucwa', callee: 'taa' },
    { caller: 'taa', callee: 'taa' },
  ]);
  const u2t = { caller: 'ucwa', callee: 'taa' } as const;
  const t2t = { caller: 'taa', callee: 'taa' } as const;
  assert.ok(b.fits(u2t));
  b.take(u2t);
  assert.equal(b.fits(u2t), false, 'the one ucwa→taa pair is held');
  assert.ok(b.fits({ caller: 'ucwa' }), 'two ucwa→ucwa pairs are free for a UCWA caller-only scenario');
  b.take({ caller: 'ucwa' });
  b.take({ caller: 'ucwa' });
  assert.equal(b.fits({ caller: 'ucwa', callee: 'ucwa' }), false, 'the caller-only scenarios hold both ucwa→ucwa pairs');
  assert.ok(b.fits(t2t), 'other caller transports are not affected');
  b.take(t2t);
  assert.equal(b.fits({ caller: 'taa' }), false);
  assert.equal(b.fits({ caller: 'taa', callee: 'ucwa' }), false, 'a combination without pairs never fits');
  b.give(u2t);
  assert.ok(b.fits({ caller: 'ucwa' }));
  assert.ok(b.fits(undefined), 'a scenario without a @via: tag always fits');
});
