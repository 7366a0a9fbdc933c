// Issue 13 item 7: a streamed answer whose first token takes long (Kiro thinking, up to the
// first-token timeout) must not lose clients that have an idle timeout. The proxy opens the
// response and sends the dialect's own keepalive after each quiet interval; failover stays
// possible until the first content event, and a failure after the headers arrives as the
// dialect's in-stream error. Clients here are the official SDKs over undici with both a headers
// and a body (idle) timeout, as a client with an idle timeout behaves.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Agent, fetch as undiciFetch } from 'undici';
import { streamText } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createAnthropic } from '@ai-sdk/anthropic';
import { startProxyWithMock, startTestProxy, readSse, type TestProxy } from '../../helpers/proxy.ts';
import { rawExchange } from '../security/http.ts';

const MODEL = 'claude-sonnet-4-5';

/** SDK options for a client that gives up after `idleMs` without a byte (headers or body). */
function idleClient(idleMs: number) {
  const dispatcher = new Agent({ headersTimeout: idleMs, bodyTimeout: idleMs });
  // The SDK's own timeout covers the wait for the response headers.
  // undici's own fetch, so its Agent is the dispatcher.
  const options = { maxRetries: 0, timeout: idleMs, fetch: undiciFetch as unknown as typeof fetch, fetchOptions: { dispatcher } };
  return { options, dispatcher };
}

/** The three streaming clients, each returning the streamed text. */
function streamingClients(tp: TestProxy, idleMs: number) {
  const { options, dispatcher } = idleClient(idleMs);
  const openai = new OpenAI({ baseURL: `${tp.url}/v1`, apiKey: 'unused', ...options });
  const anthropic = new Anthropic({ baseURL: tp.url, apiKey: 'unused', ...options });
  return {
    close: () => dispatcher.close(),
    chat: async (prompt: string) => {
      let text = '';
      for await (const c of await openai.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: prompt }] })) {
        text += c.choices[0]?.delta?.content ?? '';
      }
      return text;
    },
    responses: async (prompt: string) => {
      let text = '';
      for await (const e of await openai.responses.create({ model: MODEL, stream: true, input: prompt })) {
        if (e.type === 'response.output_text.delta') text += e.delta;
      }
      return text;
    },
    messages: async (prompt: string) => {
      const m = await anthropic.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: prompt }] }).finalMessage();
      return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    },
  };
}

