// Labels instead of raw ids in the side bar: account sources and selection strategies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountSourceLabel, accountSubtitle, SELECTION_STRATEGY_INFO } from '../../../src/core/admin/account-labels.ts';
import { SELECTION_STRATEGIES } from '../../../src/core/admin/protocol.ts';

test('account sources read as words, not ids', () => {
  assert.equal(accountSubtitle({ provider: 'Google', authMethod: 'social', source: 'mock:mock' }), 'Google sign-in · simulated Kiro');
  assert.equal(accountSourceLabel('/home/u/.aws/sso/cache/kiro-auth-token.json'), 'kiro-auth-token.json');
  assert.equal(accountSourceLabel('/home/u/creds.json[1]'), 'creds.json #1');
  assert.equal(accountSourceLabel('store:acct-12'), 'saved by Kiro Proxy');
  assert.equal(accountSourceLabel('$KIRO_CREDS[0]'), 'environment variable KIRO_CREDS');
  assert.equal(accountSubtitle({ authMethod: 'idc', source: 'base64' }), 'IAM Identity Center · base64 credentials');
});

test('every selection strategy has a label', () => {
  for (const s of SELECTION_STRATEGIES) assert.ok(SELECTION_STRATEGY_INFO[s].label.length > 0);
  assert.equal(SELECTION_STRATEGY_INFO['least-used'].label, 'Least used (default)');
});
