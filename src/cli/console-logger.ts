import type { Logger } from '../core/proxy-types.ts';

const ORDER = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 } as const;
export type LogLevel = keyof typeof ORDER;

/**
 * Headless logger: one line per message on stderr (stdout is kept for the ready line), every
 * line passed through `scrub` so no secret reaches the terminal or a captured log.
 */
export function createConsoleLogger(level: LogLevel, scrub: (text: string) => string, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const max = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, args: unknown[]) => {
    if (ORDER[lvl] > max) return;
    const extra = args.length ? ' ' + args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeJson(a))).join(' ') : '';
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${scrub(msg + extra)}\n`);
  };
  return {
    error: (m, ...a) => emit('error', m, a),
    warn: (m, ...a) => emit('warn', m, a),
    info: (m, ...a) => emit('info', m, a),
    debug: (m, ...a) => emit('debug', m, a),
    trace: (m, ...a) => emit('trace', m, a),
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
