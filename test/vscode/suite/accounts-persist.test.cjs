// An account taken from the SSO cache (what Scan Tokens and the start-up prompt do once the user
// picked a file) is the proxy's own: its tokens go to SecretStorage, never to settings or
// globalStorage files, and it is still there after Restart Proxy.
const assert = require('node:assert/strict');
const { readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { vscode, extensionApi, freePort, waitFor, setSetting } = require('./helpers.cjs');

describe('Kiro accounts imported from the SSO cache', function () {
  let api;

  before(async function () {
    api = await extensionApi();
    await setSetting('port', await freePort());
  });

  after(async function () {
    await vscode.commands.executeCommand('kiroProxy.stop');
  });

  it('Scan Tokens → Restart Proxy: the account is still there, its token only in SecretStorage', async function () {
    await vscode.commands.executeCommand('kiroProxy.start');
    assert.equal(api.controller.state.kind, 'running');
    const files = await api.controller.call('accounts.scanSso');
    const file = files.find((f) => f.path.endsWith('kiro-auth-token.json'));
    assert.ok(file, `the SSO cache token file is found (${JSON.stringify(files)})`);
    const imported = await api.controller.call('accounts.importSso', { path: file.path });
    assert.ok(imported.id);

    await vscode.commands.executeCommand('kiroProxy.restart');
    assert.equal(api.controller.state.kind, 'running');
    await waitFor(() => api.controller.accounts.some((a) => a.id === imported.id), 'the imported account after the restart');
    const again = api.controller.accounts.find((a) => a.id === imported.id);
    assert.equal(again.enabled, true);
    assert.notEqual(again.state, 'expired', again.stateReason);

    const home = process.env.KIRO_PROXY_HOME;
    const meta = join(home, 'config.json');
    assert.ok(existsSync(meta), 'the account is remembered in KIRO_PROXY_HOME/config.json');
    const text = readFileSync(meta, 'utf8');
    assert.ok(text.includes(imported.id));
    const token = JSON.parse(readFileSync(file.path, 'utf8')).refreshToken;
    assert.ok(!text.includes(token), 'config.json holds no token');
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('kiroProxy')).includes(token), 'settings hold no token');
  });
});
