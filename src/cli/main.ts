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
  return untilSignalled(proxy, logger);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kiro-proxy: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
