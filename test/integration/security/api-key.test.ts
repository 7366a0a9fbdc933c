// "In VS Code an API key is generated on first start and kept in SecretStorage": the editor's
// key helper against a SecretStore, and the key actually guarding a proxy started with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_KEY_SECRET, getOrCreateApiKey } from '../../../src/vscode/api-key.ts';
import { memorySecretStore } from '../../helpers/proxy.ts';
import { postJson, startWithDeps, ANTHROPIC_BODY } from './http.ts';

test('the first start generates a strong key and keeps it in the secret store; later starts reuse it', async () => {
  const secrets = memorySecretStore();
  assert.equal(await secrets.get(API_KEY_SECRET), undefined);
  const key = await getOrCreateApiKey(secrets);
  assert.match(key, /^kp-[A-Za-z0-9_-]{32,}$/);
  assert.equal(secrets.map.get(API_KEY_SECRET), key);
  assert.equal(await getOrCreateApiKey(secrets), key, 'stable across starts (and windows sharing SecretStorage)');
  assert.notEqual(await getOrCreateApiKey(memorySecretStore()), key, 'random per installation');
});

test('a proxy started with the generated key refuses /v1 calls without it', async () => {
  const key = await getOrCreateApiKey(memorySecretStore());
  const srv = await startWithDeps({ apiKey: key });
  try {
    const none = await postJson(srv.port, '/v1/messages', ANTHROPIC_BODY);
    assert.equal(none.status, 401);
    assert.equal(none.json().error.type, 'authentication_error');
    const wrong = await postJson(srv.port, '/v1/messages', ANTHROPIC_BODY, { 'x-api-key': key + 'x' });
    assert.equal(wrong.status, 401);
    const ok = await postJson(srv.port, '/v1/messages', ANTHROPIC_BODY, { 'x-api-key': key });
    assert.equal(ok.status, 200);
    const bearer = await postJson(srv.port, '/v1/messages', ANTHROPIC_BODY, { authorization: `Bearer ${key}` });
    assert.equal(bearer.status, 200);
    assert.ok(!srv.logger.lines.some((l) => l.msg.includes(key)), 'the key is never logged');
  } finally {
    await srv.close();
  }
});
