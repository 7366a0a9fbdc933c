// Activation: cheap, nothing started, no core loaded. The snapshot is taken in a root hook, which
// mocha runs before any test of any file.
const assert = require('node:assert/strict');
const { vscode, extensionApi } = require('./helpers.cjs');

let atStart;
before(async function () {
  const api = await extensionApi();
  atStart = { state: api.controller.state.kind, config: api.controller.currentConfig, activationMs: api.activationMs };
});

describe('Kiro activation', function () {
  it('activation does not load the core or start anything', function () {
    assert.equal(atStart.state, 'stopped');
    assert.equal(atStart.config, undefined, 'the core is created on first Start');
  });

  it('activate() takes well under 50 ms', function () {
    console.log(`      activate(): ${atStart.activationMs.toFixed(1)} ms`);
    assert.ok(atStart.activationMs < 50, `${atStart.activationMs} ms`);
  });

  it('contributes the Kiro chat model provider', function () {
    const ext = vscode.extensions.getExtension('kiro-proxy.kiro-proxy');
    assert.deepEqual(ext.packageJSON.contributes.languageModelChatProviders.map((p) => p.vendor), ['kiro']);
  });
});
