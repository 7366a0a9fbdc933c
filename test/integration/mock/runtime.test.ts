import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startMockKiro, type MockKiro } from '../../../src/core/kiro-mock/server.ts';
import { createMockModeAccount } from '../../../src/core/kiro-mock/mock-mode.ts';
import { simpleRequest } from '../../unit/mock/example-request.ts';
import { textOf } from '../../unit/mock/decode.ts';
import { chat, getJson, postJson } from './client.ts';

describe('mock Kiro runtime side routes', () => {
  let mock: MockKiro;
  before(async () => {
    mock = await startMockKiro({ usageLimit: 3 });
  });
  after(() => mock.close());

  test('usage counters: each served chat counts, getUsageLimits reports it, the limit gives 402', async () => {
    const a = mock.addAccount();
    const usage = async () => (await getJson(`${mock.url}/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST`, a.accessToken)).json;
    const u0 = await usage();
    assert.equal(u0.usageBreakdownList[0].currentUsage, 0);
    assert.equal(u0.usageBreakdownList[0].usageLimitWithPrecision, 3);
    assert.equal(u0.subscriptionInfo.subscriptionTitle, 'KIRO FREE');
    assert.ok(u0.nextDateReset > Date.now() / 1000 && u0.nextDateReset < Date.now() / 1000 + 32 * 86400, 'epoch seconds');
    assert.equal(u0.userInfo.email, `${a.id}@example.com`);
    await chat(mock, a.accessToken, simpleRequest('one'));
    await chat(mock, a.accessToken, simpleRequest(''));
    assert.equal((await usage()).usageBreakdownList[0].currentUsageWithPrecision, 1, 'rejected requests do not count');
    await chat(mock, a.accessToken, simpleRequest('two'));
    await chat(mock, a.accessToken, simpleRequest('three'));
    const over = await chat(mock, a.accessToken, simpleRequest('four'));
    assert.deepEqual([over.status, over.json], [402, { message: 'You have reached the limit.', reason: 'MONTHLY_REQUEST_COUNT' }]);
    assert.equal(a.usage, 3);
  });

  test('overage: past the limit the account is served while overage is on, up to its cap; getUsageLimits reports it', async () => {
    const a = mock.addAccount({ usageLimit: 3, usage: 4, overage: { enabled: true, cap: 2 } });
    const usage = async () => (await getJson(`${mock.url}/getUsageLimits?origin=AI_EDITOR&resourceType=AGENTIC_REQUEST`, a.accessToken)).json;
    const u0 = await usage();
    assert.equal(u0.overageConfiguration.overageStatus, 'ENABLED');
    assert.equal(u0.subscriptionInfo.overageCapability, 'OVERAGE_CAPABLE');
    const b0 = u0.usageBreakdownList[0];
    assert.deepEqual([b0.currentUsage, b0.usageLimit, b0.currentOverages, b0.overageCap, b0.overageCharges], [4, 3, 1, 2, 0.04]);
    assert.equal((await chat(mock, a.accessToken, simpleRequest('on overage'))).status, 200);
    assert.equal((await usage()).usageBreakdownList[0].currentOveragesWithPrecision, 2);
    const capped = await chat(mock, a.accessToken, simpleRequest('past the cap'));
    assert.equal(capped.status, 402, 'the overage cap is reached');
    // Overage off: the limit is the end, whatever the cap says.
    a.overageEnabled = false;
    a.usage = 3;
    assert.equal((await usage()).overageConfiguration.overageStatus, 'DISABLED');
    assert.equal((await chat(mock, a.accessToken, simpleRequest('no overage'))).status, 402);
  });

  test('ListAvailableModels has the §6.3 shape with token limits', async () => {
    const a = mock.addAccount();
    const r = await getJson(`${mock.url}/ListAvailableModels?origin=AI_EDITOR&maxResults=50`, a.accessToken);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.defaultModel, { modelId: 'auto' });
    const sonnet = r.json.models.find((m: { modelId: string }) => m.modelId === 'claude-sonnet-4.5');
    assert.deepEqual(sonnet.tokenLimits, { maxInputTokens: 200_000, maxOutputTokens: 64_000 });
    assert.deepEqual(sonnet.supportedInputTypes, ['TEXT', 'IMAGE']);
  });

  test('ListAvailableProfiles: social gets its ARN, Builder ID gets FEATURE_NOT_SUPPORTED', async () => {
    const social = mock.addAccount();
    const r = await postJson(`${mock.url}/ListAvailableProfiles`, {}, { authorization: `Bearer ${social.accessToken}` });
    assert.deepEqual(
      r.json.profiles.map((p: { arn: string }) => p.arn),
      [social.profileArn],
    );
    const builder = mock.addAccount({ authMethod: 'idc' });
    const b = await postJson(`${mock.url}/ListAvailableProfiles`, {}, { authorization: `Bearer ${builder.accessToken}` });
    assert.deepEqual([b.status, b.json.reason], [403, 'FEATURE_NOT_SUPPORTED']);
  });

  test('awsJson side operations by x-amz-target', async () => {
    const a = mock.addAccount();
    const r = await fetch(`${mock.url}/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${a.accessToken}`,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonCodeWhispererService.ListAvailableModels',
      },
      body: '{"origin":"KIRO_CLI"}',
    });
    assert.equal(r.status, 200);
    assert.ok(((await r.json()) as { models: unknown[] }).models.length > 3);
  });

  test('MCP web_search JSON-RPC', async () => {
    const a = mock.addAccount();
    const auth = { authorization: `Bearer ${a.accessToken}` };
    const r = await postJson(
      `${mock.url}/mcp`,
      { id: 'q1', jsonrpc: '2.0', method: 'tools/call', params: { name: 'web_search', arguments: { query: 'node streams' } } },
      auth,
    );
    assert.equal(r.json.id, 'q1');
    const payload = JSON.parse(r.json.result.content[0].text);
    assert.equal(payload.query, 'node streams');
    assert.equal(payload.results.length, payload.totalResults);
    assert.ok(payload.results[0].url.startsWith('https://'));
    const unknown = await postJson(`${mock.url}/mcp`, { id: 2, jsonrpc: '2.0', method: 'nope' }, auth);
    assert.equal(unknown.json.error.code, -32601);
  });

  test('control routes: script, requests, state, reset', async () => {
    const a = mock.addAccount({ usageLimit: 100 });
    const bad = await postJson(`${mock.url}/__mock/script`, [{ kind: 'bogus' }]);
    assert.equal(bad.status, 400);
    const ok = await postJson(`${mock.url}/__mock/script`, { steps: [{ kind: 'text', text: 'scripted over HTTP' }], account: a.id });
    assert.deepEqual(ok.json, { queued: 1 });
    assert.equal(
      ((await fetch(`${mock.url}/__mock/state`).then((r) => r.json())) as { accounts: { id: string; queuedSteps: number }[] }).accounts.find(
        (x) => x.id === a.id,
      )?.queuedSteps,
      1,
    );
    assert.equal(textOf((await chat(mock, a.accessToken, simpleRequest('x'))).events), 'scripted over HTTP');
    const reqs = (await fetch(`${mock.url}/__mock/requests`).then((r) => r.json())) as { route: string; served?: string }[];
    assert.equal(reqs.filter((r) => r.route === 'generate').at(-1)?.served, 'text');
    assert.deepEqual((await postJson(`${mock.url}/__mock/reset`, {})).json, { reset: true });
    assert.equal(mock.requests.length, 0, 'the reset call clears its own record too');
    assert.equal(a.usage, 0);
  });

  test('createMockModeAccount returns a working Kiro token-file credential', async () => {
    const cred = createMockModeAccount(mock);
    assert.equal(cred.authMethod, 'social');
    assert.equal(cred.provider, 'Google');
    assert.equal(cred.region, 'us-east-1');
    assert.ok(Date.parse(cred.expiresAt) > Date.now());
    assert.equal((await chat(mock, cred.accessToken, simpleRequest('hi'))).status, 200);
    assert.equal((await postJson(`${mock.url}/refreshToken`, { refreshToken: cred.refreshToken })).status, 200);
  });
});

test('main.ts runs standalone and prints its URL and credentials', async () => {
  const child = spawn(process.execPath, [new URL('../../../src/core/kiro-mock/main.ts', import.meta.url).pathname, '--port', '0', '--max-body-bytes', '5000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line) as { url: string; credentialsFile: string; credentials: { accessToken: string } };
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(JSON.parse(readFileSync(info.credentialsFile, 'utf8')), info.credentials);
    const fake = { url: info.url } as MockKiro;
    assert.equal((await chat(fake, info.credentials.accessToken, simpleRequest('hi'))).status, 200);
    assert.equal((await chat(fake, info.credentials.accessToken, simpleRequest('x'.repeat(6000)))).json.reason, 'CONTENT_LENGTH_EXCEEDS_THRESHOLD');
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});
