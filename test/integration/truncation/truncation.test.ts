// Issue 5 end to end: a mock Kiro with a low size threshold, the real proxy in front of it.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, post, sseData, type Harness } from './harness.ts';

const LIMIT = 40_000;

/** An Anthropic conversation of `turns` tool round trips (~`resultChars` each), then `last`. */
function session(turns: number, resultChars = 3_000, last = 'What next?') {
  const messages: unknown[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: `Step ${i}: read file ${i}.` });
    messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: `Reading ${i}.` },
        { type: 'tool_use', id: `toolu_${i}`, name: 'Read', input: { file_path: `/src/f${i}.ts` } },
      ],
    });
    messages.push({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: `toolu_${i}`, content: `// file ${i}\n` + 'const x = 1; // some code here\n'.repeat(Math.ceil(resultChars / 31)) },
      ],
    });
    messages.push({ role: 'assistant', content: `File ${i} looks fine.` });
  }
  messages.push({ role: 'user', content: last });
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: 'You are a careful coding assistant. KEEP-THIS-SYSTEM-TEXT.',
    tools: [
      { name: 'Read', description: 'Reads a file.', input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } },
    ],
    messages,
  };
}

/** Every toolUse in the history is answered by the next user message, and every result has its use. */
function assertToolPairsIntact(body: any): void {
  const st = body.conversationState;
  const msgs = [...(st.history ?? []), st.currentMessage];
  for (let i = 0; i < msgs.length; i++) {
    const results: string[] = (msgs[i].userInputMessage?.userInputMessageContext?.toolResults ?? []).map((r: any) => r.toolUseId);
    const prevUses: string[] = (msgs[i - 1]?.assistantResponseMessage?.toolUses ?? []).map((u: any) => u.toolUseId);
    for (const r of results) assert.ok(prevUses.includes(r), `tool result ${r} without its tool use`);
    const uses: string[] = (msgs[i].assistantResponseMessage?.toolUses ?? []).map((u: any) => u.toolUseId);
    const nextResults: string[] = (msgs[i + 1]?.userInputMessage?.userInputMessageContext?.toolResults ?? []).map((r: any) => r.toolUseId);
    for (const u of uses) assert.ok(nextResults.includes(u), `tool use ${u} without its result`);
  }
}

describe('truncation against a mock Kiro with a 40 KB threshold', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ mock: { maxBodyBytes: LIMIT } });
  });
  after(() => h.close());
  beforeEach(() => h.mock.reset());

  test('error retry: the mock rejects, the proxy drops whole turns, retries and succeeds (Anthropic, streamed)', async () => {
    const r = await post(`${h.url}/v1/messages`, { ...session(40), stream: true });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const dropped = Number(r.headers.get('x-kiro-proxy-truncated'));
    assert.ok(dropped > 0 && dropped < 40, `x-kiro-proxy-truncated: ${dropped}`);
    const events = sseData(r.text);
    assert.equal(events.at(-1).type, 'message_stop');
    const chats = h.mock.chatRequests();
    assert.ok(chats[0]!.status === 400 && chats.at(-1)!.status === 200, chats.map((c) => c.status).join(','));
    // Geometric shrinking: a 4x-too-long 160-message history takes a handful of round trips.
    assert.ok(chats.length <= 6, `${chats.length} upstream attempts`);
    const sent = chats.at(-1)!.body as any;
    assert.ok(chats.at(-1)!.bodyBytes <= LIMIT);
    assertToolPairsIntact(sent);
    assert.match(JSON.stringify(sent.conversationState.history[0]), /KEEP-THIS-SYSTEM-TEXT/);
    assert.equal(sent.conversationState.currentMessage.userInputMessage.content, 'What next?');
    // Visible: a debug line, the request log, the metric.
    assert.ok(h.logs.some((l) => l.level === 'debug' && /truncation \(error retry\): dropped \d+ oldest turn/.test(l.msg)));
    const entry = h.proxy.logs().find((e) => e.route === '/v1/messages' && e.status === 200);
    assert.equal(entry?.truncatedTurns, dropped);
    assert.match(await h.proxy.metrics.render(), /truncations_total \d+/);
  });

  test('OpenAI Chat, not streamed: truncated and answered, header set', async () => {
    const s = session(30);
    const messages = [{ role: 'system', content: s.system }, ...s.messages.flatMap((m: any) => toOpenAI(m))];
    const r = await post(`${h.url}/v1/chat/completions`, {
      model: 'claude-sonnet-4-5',
      messages,
      tools: [{ type: 'function', function: { name: 'Read', parameters: s.tools[0]!.input_schema } }],
    });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.ok(Number(r.headers.get('x-kiro-proxy-truncated')) > 0);
    assert.equal(r.json.object, 'chat.completion');
    assertToolPairsIntact(h.mock.chatRequests().at(-1)!.body);
  });

  test('a conversation that cannot fit: a clear 400 in Anthropic and OpenAI shapes', async () => {
    const huge = 'x'.repeat(LIMIT + 5_000);
    const a = await post(`${h.url}/v1/messages`, session(3, 1_000, huge));
    assert.equal(a.status, 400);
    assert.equal(a.json.type, 'error');
    assert.equal(a.json.error.type, 'invalid_request_error');
    assert.match(a.json.error.message, /too long for Kiro even after dropping its \d+ oldest turn\(s\).*\/compact/);
    const o = await post(`${h.url}/v1/chat/completions`, { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: huge }] });
    assert.equal(o.status, 400);
    assert.equal(o.json.error.type, 'invalid_request_error');
    assert.equal(o.json.error.code, 'CONTENT_LENGTH_EXCEEDS_THRESHOLD');
    assert.match(o.json.error.message, /too long for Kiro.*\/compact or \/clear/);
  });

  test('count_tokens equals the input_tokens message_start reports for the same request', async () => {
    for (const body of [session(2), { ...session(1), model: 'claude-sonnet-4-5-thinking' }, session(0, 0, 'hi 漢字')]) {
      const count = await post(`${h.url}/v1/messages/count_tokens`, { model: body.model, system: body.system, tools: body.tools, messages: body.messages });
      assert.equal(count.status, 200);
      const r = await post(`${h.url}/v1/messages`, { ...body, stream: true });
      assert.equal(r.status, 200, r.text.slice(0, 300));
      const start = sseData(r.text).find((e) => e.type === 'message_start');
      assert.equal(start.message.usage.input_tokens, count.json.input_tokens);
    }
  });

  test('credits from meteringEvent reach the client usage as kiro_credits', async () => {
    const r = await post(`${h.url}/v1/messages`, session(0, 0, 'hello'));
    assert.equal(r.status, 200);
    assert.equal(typeof r.json.usage.kiro_credits, 'number');
    const o = await post(`${h.url}/v1/chat/completions`, { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(typeof o.json.usage.kiro_credits, 'number');
    const resp = await post(`${h.url}/v1/responses`, { model: 'claude-sonnet-4-5', input: 'hello' });
    assert.equal(resp.status, 200, resp.text.slice(0, 300));
    assert.equal(typeof resp.json.usage.kiro_credits, 'number');
  });
});

