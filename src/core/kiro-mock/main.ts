// Standalone mock for benchmarks and manual runs:
//   node src/core/kiro-mock/main.ts --port 0 [--host H] [--max-body-bytes N] [--seed N]
//        [--usage-limit N] [--no-split] [--creds-file PATH]
// Prints one JSON line: {"url", "credentialsFile", "credentials"} and serves until SIGINT/SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMockModeAccount } from './mock-mode.ts';
import { startMockKiro } from './server.ts';

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-body-bytes': { type: 'string' },
      seed: { type: 'string' },
      'usage-limit': { type: 'string' },
      'no-split': { type: 'boolean', default: false },
      'creds-file': { type: 'string' },
    },
  });
  const usageLimit = num(values['usage-limit'], 'usage-limit');
  const maxBodyBytes = num(values['max-body-bytes'], 'max-body-bytes');
  const seed = num(values.seed, 'seed');
  const mock = await startMockKiro({
    port: num(values.port, 'port') ?? 0,
    host: values.host,
    splitFrames: !values['no-split'],
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(seed !== undefined ? { seed } : {}),
    // A benchmark hammers one account; an unset limit must not turn into 402s halfway.
    usageLimit: usageLimit ?? Number.MAX_SAFE_INTEGER,
  });
  const credentials = createMockModeAccount(mock, { accessTokenTtlSeconds: 24 * 3600 });
  const ownDir = values['creds-file'] === undefined ? mkdtempSync(join(tmpdir(), 'kiro-mock-')) : undefined;
  const credentialsFile = values['creds-file'] ?? join(ownDir!, 'kiro-auth-token.json');
  writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ url: mock.url, credentialsFile, credentials })}\n`);

  const stop = () => {
    void mock.close().finally(() => {
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mock kiro failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
