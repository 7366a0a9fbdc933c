// The response cache (--cache-enabled) end to end: off by default; when on, an identical request
// (another conversation id) is answered without calling Kiro, the stream replays faithfully, the
// hit shows in the request log and in /metrics; failures are not cached; entries expire.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startProxyWithMock, readSse, type ProxyWithMock } from '../../helpers/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import { parsePrometheus } from './prometheus.ts';

const TOOLS = [{ name: 'Read', description: 'Reads a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];
const body = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 512,
  tools: TOOLS,
  messages: [{ role: 'user', content }],
  ...extra,
});

function ask(tp: ProxyWithMock, b: unknown, session: string): Promise<Response> {
  return fetch(`${tp.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-claude-code-session-id': session },
    body: JSON.stringify(b),
  });
}

/** SSE records with per-response ids masked (message ids, request ids, tool-call ids). */
function masked(events: { event: string | undefined; data: string }[]) {
  return events.map((e) => ({ event: e.event, data: e.data.replace(/"(msg|req|chatcmpl|resp|toolu|call)_[A-Za-z0-9_-]+"/g, '"$1_*"') }));
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('response cache', () => {
  test('is off by default: identical requests both go upstream', async () => {
    assert.equal(defaultConfig().cacheEnabled, false);
    const tp = await startProxyWithMock();
    try {
      for (const s of [1, 2]) {
        const r = await ask(tp, body('same question'), uuid(s));
        assert.equal(r.status, 200);
        await r.json();
      }
      assert.equal(tp.chats().length, 2);
      assert.ok(tp.logs().every((e) => e.cached === undefined));
      const m = parsePrometheus(await (await fetch(`${tp.url}/metrics`)).text());
      assert.equal(m.sum('kiro_proxy_cache_hits_total'), 0);
    } finally {
      await tp.close();
    }
  });

  test('when on, a repeat is replayed faithfully without calling Kiro, and is visible in log and metrics', { timeout: 20_000 }, async () => {
    const tp = await startProxyWithMock({ config: { cacheEnabled: true, cacheTtlSeconds: 1 } });
    try {
      tp.mock.enqueue({ kind: 'tool_use', text: 'Let me look at that file.', name: 'Read', input: { path: '/tmp/a.txt' } });
      const first = await ask(tp, body('read /tmp/a.txt', { stream: true }), uuid(1));
      assert.equal(first.status, 200);
      const firstEvents = await readSse(first);
      assert.equal(tp.chats().length, 1);
      assert.ok(
        firstEvents.some((e) => e.data.includes('"tool_use"')),
        'the answer has a tool call',
      );

      const second = await ask(tp, body('read /tmp/a.txt', { stream: true }), uuid(2));
      assert.equal(second.status, 200);
      assert.match(second.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.ok(second.headers.get('x-kiro-proxy-overhead-ms'));
      const secondEvents = await readSse(second);
      assert.equal(tp.chats().length, 1, 'the hit did not reach Kiro');
      assert.deepEqual(masked(secondEvents), masked(firstEvents));
      assert.notEqual(first.headers.get('x-kiro-proxy-request-id'), second.headers.get('x-kiro-proxy-request-id'));

      // The same answer non-streamed (the cache stores neutral events, not bytes).
      const plain = await ask(tp, body('read /tmp/a.txt'), uuid(3));
      const json = (await plain.json()) as any;
      assert.equal(tp.chats().length, 1);
      assert.equal(json.stop_reason, 'tool_use');
      assert.deepEqual(
        json.content.map((c: { type: string }) => c.type),
        ['text', 'tool_use'],
      );
      assert.deepEqual(json.content[1].input, { path: '/tmp/a.txt' });

      const entries = await tp.waitForLogs((e) => e.route === '/v1/messages', 3);
      assert.deepEqual(
        entries.map((e) => e.cached === true),
        [false, true, true],
      );
      assert.equal(entries[1]!.accountId, undefined, 'no account served the hit');
      assert.equal(entries[1]!.credits, undefined, 'a hit costs no credits');
      assert.equal(entries[1]!.status, 200);
      let m = parsePrometheus(await (await fetch(`${tp.url}/metrics`)).text());
      assert.equal(m.sum('kiro_proxy_cache_hits_total'), 2);
      assert.equal(m.sum('kiro_proxy_cache_misses_total'), 1);
      assert.equal(m.sum('kiro_proxy_cache_entries'), 1);
      assert.ok(m.sum('kiro_proxy_cache_bytes') > 0);

      // Anything different in the conversation is a miss.
      const other = await ask(tp, body('read /tmp/b.txt'), uuid(4));
      await other.json();
      const moreTokens = await ask(tp, body('read /tmp/a.txt', { max_tokens: 100 }), uuid(5));
      await moreTokens.json();
      assert.equal(tp.chats().length, 3);

      // TTL: after expiry the same request goes upstream again.
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await ask(tp, body('read /tmp/a.txt'), uuid(6));
      await expired.json();
      assert.equal(tp.chats().length, 4);
      m = parsePrometheus(await (await fetch(`${tp.url}/metrics`)).text());
      assert.equal(m.sum('kiro_proxy_cache_hits_total'), 2);
    } finally {
      await tp.close();
    }
  });

  test('a failed or broken answer is never cached', { timeout: 20_000 }, async () => {
    const tp = await startProxyWithMock({ config: { cacheEnabled: true } });
    try {
      tp.mock.enqueue({ kind: 'error_frame', code: 'InternalError', message: 'boom', text: 'partial answer ' });
      const broken = await ask(tp, body('flaky', { stream: true }), uuid(1));
      await readSse(broken);
      tp.mock.enqueue(
        { kind: 'http_error', status: 500, message: 'down' },
        { kind: 'http_error', status: 500, message: 'down' },
        { kind: 'http_error', status: 500, message: 'down' },
      );
      const failed = await ask(tp, body('flaky'), uuid(2));
      assert.ok(failed.status >= 500);
      await failed.text();
      const before = tp.chats().length;
      const good = await ask(tp, body('flaky'), uuid(3));
      assert.equal(good.status, 200);
      await good.json();
      assert.equal(tp.chats().length, before + 1, 'went upstream: nothing was cached from the failures');
      const again = await ask(tp, body('flaky'), uuid(4));
      await again.json();
      assert.equal(tp.chats().length, before + 1, 'the good answer is cached');
    } finally {
      await tp.close();
    }
  });
});
