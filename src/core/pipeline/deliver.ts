// Stage 4 of a completion (completion.ts): the translated events to the client — as they come
// (SSE in the dialect's encoding) or collected into one JSON answer. A failure after the answer
// began is rendered here (in-stream error event, or the HTTP error of a non-streamed request);
// the lease and the cache recorder are settled by the caller, once, from what this returns.
import type { Dialect, ResponseMeta } from '../dialects/types.ts';
import type { NeutralEvent, NeutralRequest } from '../conversation/types.ts';
import type { RequestLogEntry } from '../proxy-types.ts';
import { ProxyError } from '../errors.ts';
import { collectResult } from '../dialects/collect.ts';
import { upstreamToProxyError } from './upstream-error.ts';
import { ClientClosedError } from '../observe/request-outcome.ts';
import type { CompletionReply } from './reply.ts';
import { scrubError, sendError } from './reply.ts';
import type { ResponseSink } from './response-sink.ts';
import type { CompletionDeps } from './completion-types.ts';
import type { PumpEnd, Translation } from './translate.ts';

/** The client's side of the exchange: whether it left, and the signal that stops the upstream when it does. */
export class ClientWatch {
  gone = false;
  readonly #abort = new AbortController();
  readonly #unsubscribe: () => void;

  constructor(sink: ResponseSink) {
    // A client that leaves before the answer is complete: its own outcome (499), nobody's error.
    this.#unsubscribe = sink.onClientGone(() => this.left());
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  left(): void {
    this.gone = true;
    this.#abort.abort(new ClientClosedError());
  }

  /** How the events stopped → what the upstream is told. */
  ended(end: PumpEnd): void {
    if (end === 'client_gone') this.left();
    else if (end === 'limit') this.#abort.abort(new ProxyError('internal', 'output limit reached'));
  }

  stop(): void {
    this.#unsubscribe();
  }
}

export interface Delivery {
  dialect: Dialect;
  request: NeutralRequest;
  meta: ResponseMeta;
  reply: CompletionReply;
  sink: ResponseSink;
  translation: Translation;
  client: ClientWatch;
  log: RequestLogEntry;
  deps: CompletionDeps;
}

/** The events as they come; resolves with the failure (already told to the client), if any. */
export async function deliverStream(d: Delivery): Promise<{ failure: unknown } | undefined> {
  const sse = d.reply.openStream();
  const encoder = d.dialect.createStreamEncoder(d.request, d.meta);
  try {
    await sse.write(encoder.start());
    d.client.ended(await d.translation.pump((ev) => sse.write(encoder.event(ev))));
    // A client that left mid-way stores nothing.
    if (!d.client.gone) d.translation.commit();
    return undefined;
  } catch (err) {
    if (d.client.gone) return { failure: err };
    const perr = scrubError(upstreamToProxyError(err), d.deps);
    d.log.status = perr.status;
    d.log.errorClass = perr.code ?? perr.kind;
    d.log.errorMessage = perr.message;
    if (!sse.isClosed) await sse.write(encoder.error(perr));
    return { failure: err };
  } finally {
    d.reply.dispose();
    sse.end();
  }
}

/** The events collected into one JSON answer; resolves with the failure (already told to the client), if any. */
export async function deliverJson(d: Delivery): Promise<{ failure: unknown } | undefined> {
  try {
    const events: NeutralEvent[] = [];
    d.client.ended(
      await d.translation.pump((ev) => {
        events.push(ev);
        return true;
      }),
    );
    if (d.client.gone) throw new ClientClosedError();
    const result = collectResult(events);
    // Stored before the answer goes out, as a streamed answer is stored before its end.
    d.translation.commit();
    d.reply.sendJson(JSON.stringify(d.dialect.renderResult(d.request, result, d.meta)));
    return undefined;
  } catch (err) {
    d.reply.dispose();
    if (!d.client.gone) sendError(d.dialect, d.sink, scrubError(upstreamToProxyError(err), d.deps), d.log);
    return { failure: err };
  }
}
