// kill -9 at random points of a token refresh. The proxy runs as a child process (the CLI,
// bundled once by this test as dist/cli.js is), the strict mock Kiro in this process delays its
// refresh answer and logs when it sent it, so each kill is known to have come before the refresh
// reached Kiro, while Kiro was answering (the old token is dead and the new one never arrived:
// nobody can save that account), or after the answer was sent. After every kill the proxy is
// restarted and asked to serve:
//   - before: the untouched token works;
//   - after, with the new token anywhere on disk (the refresh journal, the store, the creds file
//     or a leftover tmp):
//     the account works — this is the guarantee;
//   - after, with the new token nowhere on disk: the few milliseconds between the answer leaving
//     Kiro and the store's fsync. Counted and reported; the proxy must then say "log in again";
//   - during: the proxy must say "log in again" (true: Kiro killed the old token).
// Throughout, a poller checks that no credential file or temp file is ever readable by group or
// others, and after each restart no temp file is left.
// KIRO_CRASH_KILLS and KIRO_CRASH_WORKERS size the run: `npm test` makes 8 kills in 4 parallel
// workers (every restart after a kill waits up to 5 s for the lock lease the killed process held,
// so kills cost wall time, not CPU); the 50 are KIRO_CRASH_KILLS=50 (run it with a longer
// --test-timeout than run-tests.mjs's 120 s on a busy machine). KIRO_CRASH_TRACE=1 prints each kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildCli } from '../../../bench/lib/build.ts';
import { startMockKiro, type MockAccount, type MockKiro } from '../../../src/core/kiro-mock/index.ts';
import { tokenFile, chat } from './durability-harness.ts';

const KILLS = Number(process.env['KIRO_CRASH_KILLS'] ?? 8);
const WORKERS = Math.min(KILLS, Number(process.env['KIRO_CRASH_WORKERS'] ?? 4));
const REFRESH_DELAY_MS = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  bucket: 'before' | 'during' | 'after-saved' | 'after-in-flight';
  status: number;
  state: string | undefined;
  reason: string | undefined;
}

function startCli(cli: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir() },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((ok, ko) => {
    const t = setInterval(() => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearInterval(t);
        ok({ child, url: m[1]! });
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(t);
        ko(new Error(`proxy exited before it was ready: ${err}`));
      }
    }, 10);
  });
}

async function accountId(url: string): Promise<string> {
  const list = (await (await fetch(`${url}/loadbalancer/instances`)).json()) as { id: string }[];
  return list[0]!.id;
}

