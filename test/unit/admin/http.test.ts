// The admin API over real HTTP (port 0), as the headless /dashboard uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdminHttp, handleDashboardHttp } from '../../../src/core/admin/http.ts';
import { account, fakeProxy, logEntry } from './fake-proxy.ts';

async function serve(fake: ReturnType<typeof fakeProxy>, assetsDir = tmpdir()): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/api/')) void handleAdminHttp(req, res, path, fake.target);
    else
      void handleDashboardHttp(req, res, path, { dir: assetsDir }).then((ok) => {
        if (!ok) {
          res.writeHead(404);
          res.end();
        }
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, server };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

test('POST /api/<method> answers {result}; errors carry a code and a status', async () => {
  const fake = fakeProxy({ accounts: [account('a')] });
  const { base, server } = await serve(fake);
  try {
    const post = (m: string, body: unknown, type = 'application/json') =>
      fetch(`${base}/api/${m}`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
    const ok = await post('accounts.list', {});
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { result: { id: string }[] }).result[0]!.id, 'a');
    const missing = await post('accounts.remove', { id: 'zzz' });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    const unknown = await post('nope', {});
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    const form = await post('status', {}, 'text/plain');
    assert.equal(form.status, 415, 'a simple (non-preflighted) content type is refused');
    await form.body?.cancel();
    const get = await fetch(`${base}/api/status`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
    const bad = await fetch(`${base}/api/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  } finally {
    await close(server);
  }
});

test('GET /api/events streams the current state, then changes, without prompt bodies', async () => {
  const fake = fakeProxy({ accounts: [account('a')] });
  const { base, server } = await serve(fake);
  const ac = new AbortController();
  try {
    const res = await fetch(`${base}/api/events`, { signal: ac.signal });
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    await until(/event: accounts/);
    assert.match(text, /event: status/);
    fake.emit({ type: 'request', entry: logEntry({ id: 'pushed', requestBody: 'PRIVATE PROMPT' }) });
    await until(/"pushed"/);
    assert.ok(!text.includes('PRIVATE PROMPT'));
    ac.abort();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fake.listenerCount(), 0, 'the subscription ends with the client');
  } finally {
    ac.abort();
    await close(server);
  }
});

test('/dashboard is a strict-CSP page whose only script carries the fresh nonce', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-'));
  writeFileSync(join(dir, 'webview.js'), 'console.log(1)');
  writeFileSync(join(dir, 'dashboard.css'), 'body{}');
  const { base, server } = await serve(fakeProxy(), dir);
  try {
    const page = async () => {
      const res = await fetch(`${base}/dashboard`);
      return res.text();
    };
    const html = await page();
    const nonce = /'nonce-([^']+)'/.exec(html)?.[1];
    assert.ok(nonce && nonce.length >= 16);
    assert.match(html, /default-src 'none'/);
    assert.ok(html.includes(`<script nonce="${nonce}" src="/dashboard/webview.js">`));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(!/style=/.test(html));
    assert.notEqual(/'nonce-([^']+)'/.exec(await page())?.[1], nonce, 'a new nonce per page');
    const js = await fetch(`${base}/dashboard/webview.js`);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    await js.body?.cancel();
    const other = await fetch(`${base}/dashboard/../package.json`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
  } finally {
    await close(server);
  }
});