// Each test has its own proxy; run them side by side so the 30 s one sets the file's wall time.
describe('keepalive while the model thinks (issue 13 item 7)', { concurrency: true }, () => {
  test('mock first token after 30 s: SDK clients with a 15 s idle timeout get their answer (default interval)', async () => {
    const tp = await startTestProxy();
    const c = streamingClients(tp, 15_000);
    try {
      const prompt = '[[mock:first-byte-delay 30000]] [[mock:text the answer after a long think]]';
      const [chat, responses, messages] = await Promise.all([c.chat(prompt), c.responses(prompt), c.messages(prompt)]);
      assert.equal(chat, 'the answer after a long think');
      assert.equal(responses, 'the answer after a long think');
      assert.equal(messages, 'the answer after a long think');
    } finally {
      await c.close();
      await tp.close();
    }
  });

  test('the same idle-timeout clients fail without keepalive and succeed with it, also across a pause mid-stream', async () => {
    // Margins for a loaded CI machine (the clients, the proxy and the mock share one process here):
    // pings every 0.5 s against a 5 s idle timeout; 6 s pauses.
    const prompt = '[[mock:first-byte-delay 6000]] [[mock:text first half,]] [[mock:delay 6000]] [[mock:text second half]]';
    const off = await startTestProxy({ keepAliveMs: 0 });
    const cOff = streamingClients(off, 5000);
    try {
      // The control: proves the clients really give up on 5 s of silence.
      await Promise.all(
        [cOff.chat, cOff.responses, cOff.messages].map((run) =>
          assert.rejects(run(prompt), (err: any) => err instanceof OpenAI.APIConnectionTimeoutError || err instanceof Anthropic.APIConnectionTimeoutError),
        ),
      );
    } finally {
      await cOff.close();
      await off.close();
    }
    const on = await startTestProxy({ keepAliveMs: 500 });
    const cOn = streamingClients(on, 5000);
    try {
      const got = await Promise.all([cOn.chat(prompt), cOn.responses(prompt), cOn.messages(prompt)]);
      assert.deepEqual(got, ['first half,second half', 'first half,second half', 'first half,second half']);
    } finally {
      await cOn.close();
      await on.close();
    }
  });

  test("the wire: keepalives first, then the dialect's normal opening (Anthropic message_start before any content)", async () => {
    const tp = await startTestProxy({ keepAliveMs: 200 });
    try {
      const post = (path: string, body: unknown) =>
        fetch(tp.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const prompt = '[[mock:first-byte-delay 700]] [[mock:text hi]]';

      const a = await post('/v1/messages', { model: MODEL, max_tokens: 32, stream: true, messages: [{ role: 'user', content: prompt }] });
      assert.equal(a.status, 200);
      assert.match(a.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.ok(a.headers.get('x-kiro-proxy-request-id'));
      const events = (await readSse(a)).map((e) => e.event);
      const start = events.indexOf('message_start');
      assert.ok(start >= 2, `pings before message_start: ${events.join(',')}`);
      assert.ok(events.slice(0, start).every((e) => e === 'ping'));
      assert.ok(events.indexOf('content_block_start') > start);
      assert.equal(events.at(-1), 'message_stop');

      const o = await post('/v1/chat/completions', { model: MODEL, stream: true, messages: [{ role: 'user', content: prompt }] });
      const raw = await o.text();
      assert.match(raw, /^(: keep-alive\n\n){2,}data: \{/, raw.slice(0, 200));
      assert.match(raw, /data: \[DONE\]\n\n$/);

      const r = await post('/v1/responses', { model: MODEL, stream: true, input: prompt });
      const rawR = await r.text();
      assert.match(rawR, /^(: keep-alive\n\n){2,}event: response\.created\n/, rawR.slice(0, 200));
      assert.match(rawR, /event: response\.completed\n/);
    } finally {
      await tp.close();
    }
  });

  test('the Vercel ai providers (their own stream schemas) read a stream opened by keepalives', async () => {
    const tp = await startTestProxy({ keepAliveMs: 200 });
    try {
      const models = [
        createOpenAICompatible({ name: 'kiro', baseURL: `${tp.url}/v1`, apiKey: 'any', includeUsage: true })(MODEL),
        createAnthropic({ baseURL: `${tp.url}/v1`, apiKey: 'any' })(MODEL),
      ];
      for (const model of models) {
        const r = streamText({ model, prompt: '[[mock:first-byte-delay 700]] [[mock:text after the pings]]', maxRetries: 0 });
        assert.equal(await r.text, 'after the pings');
        assert.equal(await r.finishReason, 'stop');
      }
    } finally {
      await tp.close();
    }
  });

  test('failover stays possible after the headers went out: the second account answers', async () => {
    const h = await startProxyWithMock({ accounts: [{ id: 'first' }, { id: 'second' }], config: { keepAliveMs: 200 } });
    try {
      // Whichever account is tried first throttles after a long wait (headers and pings are out by then).
      h.mock.enqueue(
        { kind: 'http_error', status: 429, reason: 'USER_REQUEST_RATE_EXCEEDED', errorType: 'ThrottlingException', delayMs: 800 },
        { kind: 'text', text: 'served by the other account' },
      );
      const c = streamingClients(h, 5000);
      try {
        assert.equal(await c.messages('hello'), 'served by the other account');
      } finally {
        await c.close();
      }
      const [entry] = await h.waitForLogs((e) => e.route === '/v1/messages');
      assert.equal(entry!.status, 200);
      const chats = h.chats();
      assert.equal(chats.length, 2);
      assert.notEqual(chats[0]!.accountId, chats[1]!.accountId, 'the second attempt went to the other account');
    } finally {
      await h.close();
    }
  });

  test("a failure after the headers arrives as the dialect's in-stream error, which each SDK throws", async () => {
    const h = await startProxyWithMock({ config: { keepAliveMs: 200 } });
    try {
      const c = streamingClients(h, 5000);
      const refuse = () =>
        h.mock.enqueue({ kind: 'http_error', status: 400, message: 'Improperly formed request.', errorType: 'ValidationException', delayMs: 700 });
      try {
        refuse();
        await assert.rejects(c.chat('hello'), (err: any) => err instanceof OpenAI.APIError && /Improperly formed request/.test(err.message));
        refuse();
        await assert.rejects(c.responses('hello'), (err: any) => err instanceof OpenAI.APIError && /Improperly formed request/.test(err.message));
        refuse();
        await assert.rejects(c.messages('hello'), (err: any) => err instanceof Anthropic.APIError && /Improperly formed request/.test(err.message));
      } finally {
        await c.close();
      }
      const entries = await h.waitForLogs((e) => e.stream === true, 3);
      for (const e of entries) assert.equal(e.status, 400, 'the log keeps the real outcome, not the 200 of the opened stream');
    } finally {
      await h.close();
    }
  });

  test('the first-token timeout still applies while keepalives flow', async () => {
    const h = await startProxyWithMock({ config: { keepAliveMs: 200, firstTokenTimeoutMs: 1000 } });
    try {
      const c = streamingClients(h, 5000);
      try {
        await assert.rejects(c.messages('[[mock:first-byte-delay 4000]] hello'), (err: any) => {
          // The pool's first-token timeout (not the mock finishing): a timeout error in the stream.
          assert.ok(err instanceof Anthropic.APIError, String(err));
          assert.equal(err.error?.error?.type, 'timeout_error');
          return true;
        });
        const [entry] = await h.waitForLogs((e) => e.route === '/v1/messages');
        assert.equal(entry!.status, 504);
        assert.match(h.logger.text(), /timeout \(504\) → switch/, 'the attempt was cut by the first-token timeout');
      } finally {
        await c.close();
      }
    } finally {
      await h.close();
    }
  });

  test('non-streamed: undici clients get 102 Processing while they wait (their headers timeout restarts), others nothing; the answer is one plain JSON body', async () => {
    const prompt = '[[mock:first-byte-delay 6000]] [[mock:text plain]]';
    const off = await startTestProxy({ keepAliveMs: 0 });
    const on = await startTestProxy({ keepAliveMs: 500 });
    const cOff = idleClient(5000);
    const cOn = idleClient(5000);
    try {
      // As on a real machine: the SDK's own (total) timeout is long, undici's headers timeout is shorter (300 s there).
      const ask = (tp: TestProxy, options: ReturnType<typeof idleClient>['options']) =>
        new OpenAI({ baseURL: `${tp.url}/v1`, apiKey: 'unused', ...options, timeout: 30_000 }).chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: prompt }],
        });
      // The control: a 5 s headers timeout really fires on a 6 s wait.
      await assert.rejects(ask(off, cOff.options), (err: any) => err instanceof OpenAI.APIConnectionError && /waiting for response headers/.test(err.message));
      const answer = await ask(on, cOn.options);
      assert.equal(answer.choices[0]!.message.content, 'plain');

      // A client that is not known to skip 1xx (Python's http.client takes 102 for the answer) gets none.
      const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: '[[mock:first-byte-delay 1000]] [[mock:text plain]]' }] });
      const raw = await rawExchange(
        on.port,
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${on.port}\r\nUser-Agent: python-requests/2.32.3\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      assert.match(raw, /^HTTP\/1\.1 200 /, raw.slice(0, 100));
      assert.doesNotMatch(raw, /102 Processing/);
      assert.match(raw, /"content":"plain"/);
    } finally {
      await Promise.all([cOff.dispatcher.close(), cOn.dispatcher.close(), off.close(), on.close()]);
    }
  });
});
