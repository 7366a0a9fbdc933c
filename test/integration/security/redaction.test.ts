// "No token, refresh token, client secret or API key in logs, metrics, errors, exports or the
// webview": a full session against the strict mock with secrets we know (an IdC account whose
// access token is expired, so it refreshes and rotates; an API key; logBodies and the JSONL file
// on), including upstream errors that echo the secrets back. Then every surface is scanned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import { startProxyWithMock, readSse } from '../../helpers/proxy.ts';
import { http, postJson, ANTHROPIC_BODY, OPENAI_BODY } from './http.ts';

const API_KEY = 'kp-test-' + 'c0ffee'.repeat(6);

/** Fragments that must not appear: the whole value and a slice from its random middle. */
function needles(secret: string): string[] {
  const mid = Math.floor(secret.length / 2);
  return [secret, secret.slice(mid - 10, mid + 10)];
}

/** The first `ms` of an SSE response (the dashboard's live feed). */
function sniffSse(port: number, path: string, headers: Record<string, string>, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      setTimeout(() => {
        req.destroy();
        resolve(text);
      }, ms);
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    req.end();
  });
}

test('a full session leaks no planted secret into logs, metrics, errors, exports or the admin API', { timeout: 30_000 }, async () => {
  const tp = await startProxyWithMock({
    accounts: [
      {
        id: 'idc-1',
        authMethod: 'idc',
        provider: 'BuilderId',
        accessTokenExpired: true,
        rotateRefreshToken: true,
        profileArn: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK',
      },
    ],
    config: { apiKey: API_KEY, logBodies: true, logFile: true },
  });
  const secrets = new Set<string>([API_KEY]);
  const plant = () => {
    const m = tp.mock.account('idc-1')!;
    for (const v of [m.accessToken, m.refreshToken, m.clientSecret]) if (v) secrets.add(v);
  };
  plant();
  const captured: { where: string; text: string }[] = [];
  const keep = (where: string, text: string) => captured.push({ where, text });
  const auth = { authorization: `Bearer ${API_KEY}` };
  const port = tp.port;
  try {
    // 1. Streamed and plain completions in every dialect (the first one refreshes the expired token).
    const streamed = await fetch(`${tp.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ ...ANTHROPIC_BODY, stream: true, messages: [{ role: 'user', content: `my key is ${API_KEY}, keep it secret` }] }),
    });
    assert.equal(streamed.status, 200);
    keep('sse', JSON.stringify(await readSse(streamed)));
    plant();
    assert.ok(tp.mock.account('idc-1')!.refreshCount >= 1, 'the expired access token was refreshed');
    for (const [path, body] of [
      ['/v1/chat/completions', OPENAI_BODY],
      ['/v1/responses', { model: 'claude-sonnet-4-5', input: 'hi' }],
    ] as const) {
      const r = await postJson(port, path, body, auth);
      assert.equal(r.status, 200, r.text);
      keep(path, r.text);
    }

    // 2. Upstream errors that echo every secret back (a hostile or buggy upstream).
    const echo = () => [...secrets].join(' | ');
    tp.mock.enqueue({ kind: 'http_error', status: 400, message: `bad request for ${echo()}`, reason: 'REQUEST_BODY_INVALID' });
    const e1 = await postJson(port, '/v1/messages', ANTHROPIC_BODY, auth);
    assert.ok(e1.status >= 400, e1.text);
    keep('upstream 400 error body', e1.text);
    tp.mock.enqueue({ kind: 'error_frame', code: 'InternalError', message: `mid-stream failure ${echo()}`, text: 'partial ' });
    const e2 = await postJson(port, '/v1/chat/completions', { ...OPENAI_BODY, stream: true }, auth);
    keep('mid-stream error', e2.text);
    tp.mock.enqueue({ kind: 'exception', exceptionType: 'ThrottlingException', message: `throttled ${echo()}` });
    const e3 = await postJson(port, '/v1/messages', { ...ANTHROPIC_BODY, stream: true }, auth);
    keep('stream exception', e3.text);
    // Auth failures on our side.
    const e4 = await postJson(port, '/v1/messages', ANTHROPIC_BODY, { authorization: `Bearer ${API_KEY}x` });
    assert.equal(e4.status, 401);
    keep('401', e4.text);

    // 3. A forced refresh from the admin API (rotates the refresh token again).
    const acctId = tp.proxy.accounts.list()[0]!.id;
    const refreshed = await postJson(port, '/api/accounts.refresh', { id: acctId }, auth);
    assert.equal(refreshed.status, 200, refreshed.text);
    keep('/api/accounts.refresh', refreshed.text);
    plant();
    assert.ok(tp.mock.account('idc-1')!.refreshCount >= 2);

    // 4. Importing an account through the admin API (its tokens are secrets too).
    const imported = tp.mock.addAccount({ id: 'social-2', authMethod: 'social', provider: 'Github' });
    secrets.add(imported.accessToken).add(imported.refreshToken);
    const imp = await postJson(
      port,
      '/api/accounts.import',
      {
        json: JSON.stringify({
          accessToken: imported.accessToken,
          refreshToken: imported.refreshToken,
          expiresAt: new Date(imported.accessTokenExpiresAt).toISOString(),
          authMethod: 'social',
          provider: 'Github',
          profileArn: imported.profileArn,
        }),
      },
      auth,
    );
    assert.equal(imp.status, 200, imp.text);
    keep('/api/accounts.import', imp.text);
    const bad = await postJson(port, '/api/accounts.import', { json: `{"refreshToken": "${imported.refreshToken}", "clientSecret": 42` }, auth);
    keep('/api/accounts.import (invalid)', bad.text);
    const ok2 = await postJson(port, '/v1/messages', ANTHROPIC_BODY, auth);
    keep('after import', ok2.text);

    // 5. Every read surface.
    for (const m of ['status', 'accounts.list', 'logs.list', 'config.get', 'monitor.series', 'accounts.scanSso']) {
      const r = await postJson(port, `/api/${m}`, {}, auth);
      assert.equal(r.status, 200, `${m}: ${r.text}`);
      keep(`/api/${m}`, r.text);
    }
    for (const path of ['/metrics', '/loadbalancer/instances', '/health', '/v1/models']) {
      const r = await http(port, { path, headers: { host: `127.0.0.1:${port}`, ...auth } });
      assert.equal(r.status, 200, path);
      keep(path, r.text);
    }
    keep('/api/events', await sniffSse(port, '/api/events', { host: `127.0.0.1:${port}`, ...auth }, 300));
    keep('exportJson(false)', await tp.proxy.accounts.exportJson(false));
    keep('proxy.logs()', JSON.stringify(tp.proxy.logs()));
    keep('proxy.status()', JSON.stringify(tp.proxy.status()));
    keep('proxy.accounts.list()', JSON.stringify(tp.proxy.accounts.list()));
    keep('metrics registry', await tp.proxy.metrics.render());

    // Sanity: the bodies really were logged (opt-in), so the scan below is meaningful.
    const withBody = tp.proxy.logs().find((e) => e.requestBody?.includes('keep it secret'));
    assert.ok(withBody, 'logBodies captured the prompt');
    assert.match(withBody.requestBody!, /\[REDACTED\]/);
    assert.ok(
      tp.proxy.logs().some((e) => e.responseBody && e.responseBody.length > 0),
      'logBodies captured an answer',
    );
    // The export does include the secrets when asked (the opt-in path works).
    assert.ok((await tp.proxy.accounts.exportJson(true)).includes(imported.refreshToken));
  } finally {
    await tp.close();
  }
  // The JSONL file is checked in the next test (it is flushed on stop, and close removes the home).
  keep('logger', tp.logger.lines.map((l) => `${l.level} ${l.msg}`).join('\n'));

  assert.ok(secrets.size >= 6, `planted ${secrets.size} secrets`);
  const leaks: string[] = [];
  for (const { where, text } of captured) {
    for (const s of secrets) {
      for (const n of needles(s)) if (text.includes(n)) leaks.push(`${where} contains ${n.slice(0, 6)}…`);
    }
  }
  assert.deepEqual(leaks, []);
  assert.ok(captured.find((c) => c.where === 'logger')!.text.length > 0);
});

test('the JSONL request log file holds no secret (bodies logged, errors echoing tokens)', { timeout: 20_000 }, async () => {
  const tp = await startProxyWithMock({
    accounts: [{ id: 'soc-1', authMethod: 'social', provider: 'Google' }],
    config: { apiKey: API_KEY, logBodies: true, logFile: true },
  });
  const m = tp.mock.account('soc-1')!;
  const secrets = [API_KEY, m.accessToken, m.refreshToken];
  const auth = { authorization: `Bearer ${API_KEY}` };
  let files: string[];
  const dir = join(tp.home, 'logs');
  try {
    await postJson(tp.port, '/v1/messages', { ...ANTHROPIC_BODY, messages: [{ role: 'user', content: `token ${m.accessToken} and ${API_KEY}` }] }, auth);
    tp.mock.enqueue({ kind: 'http_error', status: 400, message: `nope ${secrets.join(' ')}` });
    await postJson(tp.port, '/v1/messages', ANTHROPIC_BODY, auth);
    await tp.proxy.stop(); // flushes the sink
    files = await readdir(dir);
    assert.ok(
      files.some((f) => f.endsWith('.jsonl')),
      `log files: ${files.join(', ')}`,
    );
    const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.ok(lines.length >= 2);
    assert.ok(lines.some((l) => typeof l.requestBody === 'string' && l.requestBody.includes('[REDACTED]')));
    for (const s of secrets) for (const n of needles(s)) assert.ok(!text.includes(n), `JSONL log contains a secret (${n.slice(0, 6)}…)`);
  } finally {
    await tp.close();
  }
});
