// Contract between the request pipeline and the account pool.
import type { KiroEvent } from '../../kiro/kiro-event.ts';
import type { KiroRequestBody } from '../../kiro/wire.ts';

export interface UpstreamRequest {
  /** Normalised body without profileArn (the pool adds the chosen account's). */
  body: KiroRequestBody;
  modelId: string;
  /** Conversation key for stickiness (Claude Code session id or a hash of the first turns). */
  stickyKey?: string;
  signal: AbortSignal;
}

export interface UpstreamLease {
  accountId: string;
  accountLabel: string;
  requestId: string | undefined;
  /** Number of upstream attempts this request took (1 = first try succeeded). */
  attempts: number;
  /**
   * The account's event stream, starting with the events already peeked before committing.
   * Errors after this point are not failed over (bytes may have reached the client).
   */
  events: AsyncIterable<KiroEvent>;
  /**
   * Report the outcome once the stream is fully consumed or abandoned. `clientClosed`: the client
   * went away mid-answer, which says nothing about the account (counted apart, never an error).
   */
  release(outcome: { ok: boolean; error?: unknown; clientClosed?: boolean; inputTokens?: number; outputTokens?: number; credits?: number }): void;
}

export interface AccountPool {
  /**
   * Picks an account, sends, and fails over before the first event reached the caller.
   * Throws ProxyError (rate_limit / unavailable with retryAfterSeconds, or the upstream's own
   * 4xx mapped) when no account can serve.
   */
  execute(req: UpstreamRequest): Promise<UpstreamLease>;
}
