// Shared bits of the team-mode tests: a logger that keeps its lines (to assert on what an
// operator would read, and that no secret appears), and a connection opened against a test server.
import type { TestContext } from 'node:test';
import type { Logger } from '../../../src/core/proxy-types.ts';
import { TeamConnection, type TeamConnectionOptions } from '../../../src/core/team/connection.ts';

export interface LineLogger extends Logger {
  lines: string[];
  text(): string;
}

export function lineLogger(): LineLogger {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (msg: string, ...args: unknown[]) =>
      void lines.push(`${level} ${msg}${args.length ? ' ' + args.map(String).join(' ') : ''}`);
  return { lines, text: () => lines.join('\n'), trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Opens a connection for one test, waits until it is up, and closes it when the test ends. */
export async function openUp(t: TestContext, url: string, options: Partial<TeamConnectionOptions> = {}): Promise<TeamConnection> {
  // A generous command timeout: the tests share a loaded 2-core machine (the hang test sets its own).
  const conn = await TeamConnection.open({ url, logger: options.logger ?? lineLogger(), commandTimeoutMs: 5000, ...options });
  t.after(() => conn.close());
  await conn.waitUntilUp(AbortSignal.timeout(15_000));
  return conn;
}

/** Polls until `check` holds or the time is up (for asynchronous effects such as pub/sub). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const never = new AbortController().signal;
