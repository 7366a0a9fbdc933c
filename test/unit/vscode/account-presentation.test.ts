import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCountdown, presentAccount } from '../../../src/vscode/account-presentation.ts';
import type { AccountView } from '../../../src/core/proxy-types.ts';

const base: AccountView = {
  id: 'a',
  label: 'me@example.com',
  state: 'active',
  authMethod: 'social',
  provider: 'Google',
  source: 'sso-cache',
  enabled: true,
  counters: { requests: 3, errors: 1, inFlight: 0, tokensIn: 0, tokensOut: 0, credits: 0 },
};

test('quota used/limit in the description', () => {
  const p = presentAccount({ ...base, quota: { used: 12.5, limit: 50, bonusUsed: 0, bonusLimit: 0, freeTrialUsed: 0, freeTrialLimit: 0, fetchedAt: 0 } }, 0);
  assert.equal(p.description, '12.5/50');
  assert.equal(p.icon, 'pass-filled');
  assert.equal(p.contextValue, 'kiroAccount.active.enabled');
});

test('cooldown shows a countdown; the last error goes in the tooltip', () => {
  const now = 1_000_000;
  const p = presentAccount({ ...base, state: 'cooldown', cooldownUntil: now + 83_000, lastError: { at: now, message: 'Too many requests' } }, now);
  assert.equal(p.description, 'cooldown 1:23');
  assert.equal(p.icon, 'watch');
  assert.ok(p.tooltipLines.some((l) => l.includes('Too many requests')));
});

test('countdown formats', () => {
  assert.equal(formatCountdown(0), '0:00');
  assert.equal(formatCountdown(59_001), '1:00');
  assert.equal(formatCountdown(3_723_000), '1:02:03');
});
