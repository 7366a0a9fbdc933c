// The local copy of the team's conversation bindings that lets a request skip Redis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StickyBindings } from '../../../src/core/team/sticky-bindings.ts';

test('a binding is known while used within the sticky TTL; past it Redis is asked, past twice it is dropped', () => {
  const b = new StickyBindings(1000);
  b.set('c', 'x', 0);
  assert.deepEqual(b.lookup('c', 999), { accountId: 'x' });
  b.touch('c', 'x', 999);
  assert.deepEqual(b.lookup('c', 1998), { accountId: 'x' }, 'a use pushes the idle time');
  assert.equal(b.lookup('c', 2000), 'unknown', 'idle here: other instances may have kept it alive');
  b.loaded();
  b.prune(2998);
  assert.equal(b.lookup('c', 2998), 'unknown');
  b.prune(2999);
  assert.equal(b.lookup('c', 2999), 'new', 'dropped after twice the TTL');
});

test('a conversation not in the copy is new only while the copy is complete', () => {
  const b = new StickyBindings(1000);
  assert.equal(b.lookup('c', 0), 'unknown', 'not read from Redis yet');
  b.loaded();
  assert.equal(b.lookup('c', 0), 'new');
  b.incomplete();
  assert.equal(b.lookup('c', 0), 'unknown', 'Redis away: events may be missed');
  b.loaded();
  b.clear();
  assert.equal(b.lookup('c', 0), 'unknown', 'a gap in events');
});

test('uses without Redis are handed out once, with the account they are on now', () => {
  const b = new StickyBindings(1000);
  b.set('seen', 'x', 0);
  b.touch('c1', 'x', 0);
  b.touch('c2', 'y', 0);
  b.touch('c1', 'x', 1);
  b.set('c2', 'z', 2); // another instance moved it
  assert.deepEqual(
    [...b.takeTouched()],
    [
      ['c1', 'x'],
      ['c2', 'z'],
    ],
  );
  assert.equal(b.takeTouched().size, 0);
});

test('bounded: the least recently used conversation goes first, and the copy is no longer complete', () => {
  const b = new StickyBindings(10_000_000, 100);
  for (let i = 0; i < 100; i++) b.set(`c${i}`, 'x', i);
  b.loaded();
  assert.equal(b.complete, true);
  b.touch('c0', 'x', 100); // used again: now the most recent
  b.set('new', 'y', 101);
  assert.deepEqual(b.lookup('c0', 102), { accountId: 'x' });
  assert.equal(b.lookup('c1', 102), 'unknown', 'the oldest was dropped: it may still be bound in Redis');
  assert.equal(b.complete, false);
  assert.deepEqual(b.lookup('new', 102), { accountId: 'y' });
});
