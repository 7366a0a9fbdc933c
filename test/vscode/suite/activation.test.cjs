// Activation: cheap, nothing started, no core loaded. The snapshot is taken in a root hook, which
// mocha runs before any test of any file.
const assert = require('node:assert/strict');
const os = require('node:os');
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
    // Wall-clock time: on a machine running more than one job per core (a shared CI runner at
    // load 24 on 2 cores measured 68 ms for the same code that takes 8-19 ms otherwise) the
    // budget grows with the load per core, so the test flags real regressions, not the neighbours.
    const loadPerCore = os.loadavg()[0] / os.cpus().length;
    const budget = 50 * Math.max(1, loadPerCore);
    console.log(`      activate(): ${atStart.activationMs.toFixed(1)} ms (budget ${budget.toFixed(0)} ms at load ${loadPerCore.toFixed(1)} per core)`);
    assert.ok(atStart.activationMs < budget, `${atStart.activationMs} ms`);
  });

  it('contributes the Kiro chat model provider', function () {
    const ext = vscode.extensions.getExtension('kiro-proxy.kiro-proxy');
    assert.deepEqual(
      ext.packageJSON.contributes.languageModelChatProviders.map((p) => p.vendor),
      ['kiro'],
    );
  });
});
