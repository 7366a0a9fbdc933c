import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBindPolicy, isLoopbackHost } from '../../../src/core/server/bind-policy.ts';

test('loopback hosts need nothing', () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2', 'LOCALHOST', '::ffff:127.0.0.1']) {
    assert.deepEqual(checkBindPolicy(h, undefined, []), { ok: true, loopback: true }, h);
  }
});

test('non-loopback hosts are refused without both an API key and an explicit allow-list', () => {
  for (const h of ['0.0.0.0', '::', '', '192.168.1.20', 'my-box.lan', '127.0.0.1.nip.io']) {
    const noKey = checkBindPolicy(h, undefined, ['my-box.lan']);
    assert.equal(noKey.ok, false, h);
    if (!noKey.ok) {
      assert.match(noKey.message, /Refusing to listen/);
      assert.match(noKey.message, /API key/);
      assert.doesNotMatch(noKey.message, /allowedHosts/);
    }
    const noList = checkBindPolicy(h, 'k3y-long-enough', []);
    assert.equal(noList.ok, false, h);
    if (!noList.ok) assert.match(noList.message, /allowedHosts/);
    const wildcard = checkBindPolicy(h, 'k3y-long-enough', ['*']);
    assert.equal(wildcard.ok, false, `${h} with "*"`);
    assert.equal(checkBindPolicy(h, '   ', ['my-box.lan']).ok, false, 'blank key counts as none');
    assert.deepEqual(checkBindPolicy(h, 'k3y-long-enough', ['my-box.lan']), { ok: true, loopback: false }, h);
  }
});

test('the refusal names both missing pieces and the safe default', () => {
  const r = checkBindPolicy('0.0.0.0', undefined, []);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /0\.0\.0\.0/);
    assert.match(r.message, /API key/);
    assert.match(r.message, /allowedHosts/);
    assert.match(r.message, /127\.0\.0\.1/);
  }
});

test('isLoopbackHost does not trust names that merely start like loopback', () => {
  assert.equal(isLoopbackHost('127.0.0.1.evil.com'), false);
  assert.equal(isLoopbackHost('localhost.evil.com'), false);
  assert.equal(isLoopbackHost('128.0.0.1'), false);
});
