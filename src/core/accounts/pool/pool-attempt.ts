// One upstream attempt on one account: token → send → peek the first meaningful event under the
// first-token timeout. Nothing has reached the client yet, so every failure here can still fail
// over; the pool decides what to do with it.
import { classifyStreamException } from '../../kiro/classify.ts';
import type { KiroEvent } from '../../kiro/kiro-event.ts';
import { redactSecrets } from '../../kiro/redact.ts';
import { KiroUpstreamError, type KiroAccountContext, type KiroClient } from '../../kiro/types.ts';
import type { KiroRequestBody } from '../../kiro/wire.ts';
import type { Clock } from '../../proxy-types.ts';
import type { AccountTokenSource } from './pool-account.ts';
import { abortable } from '../../abortable.ts';

export interface AttemptInput {
  client: KiroClient;
  clock: Pick<Clock, 'setTimeout'>;
  tokens: AccountTokenSource;
  context: Omit<KiroAccountContext, 'accessToken'>;
  body: KiroRequestBody;
  forceRefresh: boolean;
  /** The token upstream rejected last time, so a concurrent refresh is not repeated. */
  rejectedToken: string | undefined;
  /** The request's signal (client abort + overall timeout). */
  signal: AbortSignal;
  /** 0 = none. */
  firstTokenTimeoutMs: number;
}

export type AttemptResult =
  | {
      ok: true;
      requestId: string | undefined;
      /** Events read while peeking, in order; the lease replays them first. */
      peeked: KiroEvent[];
      iterator: AsyncIterator<KiroEvent>;
      /** Aborting it ends the upstream call; the lease owns it from here. */
      controller: AbortController;
    }
  | { ok: false; kind: 'upstream'; error: KiroUpstreamError; token: string }
  | { ok: false; kind: 'token'; message: string; needsLogin: boolean };

/** Events that say nothing about whether the answer is coming. */
const PRELUDE = new Set<KiroEvent['type']>(['initialResponse', 'unknown']);

/** Throws only the request signal's reason (client abort / overall timeout); everything else is a result. */
export async function runAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { signal } = input;
  signal.throwIfAborted();
  const controller = new AbortController();
  const unlink = link(signal, controller);

  let token: string;
  try {
    token = await input.tokens.getAccessToken({
      signal: controller.signal,
      ...(input.forceRefresh ? { forceRefresh: true } : {}),
      ...(input.rejectedToken !== undefined ? { rejectedToken: input.rejectedToken } : {}),
    });
  } catch (err) {
    unlink();
    signal.throwIfAborted();
    const message = redactSecrets(err instanceof Error ? err.message : String(err));
    return { ok: false, kind: 'token', message: `token refresh failed: ${message}`, needsLogin: input.tokens.state === 'needs_login' };
  }

  let timedOut = false;
  const timer =
    input.firstTokenTimeoutMs > 0
      ? input.clock.setTimeout(() => {
          timedOut = true;
          controller.abort(timeoutError(input.firstTokenTimeoutMs));
        }, input.firstTokenTimeoutMs)
      : undefined;
  let iterator: AsyncIterator<KiroEvent> | undefined;
  const fail = (err: unknown): AttemptResult => {
    timer?.clear();
    controller.abort();
    unlink();
    void iterator?.return?.().catch(() => undefined);
    signal.throwIfAborted();
    return { ok: false, kind: 'upstream', error: timedOut ? timeoutError(input.firstTokenTimeoutMs) : asUpstreamError(err), token };
  };

  try {
    const sent = input.client.generateAssistantResponse(input.body, { ...input.context, accessToken: token }, controller.signal);
    // If the answer arrives after we gave up on it, close its stream instead of leaking the connection.
    const response = await abortable(
      sent,
      controller.signal,
      (late) =>
        void late.events[Symbol.asyncIterator]()
          .return?.()
          .catch(() => undefined),
    );
    iterator = response.events[Symbol.asyncIterator]();
    const peeked: KiroEvent[] = [];
    for (;;) {
      const r = await abortable(iterator.next(), controller.signal);
      if (r.done) {
        if (peeked.length === 0)
          return fail(new KiroUpstreamError({ cls: 'server', status: 502, message: 'Kiro ended the stream without any event', requestId: response.requestId }));
        break;
      }
      const ev = r.value;
      if (ev.type === 'exception' || ev.type === 'error') {
        const classified =
          ev.type === 'exception'
            ? classifyStreamException(ev.exceptionType, ev.message, ev.reason, response.requestId)
            : classifyStreamException(ev.code, ev.message, undefined, response.requestId);
        // An output-limit exception is part of an answer, not a failed start: let the translator end it.
        if (classified.cls !== 'content_too_long') return fail(classified);
      }
      peeked.push(ev);
      if (!PRELUDE.has(ev.type)) break;
    }
    timer?.clear();
    // The controller must keep following the request signal while the lease streams; the lease unlinks.
    return { ok: true, requestId: response.requestId, peeked, iterator, controller };
  } catch (err) {
    return fail(err);
  }
}

function timeoutError(ms: number): KiroUpstreamError {
  return new KiroUpstreamError({ cls: 'timeout', status: 504, message: `Kiro sent no first event within ${Math.round(ms / 1000)} s` });
}

function asUpstreamError(err: unknown): KiroUpstreamError {
  if (err instanceof KiroUpstreamError) return err;
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  return new KiroUpstreamError({ cls: 'network', status: 0, message: `Kiro request failed: ${message}`, cause: err });
}

/** Makes `child` abort when `parent` does; returns the unlink. */
export function link(parent: AbortSignal, child: AbortController): () => void {
  if (parent.aborted) {
    child.abort(parent.reason);
    return () => undefined;
  }
  const onAbort = () => child.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return () => parent.removeEventListener('abort', onAbort);
}
