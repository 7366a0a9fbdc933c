// The local copy of conversation bindings that lets a request of a known conversation skip Redis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StickyBindings } from '../../../src/core/team/sticky-bindings.ts';

test('a binding is known until it has been idle for the sticky TTL', () => {
  const b = new StickyBindings(1000);
  b.set('c', 'x', 0);
  assert.equal(b.get('c', 999), 'x');
  b.touch('c', 'x', 999);
  assert.equal(b.get('c', 1998), 'x', 'a use pushes the idle time');
  assert.equal(b.get('c', 2000), undefined);
  assert.equal(b.get('c', 0), undefined, 'an expired binding is forgotten');
});

test('uses without Redis are handed out once, with the account they were on', () => {
  const b = new StickyBindings(1000);
  b.set('seen', 'x', 0);
  b.touch('c1', 'x', 0);
  b.touch('c2', 'y', 0);
  b.touch('c1', 'x', 1);
  assert.deepEqual(
    [...b.takeTouched()],
    [
      ['c1', 'x'],
      ['c2', 'y'],
    ],
  );
  assert.equal(b.takeTouched().size, 0);
});

test('a move by another instance is followed only for conversations known here; clear forgets all', () => {
  const b = new StickyBindings(1000);
  b.touch('c', 'x', 0);
  b.moved('c', 'y', 1);
  b.moved('unknown', 'y', 1);
  assert.equal(b.get('c', 2), 'y');
  assert.equal(b.get('unknown', 2), undefined);
  assert.deepEqual([...b.takeTouched()], [['c', 'y']], 'the TTL push keeps the new account');
  b.clear();
  assert.equal(b.get('c', 3), undefined);
});

test('bounded: the least recently used conversation goes first', () => {
  const b = new StickyBindings(10_000_000);
  for (let i = 0; i < 20_000; i++) b.set(`c${i}`, 'x', i);
  b.touch('c0', 'x', 20_000); // used again: now the most recent
  b.set('new', 'y', 20_001);
  assert.equal(b.get('c0', 20_002), 'x');
  assert.equal(b.get('c1', 20_002), undefined, 'the oldest was dropped');
  assert.equal(b.get('new', 20_002), 'y');
});
