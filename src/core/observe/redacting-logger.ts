// Wraps any host logger (console, VS Code LogOutputChannel) so nothing it prints can carry a
// token: the message and every argument pass through the redactor first.
import type { Logger } from '../proxy-types.ts';
import { redactObject, redactSecrets, type SecretRegistry } from './redact.ts';

export function withRedaction(logger: Logger, registry?: SecretRegistry): Logger {
  const wrap =
    (fn: (msg: string, ...args: unknown[]) => void) =>
    (msg: string, ...args: unknown[]): void => {
      fn(redactSecrets(msg, registry), ...args.map((a) => redactObject(a, registry)));
    };
  return {
    trace: wrap(logger.trace.bind(logger)),
    debug: wrap(logger.debug.bind(logger)),
    info: wrap(logger.info.bind(logger)),
    warn: wrap(logger.warn.bind(logger)),
    error: wrap(logger.error.bind(logger)),
  };
}
