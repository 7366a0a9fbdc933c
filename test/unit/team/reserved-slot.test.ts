// The bookkeeping of the slots an instance keeps reserved, and when keeping one is fair.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeptSlots, maxKept, mayKeep, type Slot } from '../../../src/core/team/reserved-slot.ts';

const slot = (accountId: string, member: string): Slot => ({ accountId, member, limit: 8, takenAt: 0, confirmedAt: 0, keptSince: 0 });

test('an account keeps slots while at most three quarters of its cap are live, a quarter of the cap per instance', () => {
  assert.equal(mayKeep(0, 1000), true, 'uncapped');
  assert.equal(mayKeep(8, 6), true);
  assert.equal(mayKeep(8, 7), false);
  assert.equal(mayKeep(3, 0), false, 'a cap below 4 keeps none');
  assert.deepEqual([maxKept(0), maxKept(4), maxKept(8), maxKept(16), maxKept(1024)], [4, 1, 2, 4, 256]);
});

test('kept slots: the most recently kept is taken first, per account; takeWhere takes out exactly what it names', () => {
  const k = new KeptSlots();
  k.put(slot('x', 'x1'));
  k.put(slot('x', 'x2'));
  k.put(slot('y', 'y1'));
  assert.equal(k.size, 3);
  assert.equal(k.count('x'), 2);
  assert.equal(k.peek('x')?.member, 'x2');
  assert.equal(k.take('x')?.member, 'x2');
  assert.equal(k.take('z'), undefined);
  assert.equal(k.size, 2);
  const taken = k.takeWhere((s) => s.accountId === 'x');
  assert.deepEqual(
    taken.map((s) => s.member),
    ['x1'],
  );
  assert.equal(k.count('x'), 0);
  assert.equal(k.size, 1);
  assert.deepEqual(
    k.all().map((s) => s.member),
    ['y1'],
  );
  assert.equal(k.takeWhere(() => true).length, 1);
  assert.equal(k.size, 0);
});
