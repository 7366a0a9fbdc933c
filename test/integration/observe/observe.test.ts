// Issue 7 observability against the real server: response headers, /health, /metrics (parsed as
// Prometheus text, with the named series and account-id labels), /loadbalancer/instances, the
// request log fields, refresh/cooldown counters and the JSONL file.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestProxy, startProxyWithMock, readSse, type TestProxy } from '../../helpers/proxy.ts';
import { parsePrometheus } from './prometheus.ts';

const ANTHROPIC = { model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'hello there' }] };
const OPENAI = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] };

function post(tp: TestProxy, path: string, body: unknown): Promise<Response> {
  return fetch(`${tp.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('observability of a mock-mode proxy', () => {
  let tp: TestProxy;
  before(async () => {
    tp = await startTestProxy();
  });
  after(() => tp.close());

  test('every /v1 response carries x-kiro-proxy-request-id; completions also x-kiro-proxy-overhead-ms', async () => {
    const plain = await post(tp, '/v1/messages', ANTHROPIC);
    assert.equal(plain.status, 200);
    await plain.json();
    const streamed = await post(tp, '/v1/chat/completions', { ...OPENAI, stream: true });
    assert.equal(streamed.status, 200);
    await readSse(streamed);
    for (const r of [plain, streamed]) {
      assert.match(r.headers.get('x-kiro-proxy-request-id') ?? '', /^req_[0-9a-f]{32}$/);
      const overhead = Number(r.headers.get('x-kiro-proxy-overhead-ms'));
      assert.ok(Number.isFinite(overhead) && overhead >= 0, `overhead ${r.headers.get('x-kiro-proxy-overhead-ms')}`);
    }
    // Errors and other /v1 routes too.
    const bad = await post(tp, '/v1/messages', { model: 'x' });
    assert.equal(bad.status, 400);
    const unknown = await fetch(`${tp.url}/v1/nope`);
    assert.equal(unknown.status, 404);
    const models = await fetch(`${tp.url}/v1/models`);
    const count = await post(tp, '/v1/messages/count_tokens', ANTHROPIC);
    for (const r of [bad, unknown, models, count]) assert.match(r.headers.get('x-kiro-proxy-request-id') ?? '', /^req_/, r.url);
    // The header names the log entry of that request.
    const id = plain.headers.get('x-kiro-proxy-request-id')!;
    const [entry] = await tp.waitForLogs((e) => e.id === id);
    assert.equal(entry!.status, 200);
  });

  test('/health reports mode, uptime and an accounts summary', async () => {
    const h = (await (await fetch(`${tp.url}/health`)).json()) as any;
    assert.equal(h.status, 'ok');
    assert.equal(h.mode, 'mock');
    assert.equal(typeof h.uptimeSeconds, 'number');
    assert.ok(h.uptimeSeconds >= 0);
    assert.equal(h.accounts.total, 1);
    assert.equal(h.accounts.active, 1);
    for (const s of ['cooldown', 'disabled', 'expired', 'error']) assert.equal(h.accounts[s], 0);
  });

  test('/loadbalancer/instances lists accounts with id and state, never a secret field', async () => {
    const list = (await (await fetch(`${tp.url}/loadbalancer/instances`)).json()) as any;
    assert.ok(Array.isArray(list) && list.length === 1);
    const a = list[0];
    assert.equal(typeof a.id, 'string');
    assert.ok(['active', 'cooldown', 'disabled', 'expired', 'error'].includes(a.state));
    assert.equal(typeof a.label, 'string');
    assert.ok(a.counters && typeof a.counters.requests === 'number');
    const keys = JSON.stringify(list);
    assert.doesNotMatch(keys, /accessToken|refreshToken|clientSecret|"aoa|"aor/);
  });

  test('the request log holds time, route, dialect, models, account, status, duration, ttft, tokens and rules; no bodies unless opted in', async () => {
    const r = await post(tp, '/v1/messages', {
      ...ANTHROPIC,
      stream: true,
      // An empty assistant turn forces a normaliser repair.
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'second' },
      ],
    });
    await readSse(r);
    const id = r.headers.get('x-kiro-proxy-request-id')!;
    const [e] = await tp.waitForLogs((x) => x.id === id);
    assert.ok(e);
    assert.equal(e.route, '/v1/messages');
    assert.equal(e.dialect, 'anthropic');
    assert.equal(e.modelRequested, 'claude-sonnet-4-5');
    assert.equal(typeof e.modelSent, 'string');
    assert.equal(e.accountId, tp.proxy.accounts.list()[0]!.id);
    assert.equal(e.status, 200);
    assert.equal(e.stream, true);
    assert.ok(e.time > 0 && e.durationMs >= 0);
    assert.ok(e.firstTokenMs !== undefined && e.firstTokenMs >= 0 && e.firstTokenMs <= e.durationMs + 1);
    assert.ok((e.inputTokens ?? 0) > 0 && (e.outputTokens ?? 0) > 0);
    assert.equal(typeof e.credits, 'number');
    assert.ok(Array.isArray(e.rules) && e.rules.length > 0, `rules: ${String(e.rules)}`);
    assert.equal(e.requestBody, undefined);
    assert.equal(e.responseBody, undefined);
    // An error entry carries the error class.
    const bad = await post(tp, '/v1/chat/completions', { model: 'x', messages: 'nope' });
    const [be] = await tp.waitForLogs((x) => x.id === bad.headers.get('x-kiro-proxy-request-id'));
    assert.equal(be!.status, 400);
    assert.equal(typeof be!.errorClass, 'string');
  });

  test('/metrics is Prometheus text with the named series, labelled by account id', async () => {
    const r = await fetch(`${tp.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(await r.text());
    const expected: Record<string, string> = {
      kiro_proxy_requests_total: 'counter',
      kiro_proxy_upstream_errors_total: 'counter',
      kiro_proxy_cooldowns_total: 'counter',
      kiro_proxy_token_refreshes_total: 'counter',
      kiro_proxy_account_state: 'gauge',
      kiro_proxy_quota_used: 'gauge',
      kiro_proxy_quota_limit: 'gauge',
      kiro_proxy_request_duration_seconds: 'histogram',
      kiro_proxy_time_to_first_token_seconds: 'histogram',
      kiro_proxy_inflight_streams: 'gauge',
      kiro_proxy_cache_hits_total: 'counter',
      kiro_proxy_cache_misses_total: 'counter',
    };
    for (const [name, type] of Object.entries(expected)) assert.equal(m.types.get(name), type, name);
    assert.ok(m.sum('kiro_proxy_requests_total', { route: '/v1/messages', status: '200' }) >= 2);
    assert.ok(m.sum('kiro_proxy_requests_total', { route: '/v1/chat/completions', status: '400' }) >= 1);
    assert.ok(m.sum('kiro_proxy_request_duration_seconds_count', { route: '/v1/messages' }) >= 2);
    assert.ok(m.sum('kiro_proxy_time_to_first_token_seconds_count', { route: '/v1/messages' }) >= 1);
    assert.equal(m.sum('kiro_proxy_inflight_streams'), 0, 'no stream is open now');
    const id = tp.proxy.accounts.list()[0]!.id;
    const states = m.find('kiro_proxy_account_state');
    assert.ok(states.length >= 5);
    for (const s of states) assert.equal(s.labels['account'], id, 'account label is the stable id');
    assert.equal(m.find('kiro_proxy_account_state', { account: id, state: 'active' })[0]!.value, 1);
    for (const s of m.samples) {
      for (const v of Object.values(s.labels)) assert.doesNotMatch(v, /@|^aoa|^aor|^eyJ/, `label ${v} of ${s.name}`);
    }
  });
});

