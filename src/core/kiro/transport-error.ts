// Maps failures below HTTP (socket, DNS, TLS, undici timeouts) to KiroUpstreamError, so the
// pool sees one error type. A caller's own abort is not an upstream failure: it is rethrown as
// the signal's reason untouched.
import { EventStreamError } from './frame-decoder.ts';
import { redactSecrets } from './redact.ts';
import { KiroUpstreamError } from './types.ts';

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: unknown): string {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return redactSecrets(code && !message.includes(code) ? `${code}: ${message}` : message);
}

/** For errors thrown before the response headers arrived. */
export function requestFailure(err: unknown, signal: AbortSignal, what: string): unknown {
  if (signal.aborted) return signal.reason ?? err;
  if (err instanceof KiroUpstreamError) return err;
  const code = codeOf(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new KiroUpstreamError({ cls: 'timeout', status: 0, message: `${what}: no response headers from Kiro in time`, cause: err });
  }
  return new KiroUpstreamError({ cls: 'network', status: 0, message: `${what}: ${describe(err)}`, cause: err });
}

/** For errors thrown while reading a 200 event stream. Decoder errors keep their own type. */
export function streamFailure(err: unknown, signal: AbortSignal, requestId: string | undefined): unknown {
  if (signal.aborted) return signal.reason ?? err;
  if (err instanceof EventStreamError || err instanceof KiroUpstreamError) return err;
  if (codeOf(err) === 'UND_ERR_BODY_TIMEOUT') {
    return new KiroUpstreamError({ cls: 'timeout', status: 200, message: 'Kiro stream stalled (no data in time)', requestId, cause: err });
  }
  return new KiroUpstreamError({ cls: 'network', status: 200, message: `Kiro stream broke: ${describe(err)}`, requestId, cause: err });
}
