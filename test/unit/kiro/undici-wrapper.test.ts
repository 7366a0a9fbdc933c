// src/core/kiro/undici.ts imports undici file by file (to keep its index, and the fetch/WebSocket
// machinery behind it, out of the proxy). Its `request` must behave as undici's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { request as undiciRequest, Agent as UndiciAgent } from 'undici';
import { Agent, request } from '../../../src/core/kiro/undici.ts';

async function echoServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-seen': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), auth: req.headers['authorization'] ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

test('the file-by-file request sends and answers exactly as undici.request', async () => {
  const { server, url } = await echoServer();
  const mine = new Agent({ connections: 2 });
  const theirs = new UndiciAgent({ connections: 2 });
  try {
    const cases = [
      { path: '/generateAssistantResponse', options: { method: 'POST' as const, headers: { authorization: 'Bearer x' }, body: '{"a":1}' } },
      { path: '/ListAvailableModels?origin=AI_EDITOR&maxResults=50', options: { method: 'GET' as const } },
      // No method: undici sends PUT when there is a body, GET otherwise.
      { path: '/no-method-with-body', options: { body: 'x' } },
      { path: '/no-method', options: {} },
    ];
    for (const c of cases) {
      const a = await request(`${url}${c.path}`, { ...c.options, dispatcher: mine });
      const b = await undiciRequest(`${url}${c.path}`, { ...c.options, dispatcher: theirs });
      assert.equal(a.statusCode, b.statusCode);
      assert.equal(a.headers['x-seen'], 'yes');
      assert.deepEqual(await a.body.json(), await b.body.json(), c.path);
    }
  } finally {
    await mine.close();
    await theirs.close();
    server.close();
  }
});

/** The error a call throws or rejects with (undici throws synchronously for a bad URL). */
async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

test('a URL undici refuses is refused the same way', async () => {
  const mine = await failure(() => request('ftp://127.0.0.1/x', { method: 'GET' }));
  const theirs = await failure(() => undiciRequest('ftp://127.0.0.1/x', { method: 'GET' }));
  assert.ok(mine instanceof Error && theirs instanceof Error);
  assert.equal(mine.name, theirs.name);
  assert.equal((mine as { code?: string }).code, (theirs as { code?: string }).code);
});
