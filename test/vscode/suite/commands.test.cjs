// Commands: contributed and registered; Start/Stop/Restart drive a real proxy; copy commands; import.
const assert = require('node:assert/strict');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { vscode, extensionApi, freePort, status, waitFor, setSetting } = require('./helpers.cjs');

describe('Kiro commands', function () {
  let api;
  let port;

  before(async function () {
    api = await extensionApi();
    port = await freePort();
    await setSetting('port', port);
  });

  after(async function () {
    await vscode.commands.executeCommand('kiroProxy.stop');
  });

  it('registers every command the manifest contributes', async function () {
    const ext = vscode.extensions.getExtension('kiro-proxy.kiro-proxy');
    const contributed = ext.packageJSON.contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(contributed.length >= 15);
    for (const c of ext.packageJSON.contributes.commands) assert.equal(c.category, 'Kiro', `${c.command} is in the Kiro category`);
  });

  it('Start Proxy listens on the configured port; /health answers', async function () {
    assert.equal(await status(port), 0);
    await vscode.commands.executeCommand('kiroProxy.start');
    assert.equal(api.controller.state.kind, 'running');
    assert.equal(api.controller.state.port, port);
    assert.equal(await status(port), 200);
  });

  it('requires the API key that Copy API Key puts on the clipboard', async function () {
    await vscode.commands.executeCommand('kiroProxy.copyApiKey');
    const key = await vscode.env.clipboard.readText();
    assert.match(key, /^kp-[A-Za-z0-9_-]{20,}$/);
    assert.equal(await status(port, '/v1/models'), 401);
    assert.equal(await status(port, '/v1/models', { authorization: `Bearer ${key}` }), 200);
  });

  it('Copy Base URL copies the address clients use', async function () {
    await vscode.commands.executeCommand('kiroProxy.copyBaseUrl');
    assert.equal(await vscode.env.clipboard.readText(), `http://127.0.0.1:${port}`);
  });

  it('Import Account from File adds the accounts of a credentials file', async function () {
    const dir = join(process.env.KIRO_TEST_SCRATCH, 'import');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'creds.json');
    writeFileSync(
      file,
      JSON.stringify({
        refreshToken: 'fake-refresh-import',
        accessToken: 'fake-access',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        authMethod: 'social',
        provider: 'Google',
      }),
    );
    const before = api.controller.accounts.length;
    await vscode.commands.executeCommand('kiroProxy.importAccountFile', vscode.Uri.file(file));
    await waitFor(() => api.controller.accounts.length === before + 1, 'the imported account');
    assert.ok(api.controller.accounts.some((a) => /Google/.test(a.label)));
  });

  it('Restart Proxy comes back on the same port', async function () {
    await vscode.commands.executeCommand('kiroProxy.restart');
    assert.equal(api.controller.state.kind, 'running');
    assert.equal(api.controller.state.port, port);
    assert.equal(await status(port), 200);
  });

  it('Stop Proxy closes the port', async function () {
    await vscode.commands.executeCommand('kiroProxy.stop');
    assert.equal(api.controller.state.kind, 'stopped');
    assert.equal(await status(port), 0);
  });
});
