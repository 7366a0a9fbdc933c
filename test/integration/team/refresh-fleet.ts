// The cast of the refresh tests: a strict fake token endpoint, in-process "instances" (each with
// its own Redis connections, lock, vault, events and coordinator), and instances in their own
// process (fixtures/refresh-instance.ts) for the crash tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import type { RedisServer } from '../../helpers/redis.ts';
import { teamKeys } from '../../../src/core/team/keys.ts';
import { RedisLock } from '../../../src/core/team/lock.ts';
import { TeamRefreshCoordinator } from '../../../src/core/team/refresh-coordinator.ts';
import { parseStateKeys } from '../../../src/core/team/state-key.ts';
import { RedisTeamEvents } from '../../../src/core/team/team-events.ts';
import { RedisTokenVault } from '../../../src/core/team/token-vault.ts';
import type { TokenRecord } from '../../../src/core/team/types.ts';
import { startFakeTokenServer, type FakeTokenServer } from './fake-token-server.ts';
import { lineLogger, openUp } from './helpers.ts';

const STATE_KEY = randomBytes(32).toString('base64');
const keyring = parseStateKeys(STATE_KEY);
export const ACCOUNT = 'sso-0123abcd';
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'refresh-instance.ts');

export async function tokenServer(t: TestContext, rt = 'rt-0'): Promise<FakeTokenServer> {
  const s = await startFakeTokenServer(rt);
  t.after(() => s.close());
  return s;
}

/** One in-process "instance": its own connections, lock, vault, events and coordinator. */
export async function instance(
  t: TestContext,
  redis: RedisServer,
  name: string,
  options: { keyPrefix?: string; lockTtlMs?: number; lapsedWriterGraceMs?: number } = {},
) {
  const logger = lineLogger();
  const keys = teamKeys(options.keyPrefix ?? 'crash-team');
  const connection = await openUp(t, redis.url, { logger });
  const events = await RedisTeamEvents.start({ connection, keys, instanceId: name, logger });
  const vault = new RedisTokenVault({ connection, keys, keyring, instanceId: name, logger });
  const lock = new RedisLock({ connection, keys, instanceId: name, logger });
  const coordinator = new TeamRefreshCoordinator({
    lock,
    vault,
    events,
    logger,
    ...(options.lockTtlMs ? { lockTtlMs: options.lockTtlMs } : {}),
    ...(options.lapsedWriterGraceMs ? { lapsedWriterGraceMs: options.lapsedWriterGraceMs } : {}),
  });
  t.after(() => {
    coordinator.dispose();
    events.dispose();
  });
  return { name, logger, connection, vault, coordinator, held: { gen: 0, tokens: { refreshToken: 'rt-0' } as TokenRecord['tokens'] } };
}

/**
 * The fixture bundled into one file, once per test process: a child then starts in a fraction of
 * the time that type-stripping the source graph takes on a loaded machine.
 */
let bundled: Promise<string> | undefined;
function bundledFixture(): Promise<string> {
  bundled ??= (async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'kiro-proxy-team-fixture-')), 'refresh-instance.mjs');
    await build({
      entryPoints: [FIXTURE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: out,
      logLevel: 'warning',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    return out;
  })();
  return bundled;
}

export async function runChild(redis: RedisServer, server: FakeTokenServer, heldGen: number, heldRt: string, mode?: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [await bundledFixture(), redis.url, server.url, ACCOUNT, String(heldGen), heldRt, ...(mode ? [mode] : [])], {
    env: { PATH: process.env['PATH'] ?? '', KIRO_PROXY_STATE_KEY: STATE_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    exited,
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err,
  };
}
