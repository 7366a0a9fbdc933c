import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli } from '../../../src/cli/args.ts';

test('--account-concurrency sets requests in flight per account; 0 means unlimited', () => {
  assert.equal(parseCli([], {}).config.accountConcurrency, 8);
  assert.equal(parseCli(['--account-concurrency', '64'], {}).config.accountConcurrency, 64);
  assert.equal(parseCli(['--account-concurrency=0'], {}).config.accountConcurrency, 0);
  assert.equal(parseCli([], { KIRO_PROXY_ACCOUNT_CONCURRENCY: '16' }).config.accountConcurrency, 16);
  assert.throws(() => parseCli(['--account-concurrency', '-1'], {}), /non-negative integer/);
});
