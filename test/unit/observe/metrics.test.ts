import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import type { AccountView } from '../../../src/core/proxy-types.ts';
import { ProxyMetrics, accountLabel } from '../../../src/core/observe/metrics.ts';

function account(id: string, state: AccountView['state'], over: Partial<AccountView> = {}): AccountView {
  return {
    id,
    label: 'alice@example.com',
    state,
    authMethod: 'social',
    source: 'sso-cache',
    enabled: true,
    counters: { requests: 0, errors: 0, inFlight: 0, tokensIn: 0, tokensOut: 0, credits: 0 },
    ...over,
  };
}

test('render exposes every series the dashboard and scrapers rely on', async () => {
  const m = new ProxyMetrics();
  m.recordRequest({ route: '/v1/messages', model: 'claude-sonnet-4.5', status: 200, durationMs: 1200, firstTokenMs: 300 });
  m.recordRequest({ route: '/v1/chat/completions', model: 'gpt-4o', status: 429, durationMs: 5 });
  m.upstreamError('rate_limited');
  m.cooldown('acc-1');
  m.tokenRefresh('success');
  m.tokenRefresh('failure');
  m.setAccounts([
    account('acc-1', 'cooldown', {
      quota: { used: 12, limit: 50, bonusUsed: 0, bonusLimit: 0, freeTrialUsed: 0, freeTrialLimit: 0, fetchedAt: 0, email: 'alice@example.com' },
    }),
    account('acc-2', 'active'),
  ]);
  const end = m.streamStarted();
  m.streamStarted();
  end();
  end(); // idempotent
  m.cacheHit();
  m.cacheMiss();
  m.cacheMiss();
  m.setCacheSize(3, 4096);
  m.truncation();
  m.normaliserRules(['merge_adjacent_user', 'drop_orphan_tool_result', 'merge_adjacent_user']);

  const text = await m.render();
  const expected = [
    'kiro_proxy_requests_total{route="/v1/messages",model="claude-sonnet-4.5",status="200"} 1',
    'kiro_proxy_requests_total{route="/v1/chat/completions",model="gpt-4o",status="429"} 1',
    'kiro_proxy_upstream_errors_total{reason="rate_limited"} 1',
    'kiro_proxy_cooldowns_total{account="acc-1"} 1',
    'kiro_proxy_token_refreshes_total{outcome="success"} 1',
    'kiro_proxy_token_refreshes_total{outcome="failure"} 1',
    'kiro_proxy_account_state{account="acc-1",state="cooldown"} 1',
    'kiro_proxy_account_state{account="acc-1",state="active"} 0',
    'kiro_proxy_account_state{account="acc-2",state="active"} 1',
    'kiro_proxy_quota_used{account="acc-1"} 12',
    'kiro_proxy_quota_limit{account="acc-1"} 50',
    'kiro_proxy_request_duration_seconds_bucket{le="2.5",route="/v1/messages"} 1',
    'kiro_proxy_request_duration_seconds_count{route="/v1/messages"} 1',
    'kiro_proxy_time_to_first_token_seconds_bucket{le="0.5",route="/v1/messages"} 1',
    'kiro_proxy_time_to_first_token_seconds_count{route="/v1/messages"} 1',
    'kiro_proxy_inflight_streams 1',
    'kiro_proxy_cache_hits_total 1',
    'kiro_proxy_cache_misses_total 2',
    'kiro_proxy_cache_entries 3',
    'kiro_proxy_truncations_total 1',
    'kiro_proxy_normaliser_rules_total{rule="merge_adjacent_user"} 2',
    'kiro_proxy_normaliser_rules_total{rule="drop_orphan_tool_result"} 1',
  ];
  for (const line of expected) assert.ok(text.includes(line), `missing: ${line}\n${text}`);
  assert.ok(!text.includes('time_to_first_token_seconds_count{route="/v1/chat/completions"}'));
  assert.ok(!text.includes('@'), 'no email may reach metrics');
  assert.match(m.contentType, /^text\/plain/);
});

test('account snapshots replace the previous ones (removed accounts disappear)', async () => {
  const m = new ProxyMetrics();
  m.setAccounts([account('gone', 'active'), account('kept', 'error')]);
  m.setAccounts([account('kept', 'active')]);
  const text = await m.render();
  assert.ok(!text.includes('account="gone"'));
  assert.ok(text.includes('kiro_proxy_account_state{account="kept",state="active"} 1'));
});

test('account labels are stable ids; email- or token-shaped ids are hashed', async () => {
  assert.equal(accountLabel('acc-1'), 'acc-1');
  assert.equal(accountLabel('alice@example.com'), accountLabel('alice@example.com'));
  assert.match(accountLabel('alice@example.com'), /^acct-[0-9a-f]{12}$/);
  assert.match(accountLabel('aoa' + 'AAAAAGhX3kZp9Qm2vT7rLw8cYd'), /^acct-/);
  const m = new ProxyMetrics();
  m.cooldown('alice@example.com');
  m.setAccounts([account('aor' + 'AAAAAGi4pQ2wErTy7UiOp3aSdFg', 'active')]);
  const text = await m.render();
  assert.ok(!text.includes('alice@example.com') && !text.includes('aorAAAA'));
});

test('client-chosen model names are capped to bound label cardinality', async () => {
  const m = new ProxyMetrics({ maxModelLabels: 2 });
  for (const model of ['a', 'b', 'c', 'd']) m.recordRequest({ route: '/v1/messages', model, status: 200, durationMs: 1 });
  m.recordRequest({ route: '/v1/models', status: 200, durationMs: 1 });
  const text = await m.render();
  assert.ok(text.includes('model="other",status="200"} 2'));
  assert.ok(text.includes('model="none"'));
});

test('two instances in one process do not collide and never touch the global registry', async () => {
  const a = new ProxyMetrics();
  const b = new ProxyMetrics();
  a.cacheHit();
  assert.ok((await a.render()).includes('kiro_proxy_cache_hits_total 1'));
  assert.ok((await b.render()).includes('kiro_proxy_cache_hits_total 0'));
  assert.ok(!(await globalRegistry.metrics()).includes('kiro_proxy_'));
});
