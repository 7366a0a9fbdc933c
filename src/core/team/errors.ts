// Failures of team mode, as classes with stable codes so the wiring can tell "Redis is not there,
// use local state" (TeamUnavailableError) from a real conflict or a bad configuration; and how
// team code logs a failure it survives (messageOf, callListener).
import type { Logger } from '../proxy-types.ts';

export type TeamErrorCode =
  | 'unavailable' // Redis is down or did not answer in time: fall back to local state
  | 'lock_timeout' // waited the bounded time for a lock another instance holds
  | 'bad_state_key' // KIRO_PROXY_STATE_KEY missing or malformed
  | 'decrypt_failed' // a sealed token could not be opened (wrong key, moved or tampered ciphertext)
  | 'bad_config'; // invalid prefix, account id, URL

export class TeamError extends Error {
  readonly code: TeamErrorCode;
  constructor(code: TeamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'TeamError';
    this.code = code;
  }
}

/** Redis cannot serve this call now. Never retried internally: the caller falls back at once. */
export class TeamUnavailableError extends TeamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
    this.name = 'TeamUnavailableError';
  }
}

/**
 * Structural, not `instanceof`: the shipped bundles load team mode from a separate file
 * (dist/team.js), whose TeamError class is not the one the CLI or core bundle holds.
 */
export function isTeamUnavailable(err: unknown): err is TeamUnavailableError {
  return err instanceof Error && (err.name === 'TeamError' || err.name === 'TeamUnavailableError') && (err as { code?: unknown }).code === 'unavailable';
}

/** The message of whatever was thrown, for a log line. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Calls a listener; one that throws is logged, never allowed to break the caller's loop. */
export function callListener(fn: () => void, logger: Pick<Logger, 'error'>): void {
  try {
    fn();
  } catch (err) {
    logger.error(`[team] listener failed: ${messageOf(err)}`);
  }
}
