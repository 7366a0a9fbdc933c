import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripBillingHeader } from '../../../../src/core/conversation/rules/strip-billing-header.ts';
import { draft, ruleLog } from '../helpers.ts';

test('strip-billing-header removes the pseudo-header line and keeps the prompt', () => {
  const log = ruleLog();
  const d = stripBillingHeader(draft([], { system: 'x-anthropic-billing-header: cc_version=2.1; cch=abc\nYou are Claude Code.' }), log);
  assert.equal(d.system, 'You are Claude Code.');
  assert.deepEqual(log.names(), ['strip-billing-header']);
  assert.match(log.debug[0]!, /^normaliser rule strip-billing-header: /);
});

test('strip-billing-header leaves other system text alone', () => {
  const log = ruleLog();
  const input = draft([], { system: 'Mention x-anthropic-billing-header: in prose is fine' });
  assert.equal(stripBillingHeader(input, log), input);
  assert.deepEqual(log.names(), []);
});