async function refreshVia(url: string, id: string): Promise<unknown> {
  const res = await fetch(`${url}/api/accounts.refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
  return res.json();
}

function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  return exited;
}

async function stopClean(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  await killHard(child);
}

/** Every file under the dirs whose mode lets group or others read it (lock directories aside). */
async function tooOpen(dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const s = await stat(join(d, name)).catch(() => undefined);
      if (s?.isFile() && (s.mode & 0o077) !== 0) out.push(`${name} ${(s.mode & 0o777).toString(8)}`);
    }
  }
  return out;
}

async function tmpFiles(dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) for (const name of await readdir(d).catch(() => [] as string[])) if (name.endsWith('.tmp')) out.push(name);
  return out;
}

async function onDisk(dirs: string[], token: string): Promise<boolean> {
  for (const d of dirs) {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const text = await readFile(join(d, name), 'utf8').catch(() => '');
      if (text.includes(token)) return true;
    }
  }
  return false;
}

async function worker(n: number, kills: number, cli: string, mock: MockKiro, violations: string[], outcomes: Outcome[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `kiro-crash-${n}-`));
  try {
    const credsDir = join(dir, 'creds');
    const home = join(dir, 'home');
    const sso = join(dir, 'sso');
    await mkdir(credsDir, { recursive: true });
    await mkdir(sso, { recursive: true });
    const file = join(credsDir, 'creds.json');
    const dirs = [credsDir, home, join(home, 'journal')];
    let account: MockAccount;
    const reseed = async () => {
      // The user logs in again: a fresh account in a fresh creds file.
      account = mock.addAccount({ id: `crash-${n}-${outcomes.length}-${Date.now()}`, rotateRefreshToken: true });
      await writeFile(file, JSON.stringify([tokenFile(account)], null, 2), { mode: 0o600 });
    };
    await reseed();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const v of await tooOpen(dirs)) violations.push(`worker ${n}: ${v}`);
        await sleep(10);
      }
    })();
    const args = [
      '--port',
      '0',
      '--home',
      home,
      '--sso-cache',
      sso,
      '--creds-file',
      file,
      '--kiro-endpoint',
      mock.url,
      '--kiro-auth-endpoint',
      mock.url,
      '--kiro-oidc-endpoint',
      mock.url,
      '--log-level',
      'error',
    ];
    let running: { child: ChildProcess; url: string } | undefined;
    try {
      // Each restart after a kill is also the proxy the next kill hits.
      running = await startCli(cli, args);
      for (let i = 0; i < kills; i++) {
        const a = account!;
        const { child, url } = running;
        const id = await accountId(url);
        const before = a.refreshToken;
        const seqBefore = mock.refreshLog.length;
        const t0 = Date.now();
        // Refresh Token (the command and dashboard button): a forced refresh.
        void refreshVia(url, id).catch(() => undefined);
        if (Math.random() < 0.2) {
          // Somewhere before the refresh reaches Kiro (lock, re-read).
          await sleep(Math.random() * 40);
        } else {
          // Somewhere from Kiro's receipt to well after its answer.
          const deadline = Date.now() + 10_000;
          while (!mock.refreshLog.some((e) => e.seq > seqBefore) && Date.now() < deadline) await sleep(1);
          await sleep(Math.random() * (REFRESH_DELAY_MS + 300));
        }
        const killAt = Date.now();
        await killHard(child);
        // Let a pending answer be made (the mock rotates when it answers, client gone or not).
        await sleep(REFRESH_DELAY_MS + 20);
        const entry = mock.refreshLog.filter((e) => e.seq > seqBefore && e.accountId === a.id).at(-1);
        const rotated = a.refreshToken !== before;
        let bucket: Outcome['bucket'];
        if (!entry || !rotated) bucket = 'before';
        else if (killAt < (entry.answeredAt ?? Infinity)) bucket = 'during';
        else bucket = (await onDisk(dirs, a.refreshToken)) ? 'after-saved' : 'after-in-flight';

        running = await startCli(cli, args);
        // A forced refresh proves the refresh token on disk is alive, then a request is served.
        await refreshVia(running.url, id).catch(() => undefined);
        const status = await chat(running.url, `after crash ${n}.${i}`).catch(() => 0);
        const inst = (await (await fetch(`${running.url}/loadbalancer/instances`)).json()) as { state: string; stateReason?: string }[];
        const leftovers = (await tmpFiles(dirs)).filter((name) => !name.includes(`.${running!.child.pid}.`));
        assert.deepEqual(leftovers, [], `worker ${n} kill ${i}: the restart removed every leftover temp file`);
        outcomes.push({ bucket, status, state: inst[0]?.state, reason: inst[0]?.stateReason });
        if (process.env['KIRO_CRASH_TRACE'])
          process.stderr.write(
            `worker ${n} kill ${i}: ${bucket} status ${status} in ${Date.now() - t0} ms (kill at +${killAt - t0} ms, Kiro got it at +${entry ? entry.receivedAt - t0 : '-'} answered +${entry?.answeredAt !== undefined ? entry.answeredAt - t0 : '-'}) ${inst[0]?.state ?? ''} ${inst[0]?.stateReason ?? ''}\n`,
          );
        if (status !== 200) {
          await stopClean(running.child);
          await reseed();
          running = await startCli(cli, args);
        }
      }
      await stopClean(running.child);
      assert.deepEqual(await tmpFiles(dirs), [], `worker ${n}: no temp file is left`);
    } finally {
      polling = false;
      await poller;
      if (running) await killHard(running.child);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test(
  `${KILLS} kill -9s at random points of a refresh: no account lost once its token is on disk, no tmp left, nothing readable beyond 0600`,
  { timeout: 600_000 },
  async (t) => {
    // The shipped form (as dist/cli.js), built from the current sources into a temp dir.
    const cli = await buildCli();
    t.after(() => rm(dirname(cli), { recursive: true, force: true }));
    const mock = await startMockKiro({ usageLimit: Number.MAX_SAFE_INTEGER, refreshDelayMs: REFRESH_DELAY_MS });
    t.after(() => mock.close());

    const started = Date.now();
    const violations: string[] = [];
    const outcomes: Outcome[] = [];
    const per = Array.from({ length: WORKERS }, (_, w) => Math.floor(KILLS / WORKERS) + (w < KILLS % WORKERS ? 1 : 0));
    await Promise.all(per.map((k, w) => worker(w, k, cli, mock, violations, outcomes)));

    const count = (b: Outcome['bucket']) => outcomes.filter((o) => o.bucket === b).length;
    t.diagnostic(
      `${outcomes.length} kills in ${((Date.now() - started) / 1000).toFixed(1)} s: before the refresh ${count('before')}, while Kiro answered ${count('during')}, after the answer with the token saved ${count('after-saved')}, after the answer before the save finished ${count('after-in-flight')}`,
    );
    assert.equal(outcomes.length, KILLS);
    assert.deepEqual([...new Set(violations)], [], 'no credential or temp file was ever readable beyond 0600');
    for (const o of outcomes) {
      if (o.bucket === 'before' || o.bucket === 'after-saved')
        assert.equal(o.status, 200, `${o.bucket}: the account works after the restart (${o.state}: ${o.reason ?? ''})`);
      else {
        // Kiro killed the old token and the new one never reached disk: the advice must be true.
        assert.equal(o.state, 'expired', JSON.stringify(o));
        assert.match(o.reason ?? '', /log in again/i);
      }
    }
  },
);
