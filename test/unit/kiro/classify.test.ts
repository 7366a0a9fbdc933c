import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { classifyStreamException, classifyUpstreamError, parseRetryAfter, upstreamErrorToProxyError } from '../../../src/core/kiro/classify.ts';
import { KiroUpstreamError, type UpstreamErrorClass } from '../../../src/core/kiro/types.ts';

const j = (o: unknown) => JSON.stringify(o);

// One row per §8.1 situation, with bodies as peers observed them.
const rows: { name: string; status: number; headers?: Record<string, string>; body: string; cls: UpstreamErrorClass; reason?: string; type?: string }[] = [
  {
    name: '403 bearer token invalid',
    status: 403,
    headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.aws.codewhisperer/' },
    body: j({ message: 'The bearer token included in the request is invalid.', reason: null }),
    cls: 'auth_invalid',
    type: 'AccessDeniedException',
  },
  { name: '401 token expired', status: 401, body: j({ message: 'token expired' }), cls: 'auth_invalid' },
  {
    name: '403 TEMPORARILY_SUSPENDED',
    status: 403,
    body: j({
      __type: 'com.amazon.aws.codewhisperer#AccessDeniedException',
      message: 'Your User ID (d-9067c98495.1234) temporarily is suspended. Please contact support.',
      reason: 'TEMPORARILY_SUSPENDED',
    }),
    cls: 'suspended',
    reason: 'TEMPORARILY_SUSPENDED',
    type: 'AccessDeniedException',
  },
  {
    name: '403 FEATURE_NOT_SUPPORTED',
    status: 403,
    body: j({ message: 'User is not authorized to access this feature.', reason: 'FEATURE_NOT_SUPPORTED' }),
    cls: 'feature_not_supported',
    reason: 'FEATURE_NOT_SUPPORTED',
  },
  {
    name: '403 Builder ID not supported',
    status: 403,
    body: j({ message: 'AWS Builder ID is not supported for this operation', reason: null }),
    cls: 'feature_not_supported',
  },
  {
    name: '402 MONTHLY_REQUEST_COUNT',
    status: 402,
    body: j({ message: 'You have reached the limit.', reason: 'MONTHLY_REQUEST_COUNT' }),
    cls: 'quota_exhausted',
    reason: 'MONTHLY_REQUEST_COUNT',
  },
  { name: '402 without reason', status: 402, body: j({ message: 'Payment required' }), cls: 'quota_exhausted' },
  {
    name: '429 with MONTHLY_REQUEST_COUNT',
    status: 429,
    body: j({ __type: 'com.amazon.aws.codewhisperer#ThrottlingException', message: 'Monthly limit reached', reason: 'MONTHLY_REQUEST_COUNT' }),
    cls: 'quota_exhausted',
  },
  {
    name: '429 USER_REQUEST_RATE_EXCEEDED',
    status: 429,
    body: j({
      __type: 'com.amazon.aws.codewhisperer#ThrottlingException',
      message: 'Too many requests, please wait before trying again.',
      reason: 'USER_REQUEST_RATE_EXCEEDED',
    }),
    cls: 'rate_limited',
    type: 'ThrottlingException',
  },
  {
    name: '429 INSUFFICIENT_MODEL_CAPACITY',
    status: 429,
    body: j({
      __type: 'com.amazon.aws.codewhisperer#ThrottlingException',
      message: 'I am experiencing high traffic, please try again shortly.',
      reason: 'INSUFFICIENT_MODEL_CAPACITY',
    }),
    cls: 'capacity',
  },
  {
    name: '400 INSUFFICIENT_MODEL_CAPACITY',
    status: 400,
    body: j({
      __type: 'com.amazon.aws.codewhisperer#ThrottlingException',
      message: 'I am experiencing high traffic, please try again shortly.',
      reason: 'INSUFFICIENT_MODEL_CAPACITY',
    }),
    cls: 'capacity',
  },
  { name: '429 DAILY_REQUEST_COUNT', status: 429, body: j({ message: 'Too many requests', reason: 'DAILY_REQUEST_COUNT' }), cls: 'throttled' },
  { name: '429 credit limit', status: 429, body: j({ message: '60-minute credit limit exceeded' }), cls: 'throttled' },
  {
    name: '400 CONTENT_LENGTH_EXCEEDS_THRESHOLD',
    status: 400,
    body: j({ __type: 'com.amazon.aws.codewhisperer#ValidationException', message: 'Input is too long.', reason: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' }),
    cls: 'content_too_long',
    type: 'ValidationException',
  },
  { name: '400 Input is too long (no reason)', status: 400, body: j({ message: 'Input is too long.' }), cls: 'content_too_long' },
  {
    name: '400 INVALID_MODEL_ID',
    status: 400,
    body: j({ message: 'Invalid model. Please select a different model to continue.', reason: 'INVALID_MODEL_ID' }),
    cls: 'invalid_model',
  },
  { name: '400 profileArn is required', status: 400, body: j({ message: 'profileArn is required for this request.', reason: null }), cls: 'profile_required' },
  {
    name: '400 value null at profileArn',
    status: 400,
    body: j({ message: "1 validation error detected: Value null at 'profileArn' failed to satisfy constraint: Member must not be null" }),
    cls: 'profile_required',
  },
  { name: '400 Improperly formed request', status: 400, body: j({ message: 'Improperly formed request.', reason: null }), cls: 'bad_request' },
  { name: '400 REQUEST_BODY_INVALID', status: 400, body: j({ message: 'Improperly formed request.', reason: 'REQUEST_BODY_INVALID' }), cls: 'bad_request' },
  { name: '400 Invalid message sequence', status: 400, body: j({ message: 'Invalid message sequence' }), cls: 'bad_request' },
  { name: '409 conflict', status: 409, body: j({ message: 'KMS key disabled', reason: 'CUSTOMER_KMS_KEY_DISABLED' }), cls: 'bad_request' },
  {
    name: '500 internal',
    status: 500,
    body: j({ message: 'Encountered unexpectedly high load when processing the request, please try again.' }),
    cls: 'server',
  },
  {
    name: '503 MODEL_TEMPORARILY_UNAVAILABLE',
    status: 503,
    body: j({ message: 'Model temporarily unavailable', reason: 'MODEL_TEMPORARILY_UNAVAILABLE' }),
    cls: 'server',
  },
  { name: '502 html from a gateway', status: 502, body: '<html><body>Bad Gateway</body></html>', cls: 'server' },
  { name: '504 empty body', status: 504, body: '', cls: 'server' },
];

describe('classifyUpstreamError: every row of §8.1', () => {
  for (const r of rows) {
    test(r.name, () => {
      const e = classifyUpstreamError(r.status, r.headers ?? {}, r.body, 'req-1');
      assert.ok(e instanceof KiroUpstreamError);
      assert.equal(e.cls, r.cls);
      assert.equal(e.status, r.status);
      assert.equal(e.requestId, 'req-1');
      if (r.reason) assert.equal(e.reason, r.reason);
      if (r.type) assert.equal(e.errorType, r.type);
      assert.ok(e.message.length > 0);
    });
  }

  test('message falls back to body text, then status', () => {
    assert.equal(classifyUpstreamError(502, {}, '<html><body>Bad Gateway</body></html>').message, '<html><body>Bad Gateway</body></html>');
    assert.equal(classifyUpstreamError(504, {}, '').message, 'HTTP 504');
  });

  test('request id from x-amzn-requestid, headers as fetch Headers', () => {
    const e = classifyUpstreamError(429, new Headers({ 'x-amzn-RequestId': 'abc', 'Retry-After': '7' }), j({ message: 'slow down' }));
    assert.equal(e.requestId, 'abc');
    assert.equal(e.retryAfterSeconds, 7);
  });

  test('Retry-After from a header record, any case', () => {
    assert.equal(classifyUpstreamError(429, { 'Retry-After': '12' }, '{}').retryAfterSeconds, 12);
    assert.equal(classifyUpstreamError(429, { 'retry-after': ['3', '4'] }, '{}').retryAfterSeconds, 3);
  });

  test('an echoed token never reaches the message', () => {
    const e = classifyUpstreamError(400, {}, j({ message: 'bad header Authorization: Bearer aoa' + 'AAAAAGkSecretTokenValue0123456789' }));
    assert.doesNotMatch(e.message, /aoaAAAAAGkSecret/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  test('delta seconds', () => {
    assert.equal(parseRetryAfter('30', now), 30);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('1.5', now), 2);
  });
  test('HTTP date', () => {
    assert.equal(parseRetryAfter('Fri, 01 May 2026 12:00:45 GMT', now), 45);
    assert.equal(parseRetryAfter('Fri, 01 May 2026 11:00:00 GMT', now), 0);
  });
  test('garbage and absence', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});

describe('classifyStreamException', () => {
  const cases: [string, string, string | undefined, UpstreamErrorClass][] = [
    ['ThrottlingException', 'Too many requests', undefined, 'throttled'],
    ['ThrottlingException', 'high traffic', 'INSUFFICIENT_MODEL_CAPACITY', 'capacity'],
    ['ThrottlingException', 'slow down', 'USER_REQUEST_RATE_EXCEEDED', 'rate_limited'],
    ['ServiceQuotaExceededException', 'You have reached the limit.', 'MONTHLY_REQUEST_COUNT', 'quota_exhausted'],
    ['InternalServerException', 'oops', undefined, 'server'],
    ['ServiceUnavailableException', 'later', undefined, 'server'],
    ['ValidationException', 'Input is too long.', 'CONTENT_LENGTH_EXCEEDS_THRESHOLD', 'content_too_long'],
    ['ValidationException', 'Improperly formed request.', undefined, 'bad_request'],
    ['AccessDeniedException', 'The bearer token included in the request is invalid.', undefined, 'auth_invalid'],
    ['ContentLengthExceededException', 'Response is too long', undefined, 'content_too_long'],
    ['com.amazon.aws.codewhisperer#ThrottlingException', 'x', undefined, 'throttled'],
    ['SomethingNew', 'x', undefined, 'server'],
  ];
  for (const [type, msg, reason, cls] of cases) {
    test(`${type}${reason ? ` ${reason}` : ''} → ${cls}`, () => {
      const e = classifyStreamException(type, msg, reason, 'rid');
      assert.equal(e.cls, cls);
      assert.equal(e.errorType, type.split('#').pop());
      assert.equal(e.requestId, 'rid');
    });
  }
});

describe('upstreamErrorToProxyError', () => {
  const make = (cls: UpstreamErrorClass, extra: Partial<ConstructorParameters<typeof KiroUpstreamError>[0]> = {}) =>
    new KiroUpstreamError({ cls, status: 400, message: 'Kiro said no', ...extra });

  test('content too long → invalid_request 400 with the Kiro code', () => {
    const p = upstreamErrorToProxyError(make('content_too_long'));
    assert.equal(p.kind, 'invalid_request');
    assert.equal(p.status, 400);
    assert.equal(p.code, 'CONTENT_LENGTH_EXCEEDS_THRESHOLD');
    assert.match(p.message, /^Input is too long for Kiro/);
  });

  test('capacity → overloaded 503 with a Retry-After', () => {
    const p = upstreamErrorToProxyError(make('capacity', { status: 429 }));
    assert.equal(p.kind, 'overloaded');
    assert.equal(p.status, 503);
    assert.equal(p.retryAfterSeconds, 3);
    assert.equal(upstreamErrorToProxyError(make('capacity', { retryAfterSeconds: 9 })).retryAfterSeconds, 9);
  });

  test('quota → rate_limit 429', () => {
    const p = upstreamErrorToProxyError(make('quota_exhausted', { status: 402 }));
    assert.equal(p.kind, 'rate_limit');
    assert.equal(p.status, 429);
    assert.equal(p.code, 'MONTHLY_REQUEST_COUNT');
  });

  test('upstream auth failures are not reported as 401 (that is the proxy key)', () => {
    for (const cls of ['auth_invalid', 'suspended'] as const) assert.notEqual(upstreamErrorToProxyError(make(cls)).status, 401);
  });

  test('every class maps, with a message and a code, and the cause kept', () => {
    const all: UpstreamErrorClass[] = [
      'auth_invalid',
      'suspended',
      'feature_not_supported',
      'quota_exhausted',
      'rate_limited',
      'throttled',
      'capacity',
      'content_too_long',
      'invalid_model',
      'profile_required',
      'bad_request',
      'server',
      'network',
      'timeout',
    ];
    const expected: Record<UpstreamErrorClass, number> = {
      auth_invalid: 503,
      suspended: 503,
      feature_not_supported: 403,
      quota_exhausted: 429,
      rate_limited: 429,
      throttled: 429,
      capacity: 503,
      content_too_long: 400,
      invalid_model: 400,
      profile_required: 502,
      bad_request: 400,
      server: 502,
      network: 502,
      timeout: 504,
    };
    for (const cls of all) {
      const err = make(cls, { requestId: 'r-9' });
      const p = upstreamErrorToProxyError(err);
      assert.equal(p.status, expected[cls], cls);
      assert.ok(p.code, cls);
      assert.ok(p.message.includes('r-9'), cls);
      assert.equal(p.cause, err);
    }
  });

  test('MODEL_TEMPORARILY_UNAVAILABLE → overloaded', () => {
    assert.equal(upstreamErrorToProxyError(make('server', { status: 503, reason: 'MODEL_TEMPORARILY_UNAVAILABLE' })).kind, 'overloaded');
  });

  test('never contains tokens', () => {
    const p = upstreamErrorToProxyError(make('bad_request', { message: 'echo: aoa' + 'AAAAAGkSecretTokenValue0123456789 and ksk_secretapikey12345' }));
    assert.doesNotMatch(p.message, /aoaAAAAAGkSecret|ksk_secret/);
  });
});
