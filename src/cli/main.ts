// Headless entry: `kiro-proxy` / `node dist/cli.js`. argv+env → config, file-backed secrets,
// console logger, signals. Prints exactly one ready line containing the URL on stdout.
import { parseCli, usage, CliUsageError } from './args.ts';
import { parseLoginArgs, runLogin, type LoginArgs } from './login.ts';
import { createConsoleLogger } from './console-logger.ts';
import { createProxy, type Proxy } from '../core/proxy.ts';
import type { Logger } from '../core/proxy-types.ts';
import { discoverCredentials } from '../core/accounts/credentials/discover.ts';
import { countStoredAccounts } from '../core/accounts/store/account-manager.ts';
import { createFileSecretStore } from '../core/accounts/store/file-secret-store.ts';
import { createSecretRegistry } from '../core/observe/redact.ts';
import { checkBindPolicy } from '../core/server/bind-policy.ts';
import { join } from 'node:path';
import { readSettingsFile, applySettings } from '../core/settings-file.ts';
import { parseStateKeys, STATE_KEY_ENV } from '../core/team/state-key.ts';
import { API_KEY_ARGV_WARNING, ApiKeyFileError, readApiKeyFile } from './api-key-file.ts';

const VERSION = '0.1.0';

type ParsedCli = ReturnType<typeof parseCli>;

/** argv + env → options (and the login sub-command), or the exit code when there is nothing to run. */
async function parseInvocation(): Promise<{ opts: ParsedCli; login: LoginArgs | undefined } | number> {
  let opts: ParsedCli;
  let login: LoginArgs | undefined;
  try {
    const argv = process.argv.slice(2);
    if (argv[0] === 'login') {
      login = parseLoginArgs(argv.slice(1));
      opts = parseCli(login.rest, process.env);
      // The login's own short-lived server never needs a fixed port.
      opts.config.port = 0;
    } else opts = parseCli(argv, process.env);
  } catch (err) {
    if (err instanceof CliUsageError) {
      process.stderr.write(`kiro-proxy: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`kiro-proxy ${VERSION}\n`);
    return 0;
  }
  if (opts.apiKeyInArgv) process.stderr.write(`kiro-proxy: warning: ${API_KEY_ARGV_WARNING}\n`);
  if (opts.apiKeyFile !== undefined) {
    try {
      const read = await readApiKeyFile(opts.apiKeyFile);
      opts.config.apiKey = read.key;
      if (read.warning) process.stderr.write(`kiro-proxy: warning: ${read.warning}\n`);
    } catch (err) {
      if (!(err instanceof ApiKeyFileError)) throw err;
      process.stderr.write(`kiro-proxy: ${err.message}\n`);
      return 2;
    }
  }
  return { opts, login };
}

/** Runs until SIGINT/SIGTERM, then stops the proxy; a second signal exits at once. */
function untilSignalled(proxy: Proxy, logger: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`kiro-proxy: ${signal} again, exiting now\n`);
        resolve(1);
        return;
      }
      stopping = true;
      logger.info(`${signal} received, stopping`);
      proxy.stop().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error(`error while stopping: ${err instanceof Error ? err.message : String(err)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

async function main(): Promise<number> {
  const parsed = await parseInvocation();
  if (typeof parsed === 'number') return parsed;
  const { opts, login } = parsed;
  const fileSettings = await readSettingsFile(opts.config.home);
  const config = applySettings(opts.config, fileSettings.settings, opts.explicit);
  const secrets = createSecretRegistry();
  const logger = createConsoleLogger(opts.logLevel, (t) => secrets.scrub(t));

  for (const p of fileSettings.problems) logger.warn(`settings: ${p}`);

  const bind = checkBindPolicy(config.host, config.apiKey, config.allowedHosts);
  if (!bind.ok) {
    process.stderr.write(`kiro-proxy: ${bind.message}\n`);
    return 2;
  }

  // Team mode refuses to start without a usable state key, before anything else (state-key.ts says how to make one).
  const stateKey = () => process.env[STATE_KEY_ENV];
  if (config.redisUrl) {
    try {
      parseStateKeys(stateKey());
    } catch (err) {
      process.stderr.write(`kiro-proxy: ${(err as Error).message}\n`);
      return 2;
    }
  }

  // What both the login run and the serving proxy are built with.
  const proxyDeps = {
    logger,
    secrets: createFileSecretStore(join(config.home, 'secrets.json')),
    secretRegistry: secrets,
    refreshJournal: true,
    teamStateKey: stateKey,
  };

  if (login) {
    const proxy = createProxy(config, proxyDeps);
    await proxy.start();
    try {
      await runLogin(login, proxy, (l) => process.stdout.write(l + '\n'));
      return 0;
    } catch (err) {
      process.stderr.write(`kiro-proxy: login failed: ${secrets.scrub((err as Error).message)}\n`);
      return 1;
    } finally {
      await proxy.stop();
    }
  }

  if (!config.mock) {
    const found = await discoverCredentials(config);
    for (const p of found.problems) logger.warn(`credentials: ${p}`);
    if (found.count === 0 && (await countStoredAccounts(config.home)) === 0 && !opts.mockExplicit) {
      config.mock = true;
      process.stderr.write(
        [
          '',
          '  No Kiro credentials found: running with the built-in MOCK upstream.',
          '  Answers are simulated. Log in with the Kiro IDE (~/.aws/sso/cache), or pass',
          '  --creds-file / --creds-base64 / --provider-pools-file, to use your real accounts. --mock silences this.',
          '',
        ].join('\n') + '\n',
      );
    }
  }

  const proxy = createProxy(config, { ...proxyDeps, persistSettings: true });
  let url: string;
  try {
    ({ url } = await proxy.start());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(`kiro-proxy: port ${config.port} on ${config.host} is already in use (choose another with --port)\n`);
      return 1;
    }
    process.stderr.write(`kiro-proxy: failed to start: ${secrets.scrub(e.message ?? String(err))}\n`);
    return 1;
  }
  process.stdout.write(`Kiro Proxy ${VERSION} listening on ${url}${config.mock ? ' (mock upstream)' : ''}\n`);

  return untilSignalled(proxy, logger);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kiro-proxy: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
