// Honest model names through the real server: a name the proxy cannot place gets 404
// model_not_found in the caller's dialect (listing the accepted names) unless a fallback model is
// set; a mapped name is answered by, and reported as, the model that served. Also the request
// headers seed 004's clients send and the ignored-tools header.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';

let h: TestProxy;
before(async () => {
  h = await startTestProxy();
});
after(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('model names', () => {
  test('definitely-not-a-model: 404 model_not_found in each dialect, listing the accepted names; nothing reaches Kiro', async () => {
    const chat = await post('/v1/chat/completions', { model: 'definitely-not-a-model', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(chat.status, 404);
    const ce = (await chat.json()) as { error: { code: string; param: string; message: string } };
    assert.equal(ce.error.code, 'model_not_found');
    assert.equal(ce.error.param, 'model');
    assert.match(ce.error.message, /'definitely-not-a-model'.*Accepted names: .*claude-sonnet-4\.5/);
    const resp = await post('/v1/responses', { model: 'definitely-not-a-model', input: 'hi' });
    assert.equal(resp.status, 404);
    assert.equal(((await resp.json()) as { error: { code: string } }).error.code, 'model_not_found');
    const msg = await post('/v1/messages', { model: 'definitely-not-a-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(msg.status, 404);
    const me = (await msg.json()) as { type: string; error: { type: string; message: string } };
    assert.deepEqual([me.type, me.error.type], ['error', 'not_found_error']);
    assert.match(me.error.message, /Accepted names/);
    const entries = h.logs().filter((e) => e.modelRequested === 'definitely-not-a-model');
    assert.equal(entries.length, 3);
    for (const e of entries) assert.deepEqual([e.status, e.errorClass, e.accountId], [404, 'model_not_found', undefined]);
  });

  test('mapped names are served and reported as the model that served; the log keeps both', async () => {
    const chat = (await (await post('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).json()) as { model: string };
    assert.equal(chat.model, 'claude-sonnet-4');
    const codex = (await (await post('/v1/responses', { model: 'gpt-5-codex', input: 'hi' })).json()) as { model: string; status: string };
    assert.deepEqual([codex.status, codex.model], ['completed', 'claude-sonnet-4.5']);
    const cc = (await (
      await post('/v1/messages', { model: 'claude-haiku-4-5-20251001', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    ).json()) as { model: string };
    assert.equal(cc.model, 'claude-haiku-4.5');
    const e = (await h.waitForLogs((x) => x.modelRequested === 'gpt-5-codex'))[0]!;
    assert.deepEqual([e.modelRequested, e.modelSent], ['gpt-5-codex', 'claude-sonnet-4.5']);
  });

  test('a fallback model serves unknown names (and the answer says which)', async () => {
    await h.proxy.applyConfig({ fallbackModel: 'claude-haiku-4-5' });
    try {
      const r = await post('/v1/chat/completions', { model: 'definitely-not-a-model', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { model: string }).model, 'claude-haiku-4.5');
    } finally {
      await h.proxy.applyConfig({ fallbackModel: undefined });
    }
  });

  test("seed 004's X-Model-Provider: kiro-api header is accepted", async () => {
    const r = await post(
      '/v1/chat/completions',
      { model: 'claude-3-sonnet-20240229', messages: [{ role: 'user', content: 'Hello, Claude!' }], max_tokens: 100 },
      { 'x-model-provider': 'kiro-api' },
    );
    assert.equal(r.status, 200);
    assert.match(((await r.json()) as { model: string }).model, /^claude-sonnet-/);
  });
});

describe('tools the proxy cannot run, end to end', () => {
  test("Cline's Anthropic request with web_search_20250305 is served; the header and the log name the dropped tool", async () => {
    const cline = () =>
      post('/v1/messages', {
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [
          { name: 'read_files', input_schema: { type: 'object', properties: {} } },
          { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        ],
      });
    const r = await cline();
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-kiro-proxy-ignored-tools'), 'web_search (web_search_20250305)');
    await r.text();
    const e = (await h.waitForLogs((x) => x.ignoredTools !== undefined && x.route === '/v1/messages'))[0]!;
    assert.deepEqual(e.ignoredTools, ['web_search (web_search_20250305)']);
    await (await cline()).text();
    // Named once at info level; every request still carries it in its log entry and header.
    const info = h.logger.lines.filter((l) => l.level === 'info' && l.msg.includes('dropped tools the proxy cannot run'));
    assert.equal(info.length, 1, h.logger.text());
    assert.match(info[0]!.msg, /web_search \(web_search_20250305\)/);
  });

  test('forcing a hosted tool is a clear 400 in the Responses dialect', async () => {
    const r = await post('/v1/responses', { model: 'claude-sonnet-4-5', input: 'hi', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } });
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unsupported_tool_choice');
    assert.match(body.error.message, /cannot run/);
  });
});
