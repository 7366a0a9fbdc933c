// A client that gives up on a streaming answer: Logs show 499 on the account that was answering,
// the account's counters say "aborted", not "error", and every other view agrees (status, Monitor
// series, /loadbalancer/instances, /metrics). A real upstream failure still counts as an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.ts';
import { monitorSeries } from '../../../src/core/admin/monitor-series.ts';

async function abortedStream(tp: TestProxy, route: '/v1/chat/completions' | '/v1/messages'): Promise<void> {
  const ac = new AbortController();
  const body =
    route === '/v1/messages'
      ? {
          model: 'claude-sonnet-4.5',
          max_tokens: 1000,
          stream: true,
          messages: [{ role: 'user', content: '[[mock:chunk-delay 40]] [[mock:text-events 200]]' }],
        }
      : { model: 'claude-sonnet-4.5', stream: true, messages: [{ role: 'user', content: '[[mock:chunk-delay 40]] [[mock:text-events 200]]' }] };
  const res = await fetch(`${tp.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  await reader.read();
  await reader.read();
  ac.abort();
  await reader.cancel().catch(() => undefined);
}

test('an aborted stream is a 499 in Logs and an "aborted" on the account, never an account error', async () => {
  const tp = await startTestProxy();
  try {
    await abortedStream(tp, '/v1/chat/completions');
    await abortedStream(tp, '/v1/messages');
    const ok = await fetch(`${tp.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(ok.status, 200);
    await ok.json();
    const logs = await tp.waitForLogs(() => true, 3);
    const aborted = logs.filter((e) => e.status === 499);
    assert.equal(aborted.length, 2, JSON.stringify(logs.map((e) => e.status)));
    for (const e of aborted) {
      assert.equal(e.errorClass, 'client_closed_request');
      assert.ok(e.accountId, 'the answering account is kept on the aborted request');
    }

    const [account] = tp.proxy.accounts.list();
    assert.ok(account);
    assert.equal(account.counters.requests, 3);
    assert.equal(account.counters.errors, 0);
    assert.equal(account.counters.aborted, 2);
    assert.equal(account.lastError, undefined, 'no "Last error: client disconnected"');
    assert.equal(account.state, 'active');

    const st = tp.proxy.status();
    assert.deepEqual({ requests: st.requests, errors: st.errors, aborted: st.aborted }, { requests: 3, errors: 0, aborted: 2 });
    const series = monitorSeries(tp.proxy.logs(), Date.now());
    assert.deepEqual(
      { requests: series.totals.requests, errors: series.totals.errors, aborted: series.totals.aborted },
      { requests: 3, errors: 0, aborted: 2 },
    );

    const instances = (await (await fetch(`${tp.url}/loadbalancer/instances`)).json()) as { counters: { requests: number; errors: number; aborted: number } }[];
    assert.deepEqual(
      instances.map((i) => [i.counters.requests, i.counters.errors, i.counters.aborted]),
      [[3, 0, 2]],
    );

    const metrics = await (await fetch(`${tp.url}/metrics`)).text();
    assert.match(metrics, /kiro_proxy_requests_total\{route="\/v1\/chat\/completions",model="claude-sonnet-4.5",status="499"\} 1/);
    assert.doesNotMatch(metrics, /upstream_errors_total\{reason="client_closed_request"\}/);

    const health = (await (await fetch(`${tp.url}/health`)).json()) as { requests: number; errors: number; aborted: number; instance: string };
    assert.deepEqual([health.requests, health.errors, health.aborted], [3, 0, 2]);
    assert.match(health.instance, /^[0-9a-f-]{36}$/);
  } finally {
    await tp.close();
  }
});

test('a failure mid-stream is still an error of the account (and not an abort)', async () => {
  const tp = await startTestProxy();
  try {
    const res = await fetch(`${tp.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4.5',
        stream: true,
        messages: [{ role: 'user', content: '[[mock:text partial answer]] [[mock:exception ThrottlingException]]' }],
      }),
    });
    await res.text();
    const [entry] = await tp.waitForLogs(() => true, 1);
    assert.ok(entry!.status >= 400 && entry!.status !== 499, `status ${entry!.status}`);
    const [account] = tp.proxy.accounts.list();
    assert.equal(account!.counters.aborted, 0);
    assert.equal(account!.counters.errors, 1);
    assert.equal(tp.proxy.status().aborted, 0);
  } finally {
    await tp.close();
  }
});
