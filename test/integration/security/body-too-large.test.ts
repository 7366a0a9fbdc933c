// Issue 13 item 6: a 50 MB body (over the default 32 MiB limit) gets a 413 that the client can
// read, in the route's dialect, with Connection: close — not a connection reset (EPIPE) because the
// proxy closed while the client was still sending. Every client here writes the whole body first.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as undiciRequest } from 'undici';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';

const FIFTY_MB = 50 * 1024 * 1024;
const ROUTES = ['/v1/chat/completions', '/v1/responses', '/v1/messages'] as const;

function bigBody(route: (typeof ROUTES)[number]): Buffer {
  const head =
    route === '/v1/responses'
      ? '{"model":"claude-sonnet-4-5","input":"'
      : '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"';
  const tail = route === '/v1/responses' ? '"}' : '"}]}';
  return Buffer.concat([Buffer.from(head), Buffer.alloc(FIFTY_MB, 0x61), Buffer.from(tail)]);
}

/** The error body each route's clients parse (design §4). */
function assertDialectError(route: string, json: any): void {
  if (route === '/v1/messages') {
    assert.equal(json.type, 'error');
    assert.equal(json.error.type, 'request_too_large');
  } else {
    assert.equal(json.error.code, 'body_too_large');
    assert.equal(json.error.type, 'invalid_request_error');
  }
  assert.match(json.error.message, /exceeds the 32 MiB limit/);
}

/** node:http, the way most hand-written clients use it: write everything, then read; any 'error' is recorded. */
function nodeHttpPost(url: string, body: Buffer): Promise<{ status: number; headers: Record<string, unknown>; text: string; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const errors: string[] = [];
    let result: { status: number; headers: Record<string, unknown>; text: string } | undefined;
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (result = { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
    // After the socket is gone every late EPIPE/ECONNRESET has been reported.
    req.on('close', () => (result ? resolve({ ...result, errors }) : reject(new Error(`no response; errors: ${errors.join(', ')}`))));
    req.end(body);
  });
}

describe('a 50 MB body gets a readable 413 (issue 13 item 6)', () => {
  let tp: TestProxy;
  before(async () => {
    tp = await startTestProxy();
  });
  after(() => tp.close());

  for (const route of ROUTES) {
    test(`${route}: undici and node:http both read the 413 in the dialect's shape`, async () => {
      const body = bigBody(route);

      const u = await undiciRequest(tp.url + route, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      assert.equal(u.statusCode, 413);
      assert.equal(u.headers['connection'], 'close');
      assertDialectError(route, await u.body.json());

      const n = await nodeHttpPost(tp.url + route, body);
      assert.equal(n.status, 413);
      assert.equal(n.headers['connection'], 'close');
      assert.deepEqual(n.errors, [], 'the client saw no EPIPE/ECONNRESET');
      assertDialectError(route, JSON.parse(n.text));
    });
  }

  test('the official SDKs (fetch) surface the 413 as their own error with the dialect body', async () => {
    // The SDKs serialise the body themselves (seconds for 50 MB on a loaded machine): a proxy with a
    // 1 MiB limit and a 4 MB prompt shows the same thing.
    const small = await startTestProxy({ maxBodyBytes: 1024 * 1024 });
    try {
      const huge = 'a'.repeat(4 * 1024 * 1024);
      const openai = new OpenAI({ baseURL: `${small.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const anthropic = new Anthropic({ baseURL: small.url, apiKey: 'unused', maxRetries: 0 });
      const isOpenAI413 = (err: any) =>
        err instanceof OpenAI.APIError && err.status === 413 && (err as InstanceType<typeof OpenAI.APIError>).code === 'body_too_large';
      await assert.rejects(openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: huge }] }), isOpenAI413);
      await assert.rejects(openai.responses.create({ model: 'claude-sonnet-4-5', input: huge }), isOpenAI413);
      await assert.rejects(
        anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: huge }] }),
        (err: any) => err instanceof Anthropic.APIError && err.status === 413 && err.error?.error?.type === 'request_too_large',
      );
    } finally {
      await small.close();
    }
  });

  test('the proxy keeps serving and logs the 413s', async () => {
    const ok = await fetch(`${tp.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(ok.status, 200);
    const tooLarge = tp.logs().filter((e) => e.status === 413);
    assert.ok(tooLarge.length >= 6, `413s in the request log: ${tooLarge.length}`);
    assert.ok(tooLarge.every((e) => e.errorClass === 'body_too_large'));
  });
});
