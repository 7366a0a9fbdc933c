// How a finished request counts, as its user counts it: answered, refused because of the request
// (4xx), failed (5xx, upstream), or given up by the client. One classification for every place
// that shows numbers (Logs, Service card, charts, account rows, /metrics), so they agree.
import type { RequestLogEntry } from '../proxy-types.ts';

/** nginx's "client closed request": the client went away before the response was complete. */
export const CLIENT_CLOSED_STATUS = 499;
const CLIENT_CLOSED_CLASS = 'client_closed_request';
const CLIENT_CLOSED_MESSAGE = 'the client closed the request before the answer was complete';

export type RequestOutcome = 'ok' | 'client_closed' | 'client_error' | 'error';

/**
 * The reason a request's work is aborted with when its client disconnects. Not a ProxyError:
 * nobody sees it as an answer, and the pool must not hold it against the account.
 */
export class ClientClosedError extends Error {
  constructor() {
    super(CLIENT_CLOSED_MESSAGE);
    this.name = 'ClientClosedError';
  }
}

export function isClientClosed(err: unknown): boolean {
  return err instanceof ClientClosedError;
}

export function outcomeOf(status: number): RequestOutcome {
  if (status === CLIENT_CLOSED_STATUS) return 'client_closed';
  if (status >= 500 || status === 0) return 'error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

/** Counted as an error in the Service card, the charts and the Logs' "Errors only" filter. */
export function isErrorStatus(status: number): boolean {
  const o = outcomeOf(status);
  return o === 'error' || o === 'client_error';
}

/** Marks a log entry as given up by its client (keeps what was known before, e.g. the account). */
export function markClientClosed(log: RequestLogEntry): void {
  log.status = CLIENT_CLOSED_STATUS;
  log.errorClass = CLIENT_CLOSED_CLASS;
  log.errorMessage = CLIENT_CLOSED_MESSAGE;
}

export interface OutcomeTally {
  requests: number;
  errors: number;
  aborted: number;
}

export function emptyTally(): OutcomeTally {
  return { requests: 0, errors: 0, aborted: 0 };
}

/** Adds one finished request to a tally (mutates and returns it). */
export function tallyStatus(t: OutcomeTally, status: number): OutcomeTally {
  t.requests++;
  const o = outcomeOf(status);
  if (o === 'client_closed') t.aborted++;
  else if (o !== 'ok') t.errors++;
  return t;
}
