import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import type { KiroRequestBody } from '../../../src/core/kiro/wire.ts';
import { ResponseCache } from '../../../src/core/cache/response-cache.ts';
import { responseCacheKey } from '../../../src/core/cache/cache-key.ts';
import { canonicalJson } from '../../../src/core/cache/canonical-json.ts';

const answer = (text = 'Hello'): NeutralEvent[] => [
  { type: 'text_delta', text },
  { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'read_file' },
  { type: 'tool_call_delta', index: 0, json: '{"path":"a.ts"}' },
  { type: 'tool_call_end', index: 0, input: { path: 'a.ts' } },
  { type: 'end', stopReason: 'tool_use', usage: { inputTokens: 10, outputTokens: 5 } },
];

function clock(start = 0) {
  const c = { t: start, now: () => c.t };
  return c;
}

function request(conversationId: string, over: Partial<KiroRequestBody['conversationState']> = {}): KiroRequestBody {
  return {
    profileArn: 'arn:aws:codewhisperer:us-east-1:111:profile/A',
    conversationState: {
      conversationId,
      chatTriggerType: 'MANUAL',
      history: [
        { userInputMessage: { content: 'hi', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
        { assistantResponseMessage: { content: 'hello', messageId: `m-${conversationId}` } },
      ],
      currentMessage: {
        userInputMessage: {
          content: 'read a.ts',
          modelId: 'claude-sonnet-4.5',
          origin: 'AI_EDITOR',
          userInputMessageContext: { tools: [{ toolSpecification: { name: 'read_file', description: 'Read', inputSchema: { json: { type: 'object' } } } }] },
        },
      },
      ...over,
    },
  };
}

describe('responseCacheKey', () => {
  test('ignores volatile ids: conversationId, agentContinuationId, assistant messageId, profileArn', () => {
    const a = responseCacheKey(request('conv-1'));
    const b = responseCacheKey({ ...request('conv-2', { agentContinuationId: 'cont-9' }), profileArn: 'arn:other' });
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{64}$/);
  });

  test('changes with the model, the conversation, the tools or extra answer-shaping inputs', () => {
    const base = responseCacheKey(request('c'));
    const other = request('c');
    other.conversationState.currentMessage.userInputMessage.modelId = 'claude-opus-4.5';
    assert.notEqual(responseCacheKey(other), base);
    assert.notEqual(responseCacheKey(request('c', { currentMessage: { userInputMessage: { content: 'read b.ts', modelId: 'claude-sonnet-4.5' } } })), base);
    const noTools = request('c');
    delete noTools.conversationState.currentMessage.userInputMessage.userInputMessageContext;
    assert.notEqual(responseCacheKey(noTools), base);
    assert.notEqual(responseCacheKey(request('c'), { maxTokens: 10 }), base);
  });

  test('key order does not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    const r = request('c');
    const reordered = JSON.parse(JSON.stringify({ conversationState: r.conversationState, profileArn: r.profileArn })) as KiroRequestBody;
    assert.equal(responseCacheKey(reordered), responseCacheKey(r));
  });
});

describe('ResponseCache', () => {
  test('a hit replays exactly the stored events; the same request with a new conversationId hits', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 10 });
    const events = answer();
    assert.equal(cache.set(responseCacheKey(request('first')), events), true);
    const hit = cache.get(responseCacheKey(request('second')));
    assert.deepEqual(hit, events);
    assert.ok(Object.isFrozen(hit) && Object.isFrozen(hit[3]));
    events[0] = { type: 'text_delta', text: 'mutated' };
    assert.deepEqual(cache.get(responseCacheKey(request('third')))![0], { type: 'text_delta', text: 'Hello' }, 'stored copy is independent');
    assert.equal(cache.get('nope'), undefined);
    const s = cache.stats();
    assert.equal(s.hits, 2);
    assert.equal(s.misses, 1);
    assert.equal(s.entries, 1);
    assert.ok(s.bytes > 0);
  });

  test('entries expire after the TTL', () => {
    const c = clock();
    const cache = new ResponseCache({ ttlMs: 1000, maxEntries: 10, now: c.now });
    cache.set('k', answer());
    c.t = 999;
    assert.ok(cache.get('k'));
    c.t = 1000;
    assert.equal(cache.get('k'), undefined);
    assert.equal(cache.stats().entries, 0);
    assert.equal(cache.stats().bytes, 0);
    assert.equal(cache.stats().expirations, 1);
  });

  test('least recently used entries are evicted past maxEntries', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 2 });
    cache.set('a', answer('a'));
    cache.set('b', answer('b'));
    cache.get('a'); // a is now the most recent
    cache.set('c', answer('c'));
    assert.ok(cache.has('a'));
    assert.ok(!cache.has('b'));
    assert.ok(cache.has('c'));
    assert.equal(cache.stats().evictions, 1);
  });

  test('the byte bound evicts too, and an oversized answer is not cached', () => {
    const one = Buffer.byteLength(JSON.stringify(answer('x'.repeat(100))));
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 100, maxBytes: one * 2 + 10, maxEntryBytes: one * 2 });
    cache.set('a', answer('x'.repeat(100)));
    cache.set('b', answer('y'.repeat(100)));
    cache.set('c', answer('z'.repeat(100)));
    assert.equal(cache.stats().entries, 2);
    assert.ok(!cache.has('a'));
    assert.ok(cache.stats().bytes <= one * 2 + 10);
    assert.equal(cache.set('big', answer('w'.repeat(one * 3))), false);
  });

  test('never stores partial or failed answers', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 10 });
    const full = answer();
    assert.equal(cache.set('partial', full.slice(0, 3)), false);
    assert.equal(cache.set('empty', []), false);
    assert.equal(cache.set('ctx', [{ type: 'end', stopReason: 'context_window_exceeded', usage: { inputTokens: 1, outputTokens: 0 } }]), false);
    assert.equal(cache.set('two-ends', [...full, ...full]), false);
    assert.equal(cache.stats().entries, 0);
  });

  test('recorder stores only when committed after a complete stream', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 10 });
    const ok = cache.recorder('ok');
    for (const e of answer()) ok.push(e);
    assert.equal(ok.commit(), true);
    const aborted = cache.recorder('aborted');
    for (const e of answer().slice(0, 2)) aborted.push(e);
    aborted.abort();
    assert.equal(aborted.commit(), false);
    const cut = cache.recorder('cut');
    for (const e of answer().slice(0, 2)) cut.push(e);
    assert.equal(cut.commit(), false, 'a stream without its end event');
    assert.deepEqual([cache.has('ok'), cache.has('aborted'), cache.has('cut')], [true, false, false]);
  });

  test('disabled by configuration: zero entries or TTL store nothing', () => {
    assert.equal(new ResponseCache({ ttlMs: 0, maxEntries: 10 }).set('k', answer()), false);
    assert.equal(new ResponseCache({ ttlMs: 1000, maxEntries: 0 }).set('k', answer()), false);
  });
});
