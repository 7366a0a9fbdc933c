import { ProxyError, toProxyError } from '../errors.ts';
import { EventStreamError } from '../kiro/frame-decoder.ts';
import { KiroUpstreamError } from '../kiro/types.ts';
import { upstreamErrorToProxyError } from '../kiro/classify.ts';

/** Any failure of the upstream leg as the ProxyError a client sees (never with secrets in it). */
export function upstreamToProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  if (err instanceof KiroUpstreamError) return upstreamErrorToProxyError(err);
  if (err instanceof EventStreamError) {
    return new ProxyError('upstream', `Kiro sent a malformed event stream (${err.code})`, { code: 'BAD_EVENT_STREAM', cause: err });
  }
  return toProxyError(err);
}
