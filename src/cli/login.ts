// `kiro-proxy login google|github|builder-id|idc [--start-url URL] [--region R] [options]`:
// online login for headless users. The account is stored like an editor import (secrets in the
// 0600 secret file, label in config.json) and is served on every later start.
import { spawn } from 'node:child_process';
import { CliUsageError } from './args.ts';
import type { Proxy } from '../core/proxy.ts';

export interface LoginArgs {
  method: 'google' | 'github' | 'builder-id' | 'idc';
  startUrl?: string;
  region?: string;
  rest: string[];
}

export function parseLoginArgs(argv: string[]): LoginArgs {
  const method = argv[0];
  if (method !== 'google' && method !== 'github' && method !== 'builder-id' && method !== 'idc') {
    throw new CliUsageError('usage: kiro-proxy login google|github|builder-id|idc [--start-url URL --region R]');
  }
  const out: LoginArgs = { method, rest: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--start-url' || a === '--region') {
      const v = argv[++i];
      if (!v) throw new CliUsageError(`${a} needs a value`);
      if (a === '--start-url') out.startUrl = v;
      else out.region = v;
    } else out.rest.push(a);
  }
  if (method === 'idc' && !out.startUrl) throw new CliUsageError('login idc needs --start-url https://<org>.awsapps.com/start');
  return out;
}

/** Best effort: open the system browser; the URL is always printed too. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    /* printed below */
  }
}

export async function runLogin(args: LoginArgs, proxy: Proxy, out: (line: string) => void): Promise<void> {
  if (args.method === 'google' || args.method === 'github') {
    const view = await proxy.accounts.loginSocial(args.method === 'google' ? 'Google' : 'Github', (url) => {
      out(`Open this page to sign in:\n  ${url}`);
      openBrowser(url);
    });
    out(`Logged in: ${view.label} (${view.id})`);
    return;
  }
  const login = await proxy.accounts.startDeviceLogin({
    ...(args.startUrl ? { startUrl: args.startUrl } : {}),
    ...(args.region ? { region: args.region } : {}),
  });
  out(`Open ${login.verificationUriComplete ?? login.verificationUri} and confirm the code ${login.userCode}`);
  if (login.verificationUriComplete) openBrowser(login.verificationUriComplete);
  const view = await login.complete();
  out(`Logged in: ${view.label} (${view.id})`);
}
