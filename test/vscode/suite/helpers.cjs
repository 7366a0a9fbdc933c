// Shared helpers for the extension-host suite (runs inside VS Code's extension host).
const vscode = require('vscode');
const net = require('node:net');
const http = require('node:http');

const EXTENSION_ID = 'kiro-proxy.kiro-proxy';

async function extensionApi() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

function freePort() {
  return new Promise((ok, ko) => {
    const srv = net.createServer();
    srv.once('error', ko);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function status(port, path = '/health', headers = {}) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

async function waitFor(fn, what, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** An HTTP server on `port` that answers like another window's Kiro proxy (or like a foreign program). */
function fakeServer(port, kind) {
  const srv = http.createServer((req, res) => {
    if (kind === 'kiro') {
      res.writeHead(200, { 'content-type': 'application/json' });
      // What /health of a Kiro proxy says (the windows' probe reads it).
      res.end(
        JSON.stringify(req.url === '/health' ? { status: 'ok', service: 'kiro-proxy', instance: 'fake-other-window' } : { name: 'kiro-proxy', status: 'ok' }),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  return new Promise((ok, ko) => {
    srv.once('error', ko);
    srv.listen(port, '127.0.0.1', () =>
      ok({
        close: () =>
          new Promise((r) => {
            srv.close(() => r());
            srv.closeAllConnections();
          }),
      }),
    );
  });
}

function settings() {
  return vscode.workspace.getConfiguration('kiroProxy');
}

async function setSetting(key, value) {
  await settings().update(key, value, vscode.ConfigurationTarget.Global);
}

module.exports = { vscode, extensionApi, freePort, status, waitFor, fakeServer, settings, setSetting };
