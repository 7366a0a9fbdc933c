// Settings: defaults, application scope of network settings, live changes without a reload,
// no silent port change, and the several-windows rule (follow the owner, take over when it goes).
const assert = require('node:assert/strict');
const { vscode, extensionApi, freePort, status, waitFor, fakeServer, settings, setSetting } = require('./helpers.cjs');

describe('Kiro settings', function () {
  let api;

  before(async function () {
    api = await extensionApi();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('kiroProxy.stop');
  });

  it('has the documented defaults', function () {
    const s = settings();
    assert.equal(s.inspect('port').defaultValue, 8080);
    assert.equal(s.inspect('host').defaultValue, '127.0.0.1');
    assert.equal(s.inspect('autoStart').defaultValue, false);
    assert.equal(s.inspect('requireApiKey').defaultValue, true);
    assert.equal(s.inspect('logBodies').defaultValue, false);
  });

  it('refuses workspace values for the network settings (application scope)', async function () {
    for (const key of ['port', 'host', 'requireApiKey']) {
      await assert.rejects(
        settings().update(key, key === 'port' ? 1234 : key === 'host' ? '0.0.0.0' : false, vscode.ConfigurationTarget.Workspace),
        undefined,
        key,
      );
    }
  });

  it('applies a change while running, without a reload', async function () {
    const port = await freePort();
    await setSetting('port', port);
    await vscode.commands.executeCommand('kiroProxy.start');
    await setSetting('cooldownSeconds', 42);
    await waitFor(() => api.controller.currentConfig?.cooldownSeconds === 42, 'cooldownSeconds applied');
    await setSetting('truncationStrategy', 'summarise');
    await waitFor(() => api.controller.currentConfig?.truncation.summarise === true, 'truncation applied');
    const next = await freePort();
    await setSetting('port', next);
    await waitFor(async () => (await status(next)) === 200, 'the proxy on the new port');
    assert.equal(await status(port), 0, 'the old port is released');
    assert.equal(api.controller.state.port, next);
    await setSetting('cooldownSeconds', undefined);
    await setSetting('truncationStrategy', undefined);
  });

  it('never moves to another port when a foreign program holds it', async function () {
    const port = await freePort();
    const foreign = await fakeServer(port, 'foreign');
    try {
      await setSetting('port', port);
      await assert.rejects(api.controller.start(), /kiroProxy\.port/);
      assert.equal(api.controller.state.kind, 'error');
      assert.match(api.controller.state.message, new RegExp(`Port ${port}`));
      assert.equal(api.controller.lastStatus?.running ?? false, false);
    } finally {
      await foreign.close();
    }
  });

  it('follows another window that serves the port, and takes over when it closes', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const other = await fakeServer(port, 'kiro');
    await setSetting('port', port);
    await api.controller.start();
    assert.equal(api.controller.state.kind, 'other-window');
    await other.close();
    await waitFor(() => api.controller.state.kind === 'running', 'this window to take over', 20_000);
    assert.equal(api.controller.state.port, port);
    assert.equal(await status(port), 200);
  });
});
