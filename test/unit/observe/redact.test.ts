import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, SecretRegistry, createSecretRegistry, isSecretKey, redactObject, redactSecrets } from '../../../src/core/observe/redact.ts';
import { withRedaction } from '../../../src/core/observe/redacting-logger.ts';

// Planted secrets: made-up values in the shapes real ones have (Kiro aoa/aor tokens, ksk_ keys, JWTs).
const KIRO_ACCESS = 'aoa' + 'AAAAAGhX3kZp9Qm2vT7rLw8cYd:MGUCMQDx7Jk2pLw9Rt4v+8Yb/Q==';
const KIRO_REFRESH = 'aor' + 'AAAAAGi4pQ2wErTy7UiOp3aSdFgHjKl:MGQCMG5hY2tlc3Q3dXZ3eHl6';
const KSK = 'ksk_live_9fJ3kL2mN8pQ4rS6tV0wX';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQtMTIz';
const CLIENT_SECRET = 'cs-Z8x7c6v5b4n3m2';
const API_KEY = 'my-proxy-key-123456';
const PASSWORD = 'hunter2-correct-horse';
const UNKNOWN_FORMAT = 'Zq1!odd#format$token%value';
const ALL = [KIRO_ACCESS, KIRO_REFRESH, KSK, JWT, CLIENT_SECRET, API_KEY, PASSWORD, UNKNOWN_FORMAT];

function assertClean(out: string) {
  for (const s of ALL) assert.ok(!out.includes(s), `secret survived: ${s}\n in: ${out}`);
  // No long fragment of a secret either (a half-cut token is still a leak).
  for (const s of ALL) assert.ok(!out.includes(s.slice(0, 14)), `fragment survived: ${s.slice(0, 14)}\n in: ${out}`);
}

describe('redactSecrets', () => {
  test('bearer headers, Kiro tokens, ksk_ keys and JWTs in free text', () => {
    const text = [
      `Authorization: Bearer ${KIRO_ACCESS}`,
      `refreshing with ${KIRO_REFRESH} now`,
      `key ${KSK} in use`,
      `id token ${JWT}`,
      `curl -H "authorization: bearer ${API_KEY}"`,
      `retrying with bearer ${KIRO_ACCESS}`,
    ].join('\n');
    const out = redactSecrets(text);
    for (const s of [KIRO_ACCESS, KIRO_REFRESH, KSK, JWT, API_KEY]) assert.ok(!out.includes(s), out);
    assert.match(out, /^Authorization: \[REDACTED\]$/m);
    assert.match(out, /retrying with bearer \[REDACTED\]/);
    assert.match(out, /refreshing with \[REDACTED\] now/);
  });

  test('secret-named keys in JSON, escaped JSON, query strings and headers', () => {
    const json = JSON.stringify({
      accessToken: KIRO_ACCESS,
      refresh_token: KIRO_REFRESH,
      clientSecret: CLIENT_SECRET,
      client_secret: CLIENT_SECRET,
      apiKey: API_KEY,
      password: PASSWORD,
      nested: { 'x-api-key': API_KEY, token: UNKNOWN_FORMAT },
    });
    const text = [
      json,
      JSON.stringify({ body: json }), // JSON inside a JSON string
      `GET /cb?api_key=${API_KEY}&password=${PASSWORD}&ok=1`,
      `x-api-key: ${API_KEY}`,
      `client_secret='${CLIENT_SECRET}'`,
      `Authorization: Basic ${Buffer.from('u:' + PASSWORD).toString('base64')}`,
    ].join('\n');
    const out = redactSecrets(text);
    assertClean(out);
    assert.ok(!out.includes(Buffer.from('u:' + PASSWORD).toString('base64')));
    // Redacting keeps JSON valid.
    const parsed = JSON.parse(out.split('\n')[0]!);
    assert.equal(parsed.accessToken, REDACTED);
    assert.equal(parsed.nested.token, REDACTED);
    assert.ok(out.includes('&ok=1'));
  });

  test('registered values of unknown formats are removed, raw and URL-encoded', () => {
    const reg = createSecretRegistry();
    reg.add(UNKNOWN_FORMAT);
    reg.add('short'); // too short to register safely
    const out = reg.scrub(`value ${UNKNOWN_FORMAT} and ${encodeURIComponent(UNKNOWN_FORMAT)} and short`);
    assert.ok(!out.includes(UNKNOWN_FORMAT) && !out.includes(encodeURIComponent(UNKNOWN_FORMAT)), out);
    assert.ok(out.endsWith('and short'));
    assert.equal(reg.size, 1);
  });

  test('ordinary prose and usage fields survive', () => {
    const text = 'refresh token expired: invalid_grant; max_tokens=1024; input_tokens: 12; the aorta is fine';
    assert.equal(redactSecrets(text), text);
  });
});

describe('redactObject', () => {
  test('deep copy with secret keys replaced and strings scrubbed; input untouched', () => {
    const reg = new SecretRegistry();
    reg.add(UNKNOWN_FORMAT);
    const input = {
      headers: { authorization: `Bearer ${API_KEY}`, 'X-Api-Key': API_KEY, 'content-type': 'application/json' },
      creds: [{ refreshToken: KIRO_REFRESH, clientSecret: CLIENT_SECRET, expiresAt: 123 }],
      message: `failed with ${KSK} and ${UNKNOWN_FORMAT}`,
      inputTokens: 5,
      err: Object.assign(new Error(`token ${JWT} rejected`), { code: 'E1' }),
      map: new Map([['accessToken', KIRO_ACCESS]]),
    };
    const out = redactObject(input, reg);
    const rendered = JSON.stringify(out, (_k, v) => (v instanceof Map ? [...v] : v));
    assertClean(rendered);
    assert.equal(out.headers['content-type'], 'application/json');
    assert.equal(out.inputTokens, 5);
    assert.equal(out.creds[0]!.expiresAt, 123);
    assert.equal(input.creds[0]!.refreshToken, KIRO_REFRESH);
    assert.equal((out.err as unknown as { code: string }).code, 'E1');
  });

  test('cycles do not hang', () => {
    const a: Record<string, unknown> = { password: PASSWORD };
    a['self'] = a;
    const out = redactObject<Record<string, unknown>>(a);
    assert.equal(out['self'], '[Circular]');
    assert.equal(out['password'], REDACTED);
  });

  test('isSecretKey normalises case and separators', () => {
    for (const k of ['accessToken', 'ACCESS_TOKEN', 'refresh-token', 'Client_Secret', 'x-api-key', 'Authorization', 'api_key']) assert.ok(isSecretKey(k), k);
    for (const k of ['inputTokens', 'max_tokens', 'tokenExpiresAt', 'model']) assert.ok(!isSecretKey(k), k);
  });
});

test('withRedaction scrubs message and arguments before the host logger sees them', () => {
  const lines: string[] = [];
  const sink = (m: string, ...a: unknown[]) => lines.push([m, ...a.map((x) => JSON.stringify(x))].join(' '));
  const reg = new SecretRegistry();
  reg.add(UNKNOWN_FORMAT);
  const log = withRedaction({ trace: sink, debug: sink, info: sink, warn: sink, error: sink }, reg);
  log.info(`loaded ${KIRO_ACCESS}`, { refreshToken: KIRO_REFRESH, note: UNKNOWN_FORMAT });
  log.error('boom', new Error(`bad key ${KSK}`));
  assertClean(lines.join('\n'));
  assert.equal(lines.length, 2);
});
