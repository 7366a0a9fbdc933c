// The core's Logger on top of the one "Kiro Proxy" LogOutputChannel (level set by the user in the UI).
import type * as vscode from 'vscode';
import type { Logger } from '../core/proxy-types.ts';

export function channelLogger(channel: vscode.LogOutputChannel, component?: string): Logger {
  const p = component ? `[${component}] ` : '';
  return {
    trace: (msg, ...args) => channel.trace(p + msg, ...args),
    debug: (msg, ...args) => channel.debug(p + msg, ...args),
    info: (msg, ...args) => channel.info(p + msg, ...args),
    warn: (msg, ...args) => channel.warn(p + msg, ...args),
    error: (msg, ...args) => channel.error(p + msg, ...args),
  };
}
