import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, CliUsageError } from '../../../src/cli/args.ts';

test('--truncation: combinable strategies; default on-error only; off turns all off; env too', () => {
  assert.deepEqual(pick(parseCli([], {}).config.truncation), [true, false, false, false]);
  assert.deepEqual(pick(parseCli(['--truncation', 'auto,summarise'], {}).config.truncation), [false, true, false, true]);
  assert.deepEqual(pick(parseCli(['--truncation=on-error,pre-estimate'], {}).config.truncation), [true, false, true, false]);
  assert.deepEqual(pick(parseCli(['--truncation', 'off'], {}).config.truncation), [false, false, false, false]);
  assert.deepEqual(pick(parseCli([], { KIRO_PROXY_TRUNCATION: 'auto' }).config.truncation), [false, true, false, false]);
  assert.throws(() => parseCli(['--truncation', 'sometimes'], {}), CliUsageError);
  const c = parseCli(['--max-request-bytes', '300000', '--truncation', 'auto'], {}).config.truncation;
  assert.equal(c.maxRequestBytes, 300_000);
  assert.equal(c.autoTruncate, true);
});

function pick(t: { errorRetry: boolean; autoTruncate: boolean; preEstimate: boolean; summarise: boolean }) {
  return [t.errorRetry, t.autoTruncate, t.preEstimate, t.summarise];
}
