// Restart ×10 in a row from the command, as a user clicking Restart does, while the clients a
// running proxy has are connected: a keep-alive HTTP client and an event-stream follower (what
// other windows hold). Every restart comes back on the same port; none reports "used by another
// program".
const assert = require('node:assert/strict');
const http = require('node:http');
const { vscode, extensionApi, freePort, status, setSetting } = require('./helpers.cjs');

function follow(port, key) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { accept: 'text/event-stream', authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      resolve(req);
    });
    req.on('error', () => resolve(req));
  });
}

describe('Kiro Restart Proxy', function () {
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

  it('restarts 10 times in a row with connected clients, never "used by another program"', async function () {
    this.timeout(90_000);
    await vscode.commands.executeCommand('kiroProxy.start');
    const key = await api.controller.apiKey();
    const agent = new http.Agent({ keepAlive: true });
    const errors = [];
    const sub = api.controller.onDidChangeState((s) => s.kind === 'error' && errors.push(s.message));
    try {
      for (let i = 0; i < 10; i++) {
        await new Promise((ok) => http.get({ host: '127.0.0.1', port, path: '/health', agent }, (res) => res.resume().on('end', ok)).on('error', ok));
        const follower = await follow(port, key);
        const t = Date.now();
        await vscode.commands.executeCommand('kiroProxy.restart');
        assert.equal(api.controller.state.kind, 'running', `restart ${i + 1}: ${JSON.stringify(api.controller.state)}`);
        assert.equal(api.controller.state.port, port);
        assert.equal(await status(port), 200);
        console.log(`      restart ${i + 1}: ${Date.now() - t} ms`);
        follower.destroy();
      }
      assert.deepEqual(errors, []);
    } finally {
      sub.dispose();
      agent.destroy();
    }
  });
});
