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

test('trial and bonus credits are counted once (the totals already hold them); overage shown apart', () => {
  const q = { used: 550, limit: 650, bonusUsed: 0, bonusLimit: 100, freeTrialUsed: 500, freeTrialLimit: 500, fetchedAt: 0 };
  assert.equal(presentAccount({ ...base, quota: q }, 0).description, '550/650');
  const over = presentAccount(
    {
      ...base,
      stateReason: 'included credits used up; serving on overage (12.5 of 2000 overage credits, 0.50 USD so far)',
      quota: {
        ...q,
        used: 1012.5,
        limit: 1000,
        bonusLimit: 0,
        freeTrialLimit: 0,
        freeTrialUsed: 0,
        overageEnabled: true,
        overageStatus: 'ENABLED',
        overageUsed: 12.5,
        overageCap: 2000,
        overageCharges: 0.5,
        currency: 'USD',
        plan: 'KIRO PRO',
      },
    },
    0,
  );
  assert.equal(over.description, '1000/1000 +12.5 overage');
  assert.ok(
    over.tooltipLines.some((l) => l.startsWith('Quota: 1000/1000 included credits · 12.5/2000 overage (0.50 USD) · KIRO PRO')),
    over.tooltipLines.join('\n'),
  );
  assert.ok(over.tooltipLines.some((l) => l.includes('serving on overage')));
  const off = presentAccount({ ...base, quota: { ...q, used: 50, limit: 50, overageEnabled: false, overageStatus: 'DISABLED', overageCap: 10000 } }, 0);
  assert.equal(off.description, '50/50');
  assert.ok(off.tooltipLines.some((l) => l.startsWith('Quota: 50/50 included credits · overage off')));
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