describe('refresh, cooldown and upstream-error metrics; the JSONL file', () => {
  test('a refresh, a rate limit and an upstream error show in /metrics and the log file', { timeout: 20_000 }, async () => {
    const tp = await startProxyWithMock({
      accounts: [{ id: 'acct-a', accessTokenExpired: true, email: 'someone@example.com' }],
      config: { logFile: true },
    });
    try {
      const ok = await fetch(`${tp.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ANTHROPIC) });
      assert.equal(ok.status, 200);
      await ok.json();
      assert.ok(tp.mock.account('acct-a')!.refreshCount >= 1);
      tp.mock.enqueue(
        { kind: 'http_error', status: 500, message: 'boom' },
        { kind: 'http_error', status: 500, message: 'boom' },
        { kind: 'http_error', status: 500, message: 'boom' },
      );
      const failed = await fetch(`${tp.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ANTHROPIC) });
      assert.ok(failed.status >= 500, String(failed.status));
      await failed.text();
      tp.mock.enqueue({ kind: 'http_error', status: 429, reason: 'USER_REQUEST_RATE_EXCEEDED', retryAfter: 30 });
      const limited = await fetch(`${tp.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ANTHROPIC),
      });
      await limited.text();
      assert.equal(tp.proxy.accounts.list()[0]!.state, 'cooldown');

      const m = parsePrometheus(await (await fetch(`${tp.url}/metrics`)).text());
      const id = tp.proxy.accounts.list()[0]!.id;
      assert.ok(m.sum('kiro_proxy_token_refreshes_total', { outcome: 'success' }) >= 1, 'refresh counted');
      assert.equal(m.sum('kiro_proxy_cooldowns_total', { account: id }), 1, 'cooldown counted against the account id');
      assert.ok(m.sum('kiro_proxy_upstream_errors_total') >= 1, 'upstream error counted');
      assert.equal(m.find('kiro_proxy_account_state', { account: id, state: 'cooldown' })[0]!.value, 1);
      assert.ok(!(await (await fetch(`${tp.url}/metrics`)).text()).includes('someone@example.com'));

      await tp.proxy.stop();
      const lines = (await readFile(join(tp.home, 'logs', 'requests.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 3);
      assert.deepEqual(
        lines.map((l) => l.status >= 400),
        [false, true, true],
      );
      assert.equal(lines[0].route, '/v1/messages');
      assert.equal(typeof lines[1].errorClass, 'string');
    } finally {
      await tp.close();
    }
  });
});
