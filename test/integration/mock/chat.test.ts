import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startMockKiro, type MockKiro, type MockAccount } from '../../../src/core/kiro-mock/server.ts';
import { exampleRequest, simpleRequest } from '../../unit/mock/example-request.ts';
import { eventTypes, textOf, toolCallsOf } from '../../unit/mock/decode.ts';
import { chat, getJson, postJson } from './client.ts';

describe('mock Kiro chat endpoint', () => {
  let mock: MockKiro;
  let acct: MockAccount;
  before(async () => {
    mock = await startMockKiro({ seed: 3 });
    acct = mock.addAccount();
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  test('one base URL for all three endpoints', () => {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(mock.endpoints, { runtime: mock.url, auth: mock.url, oidc: mock.url });
  });

  test('REST: default reply streams as split frames that decode to the expected events', async () => {
    const r = await chat(mock, acct.accessToken, simpleRequest('Hello mock, what is 2+2?'));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/vnd.amazon.eventstream');
    assert.match(r.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(textOf(r.events), 'Mock Kiro reply to: Hello mock, what is 2+2?');
    assert.notEqual(eventTypes(r.messages)[0], 'initial-response');
    assert.deepEqual(eventTypes(r.messages).slice(-2), ['meteringEvent', 'contextUsageEvent']);
    // Frames straddle chunks: at least one chunk does not end on a frame boundary.
    assert.ok(r.chunks.length > r.messages.length, `${r.chunks.length} chunks for ${r.messages.length} frames`);
    const rec = mock.chatRequests().at(-1)!;
    assert.equal(rec.accountId, acct.id);
    assert.deepEqual(rec.validation, { ok: true });
    assert.equal(rec.headers['authorization'], 'Bearer <redacted>');
    assert.equal(rec.served, 'default');
  });

  test('awsJson: POST / with x-amz-target starts with initial-response', async () => {
    const r = await chat(mock, acct.accessToken, exampleRequest(), 'awsjson');
    assert.equal(r.status, 200);
    assert.equal(eventTypes(r.messages)[0], 'initial-response');
    assert.match(textOf(r.events), /^Mock Kiro reply to: Here is also a photo/);
    assert.equal(mock.chatRequests().at(-1)!.route, 'generate');
  });

  test('awsJson: unknown target is UnknownOperationException; wrong content-type is refused', async () => {
    const r = await postJson(`${mock.url}/`, {}, { authorization: `Bearer ${acct.accessToken}`, 'x-amz-target': 'Nope.Nothing' });
    assert.equal(r.status, 400);
    assert.equal(r.json.__type, 'com.amazon.coral.service#UnknownOperationException');
    const ct = await chat(mock, acct.accessToken, JSON.stringify(simpleRequest('x')), 'rest');
    assert.equal(ct.status, 200);
    const wrong = await fetch(`${mock.url}/generateAssistantResponse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acct.accessToken}`, 'content-type': 'text/plain' },
      body: JSON.stringify(simpleRequest('x')),
    });
    assert.equal(wrong.status, 415);
    await wrong.body?.cancel();
  });

  test('bearer check: unknown, missing and expired tokens get the 403 AccessDeniedException body', async () => {
    const expected = {
      message: 'The bearer token included in the request is invalid.',
      reason: null,
      __type: 'com.amazon.aws.codewhisperer#AccessDeniedException',
    };
    const unknown = await chat(mock, 'aoaAAAAAnot-a-token', simpleRequest('hi'));
    assert.equal(unknown.status, 403);
    assert.deepEqual(unknown.json, expected);
    assert.match(unknown.headers.get('x-amzn-errortype') ?? '', /^AccessDeniedException/);
    const expiring = mock.addAccount({ accessTokenExpired: true });
    assert.equal((await chat(mock, expiring.accessToken, simpleRequest('hi'))).status, 403);
    const other = mock.addAccount();
    assert.equal((await chat(mock, other.accessToken, simpleRequest('hi'))).status, 200);
    mock.expireAccessToken(other.id);
    assert.deepEqual((await chat(mock, other.accessToken, simpleRequest('hi'))).json, expected);
    for (const path of ['/getUsageLimits', '/ListAvailableModels']) {
      assert.equal((await getJson(`${mock.url}${path}`, 'bogus')).status, 403);
    }
  });

  test('validation failures come back with Kiro bodies and are recorded with their rule', async () => {
    const noArn = simpleRequest('hi');
    delete noArn.profileArn;
    const r1 = await chat(mock, acct.accessToken, noArn);
    assert.equal(r1.status, 400);
    assert.deepEqual(r1.json, { message: 'profileArn is required for this request.', reason: null });
    assert.match(r1.headers.get('x-amzn-errortype') ?? '', /^ValidationException/);
    const empty = await chat(mock, acct.accessToken, simpleRequest('   '));
    assert.deepEqual(empty.json, { message: 'Improperly formed request.', reason: null });
    const bad = await chat(mock, acct.accessToken, '{"conversationState":');
    assert.deepEqual(bad.json, { message: 'Improperly formed request.', reason: null });
    const model = await chat(mock, acct.accessToken, simpleRequest('hi', 'claude-3-opus'));
    assert.equal(model.json.reason, 'INVALID_MODEL_ID');
    const rules = mock.chatRequests().map((r) => (r.validation && !r.validation.ok ? r.validation.rule : 'ok'));
    assert.deepEqual(rules, ['profile_arn_missing', 'content_empty', 'body_not_object', 'model_id_invalid']);
  });

  test('body over maxBodyBytes is Input is too long', async () => {
    const small = await startMockKiro({ maxBodyBytes: 2000 });
    try {
      const a = small.addAccount();
      const r = await chat(small, a.accessToken, simpleRequest('x'.repeat(3000)));
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { message: 'Input is too long.', reason: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' });
    } finally {
      await small.close();
    }
  });

  test('scripted HTTP error with Retry-After, then the queue moves on', async () => {
    mock.enqueue({ kind: 'http_error', status: 429, reason: 'USER_REQUEST_RATE_EXCEEDED', errorType: 'ThrottlingException', retryAfter: 3 });
    const r = await chat(mock, acct.accessToken, simpleRequest('hi'));
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '3');
    assert.deepEqual(r.json, {
      message: 'Too many requests, please wait before trying again.',
      reason: 'USER_REQUEST_RATE_EXCEEDED',
      __type: 'com.amazon.aws.codewhisperer#ThrottlingException',
    });
    assert.equal((await chat(mock, acct.accessToken, simpleRequest('hi'))).status, 200);
  });

  test('scripted steps are only consumed by valid requests, per-account queues first', async () => {
    const other = mock.addAccount();
    mock.enqueue({ kind: 'text', text: 'global one' });
    mock.enqueueFor(other.refreshToken, { kind: 'http_error', status: 402 });
    assert.equal((await chat(mock, acct.accessToken, simpleRequest(''))).status, 400);
    assert.equal(textOf((await chat(mock, acct.accessToken, simpleRequest('hi'))).events), 'global one');
    const quota = await chat(mock, other.accessToken, simpleRequest('hi'));
    assert.equal(quota.status, 402);
    assert.deepEqual(quota.json, { message: 'You have reached the limit.', reason: 'MONTHLY_REQUEST_COUNT' });
  });

  test('scripted tool use, reasoning and exception decode as expected', async () => {
    mock.enqueue(
      { kind: 'tool_use', name: 'Write', input: { file_path: '/tmp/x', content: 'hi' } },
      { kind: 'reasoning', reasoning: 'thinking hard', text: 'done' },
      { kind: 'exception', exceptionType: 'ContentLengthExceededException', text: 'cut' },
    );
    const t = await chat(mock, acct.accessToken, simpleRequest('go'));
    assert.deepEqual(JSON.parse(toolCallsOf(t.events)[0]!.input), { file_path: '/tmp/x', content: 'hi' });
    const rs = await chat(mock, acct.accessToken, simpleRequest('go'));
    assert.ok(rs.events.some((e) => e.type === 'reasoning' && e.signature));
    const ex = await chat(mock, acct.accessToken, simpleRequest('go'));
    assert.deepEqual(ex.events.at(-1), {
      type: 'exception',
      exceptionType: 'ContentLengthExceededException',
      message: 'Response exceeded the maximum allowed output length.',
    });
  });

  test('directives in the user message drive the stream', async () => {
    const tool = await chat(mock, acct.accessToken, simpleRequest('[[mock:tool Write {"file_path":"/tmp/x","content":"hi"}]]'));
    assert.deepEqual(
      toolCallsOf(tool.events).map((c) => [c.name, JSON.parse(c.input)]),
      [['Write', { file_path: '/tmp/x', content: 'hi' }]],
    );
    const text = await chat(mock, acct.accessToken, simpleRequest('[[mock:text hello world]]'));
    assert.equal(textOf(text.events), 'hello world');
    const thinking = await chat(mock, acct.accessToken, simpleRequest('Why? [[mock:thinking-tags]]'));
    assert.match(textOf(thinking.events), /^<thinking>.*<\/thinking>\n\nMock Kiro reply to: Why\?$/s);
    const status = await chat(mock, acct.accessToken, simpleRequest('[[mock:status 429 USER_REQUEST_RATE_EXCEEDED retry-after=2]]'));
    assert.equal(status.status, 429);
    assert.equal(status.headers.get('retry-after'), '2');
    assert.equal(status.json.reason, 'USER_REQUEST_RATE_EXCEEDED');
    const bad = await chat(mock, acct.accessToken, simpleRequest('[[mock:nonsense]]'));
    assert.match(textOf(bad.events), /^Mock directive error: unknown directive "nonsense"/);
    const empty = await chat(mock, acct.accessToken, simpleRequest('[[mock:empty]]'));
    assert.deepEqual(eventTypes(empty.messages), ['meteringEvent', 'contextUsageEvent']);
  });

  test('destroy mid-stream leaves the client with a broken body', async () => {
    const res = await fetch(`${mock.url}/generateAssistantResponse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acct.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(simpleRequest('[[mock:text partial answer]] [[mock:destroy]]')),
    });
    assert.equal(res.status, 200);
    await assert.rejects(async () => {
      for await (const _ of res.body!) {
        // drain until the socket dies
      }
    });
  });

  test('first-byte delay holds the headers back', async () => {
    const t0 = Date.now();
    const r = await chat(mock, acct.accessToken, simpleRequest('[[mock:first-byte-delay 150]]'));
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 140);
  });

  test('close() ends a stream stuck in a scripted delay', async () => {
    const m = await startMockKiro();
    const a = m.addAccount();
    m.enqueue({
      kind: 'stream',
      parts: [
        { type: 'text', text: 'a' },
        { type: 'delay', ms: 60_000 },
        { type: 'text', text: 'b' },
      ],
    });
    const pending = new Promise<string>((resolve) => {
      const req = request(`${m.url}/generateAssistantResponse`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.accessToken}`, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.on('data', () => {});
        res.on('error', () => resolve('error'));
        res.on('close', () => resolve('closed'));
      });
      req.on('error', () => resolve('error'));
      req.end(JSON.stringify(simpleRequest('hi')));
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await m.close();
    assert.ok(['closed', 'error'].includes(await pending));
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(m.state().openTimers, 0);
  });
});
