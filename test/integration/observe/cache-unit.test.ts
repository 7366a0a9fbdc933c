// The pipeline's cache helper in isolation: what the key ignores (conversation ids) and what it
// does not (content, output limits, tool aliases), and the on/off/reshape lifecycle with hooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NeutralEvent, NeutralRequest } from '../../../src/core/conversation/types.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { CompletionCache, completionCacheKey } from '../../../src/core/pipeline/cache.ts';

const req = (text: string, extra: Partial<NeutralRequest> = {}): NeutralRequest => ({
  dialect: 'anthropic',
  model: 'claude-sonnet-4-5',
  system: 'be brief',
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  tools: [],
  stream: true,
  ...extra,
});
const key = (r: NeutralRequest, conversationId: string) => completionCacheKey(normalise(r, { modelId: 'claude-sonnet-4.5', conversationId }), r);

test('the key ignores conversation and continuation ids but not content or output limits', () => {
  const a = key(req('hi'), '11111111-1111-4111-8111-111111111111');
  assert.equal(a, key(req('hi'), '22222222-2222-4222-8222-222222222222'));
  assert.equal(
    a,
    key(req('hi', { dialect: 'openai-chat', stream: false }), 'x'),
    'dialect and stream flag do not matter: events are replayed through any renderer',
  );
  assert.notEqual(a, key(req('hi!'), 'x'));
  assert.notEqual(a, key(req('hi', { maxTokens: 10 }), 'x'));
  assert.notEqual(a, key(req('hi', { stopSequences: ['\n'] }), 'x'));
  assert.notEqual(a, key(req('hi', { thinking: { type: 'enabled', budgetTokens: 1000 } }), 'x'));
});

test('CompletionCache follows the config and reports hits, misses and size', () => {
  let now = 1_000;
  const seen: string[] = [];
  const cc = new CompletionCache({
    now: () => now,
    hooks: { hit: () => seen.push('hit'), miss: () => seen.push('miss'), size: (n) => seen.push(`size ${n}`) },
  });
  assert.equal(cc.for({ cacheEnabled: false, cacheTtlSeconds: 60, cacheMaxEntries: 2 }), undefined);
  const cache = cc.for({ cacheEnabled: true, cacheTtlSeconds: 60, cacheMaxEntries: 2 })!;
  assert.ok(cache);
  assert.equal(cc.lookup(cache, 'k'), undefined);
  const events: NeutralEvent[] = [
    { type: 'text_delta', text: 'hello' },
    { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } },
  ];
  const rec = cc.record(cache, 'k');
  for (const e of events) rec.push(e);
  assert.equal(rec.commit(), true);
  assert.deepEqual(cc.lookup(cache, 'k'), events);
  // An aborted or incomplete recording stores nothing.
  const partial = cc.record(cache, 'p');
  partial.push(events[0]!);
  assert.equal(partial.commit(), false);
  // Same config → same cache; a new TTL rebuilds it; turning it off drops it.
  assert.equal(cc.for({ cacheEnabled: true, cacheTtlSeconds: 60, cacheMaxEntries: 2 }), cache);
  now += 61_000;
  assert.equal(cc.lookup(cache, 'k'), undefined, 'expired');
  assert.notEqual(cc.for({ cacheEnabled: true, cacheTtlSeconds: 30, cacheMaxEntries: 2 }), cache);
  assert.equal(cc.for({ cacheEnabled: false, cacheTtlSeconds: 30, cacheMaxEntries: 2 }), undefined);
  assert.equal(cc.stats(), undefined);
  assert.deepEqual(
    seen.filter((s) => !s.startsWith('size')),
    ['miss', 'hit', 'miss'],
  );
  assert.equal(seen.at(-1), 'size 0');
});
