// Stop then start on the same port, ten times in a row, while clients hold what real clients hold:
// an idle keep-alive connection (undici's pool, the SDKs' default) and an open event stream
// (/api/events, what other VS Code windows follow). Each stop must release the port completely
// before it returns, so the next start binds at once; /health names the same instance each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from '../../../src/core/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import { captureLogger, memorySecretStore } from '../../helpers/proxy.ts';

function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.once('error', ko);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/** GET with a keep-alive agent; the socket stays idle in the agent's pool afterwards. */
function keepAliveGet(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((ok, ko) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      })
      .on('error', ko);
  });
}

/** Opens /api/events and resolves once the first event arrived; `closed` settles when the server ends it. */
function openEvents(port: number): Promise<{ closed: Promise<void> }> {
  return new Promise((ok, ko) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { accept: 'text/event-stream' } }, (res) => {
      const closed = new Promise<void>((done) => {
        res.on('close', done);
        res.on('error', () => done());
      });
      res.once('data', () => ok({ closed }));
    });
    req.on('error', (err) => ko(err));
  });
}

test('restart ×10 on the same port with an idle keep-alive client and an open event stream', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-restart-'));
  const port = await freePort();
  const proxy = createProxy(
    defaultConfig({ port, host: '127.0.0.1', mock: true, home: join(dir, 'home'), ssoCache: join(dir, 'sso'), importSsoCacheOnStart: false }),
    {
      logger: captureLogger(),
      secrets: memorySecretStore(),
    },
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    let instance: string | undefined;
    for (let i = 0; i < 10; i++) {
      const started = await proxy.start();
      assert.equal(started.port, port, `restart ${i}: same port`);
      assert.equal(await keepAliveGet(agent, port, '/health'), 200);
      const events = await openEvents(port);
      const health = proxy.status();
      instance ??= health.instance;
      assert.equal(health.instance, instance, 'the same proxy keeps its instance id across restarts');
      await proxy.stop();
      // Stop returned: the event stream is over and nothing listens any more.
      await events.closed;
      await assert.rejects(keepAliveGet(new http.Agent({ keepAlive: false }), port, '/health'), /ECONNREFUSED/);
    }
  } finally {
    agent.destroy();
    await proxy.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