describe('pre-send strategies', () => {
  test('auto truncate keeps the body under maxRequestBytes: one upstream call, no rejection', async () => {
    const h = await startHarness({ mock: { maxBodyBytes: LIMIT }, truncation: { autoTruncate: true, maxRequestBytes: LIMIT } });
    try {
      const r = await post(`${h.url}/v1/messages`, session(40));
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.ok(Number(r.headers.get('x-kiro-proxy-truncated')) > 0);
      const chats = h.mock.chatRequests();
      assert.equal(chats.length, 1);
      assertToolPairsIntact(chats[0]!.body);
      assert.ok(h.logs.some((l) => /truncation \(auto\)/.test(l.msg)));
    } finally {
      await h.close();
    }
  });

  test('summarise: dropped turns become a summary written through the pool by a cheap model, cached per conversation', async () => {
    const h = await startHarness({ mock: { maxBodyBytes: LIMIT }, truncation: { autoTruncate: true, summarise: true, maxRequestBytes: LIMIT } });
    try {
      const body = { ...session(40), metadata: { user_id: 'user_abc_account__session_11111111-2222-4333-8444-555555555555' } };
      const r = await post(`${h.url}/v1/messages`, body);
      assert.equal(r.status, 200, r.text.slice(0, 300));
      const chats = h.mock.chatRequests();
      const summary = chats.find((c) => (c.body as any).conversationState.currentMessage.userInputMessage.modelId === 'claude-haiku-4.5');
      assert.ok(summary, 'a summary request went to claude-haiku-4.5');
      const main = chats.at(-1)!.body as any;
      assert.match(JSON.stringify(main), /Summary of earlier conversation, written by the proxy/);
      assert.match(JSON.stringify(main), /Mock Kiro reply to: Summarise this earlier conversation/);
      assertToolPairsIntact(main);
      // The same conversation again: the summary comes from the cache.
      h.mock.reset();
      const again = await post(`${h.url}/v1/messages`, body);
      assert.equal(again.status, 200);
      assert.equal(h.mock.chatRequests().length, 1);
    } finally {
      await h.close();
    }
  });
});

function toOpenAI(m: any): unknown[] {
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }];
  if (m.role === 'assistant') {
    const text = m.content
      .filter((b: any) => b.type === 'text')
      .map((b: any) => b.text)
      .join('');
    const calls = m.content
      .filter((b: any) => b.type === 'tool_use')
      .map((b: any) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } }));
    return [{ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) }];
  }
  return m.content.map((b: any) => ({ role: 'tool', tool_call_id: b.tool_use_id, content: b.content }));
}
