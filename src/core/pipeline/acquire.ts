// Stage 2 of a completion (completion.ts): where the answer's events will come from. Either the
// response cache has them (a replay, no account touched), or the pool hands out a lease on an
// account whose stream has begun — after the conversation was fitted to Kiro's limits and, when
// Kiro still says "too long", shortened and sent again (conversation/truncate-strategies.ts).
import type { NeutralEvent, NeutralRequest } from '../conversation/types.ts';
import type { UpstreamLease } from '../accounts/pool/pool-types.ts';
import type { ProxyConfig, RequestLogEntry } from '../proxy-types.ts';
import type { ResolvedModel } from '../kiro/models.ts';
import { normalise, type NormaliseResult } from '../conversation/normalise.ts';
import { createConversationFitter } from '../conversation/truncate-strategies.ts';
import { completionCacheKey, type CompletionCache } from './cache.ts';
import type { CompletionDeps } from './completion-types.ts';
import { conversationIdFor, stickyKeyFor } from './prepare.ts';

export type CacheRecorder = ReturnType<CompletionCache['record']>;

/** One request's way to its events; its fields are what is known so far (a failure leaves them as they were). */
export class Acquisition {
  /** The request as last sent (shorter than the client's after truncation). */
  request: NeutralRequest;
  norm: NormaliseResult | undefined;
  /** Turns dropped by truncation so far. */
  truncatedTurns = 0;
  /** The whole normalised request's estimate, set by the fitter before the first send. */
  estimatedInputTokens: number | undefined;
  lease: UpstreamLease | undefined;
  replay: readonly NeutralEvent[] | undefined;
  recorder: CacheRecorder | undefined;

  readonly #original: NeutralRequest;
  readonly #model: ResolvedModel;
  readonly #config: ProxyConfig;
  readonly #deps: CompletionDeps;
  readonly #log: RequestLogEntry;
  readonly #conversationId: string;
  /** Hashes the system text: once per request, not per upstream attempt. */
  readonly #stickyKey: string;

  constructor(request: NeutralRequest, model: ResolvedModel, config: ProxyConfig, deps: CompletionDeps, log: RequestLogEntry) {
    this.request = request;
    this.#original = request;
    this.#model = model;
    this.#config = config;
    this.#deps = deps;
    this.#log = log;
    this.#conversationId = conversationIdFor(request);
    this.#stickyKey = stickyKeyFor(request);
  }

  #normalise(r: NeutralRequest): NormaliseResult {
    return normalise(r, { modelId: this.#model.modelId, conversationId: this.#conversationId, logger: this.#deps.logger });
  }

  /** A cache hit (replay set) or a lease; throws what the pool or the fitter threw. */
  async run(signal: AbortSignal): Promise<void> {
    const { cache } = this.#deps;
    // Response cache: the key is the normalised request, so normalise up front; a hit replays the
    // stored answer through the same renderers without touching the pool.
    const responseCache = cache?.for(this.#config);
    let preNorm: NormaliseResult | undefined;
    if (responseCache && cache) {
      preNorm = this.#normalise(this.request);
      const key = completionCacheKey(preNorm, this.request);
      this.replay = cache.lookup(responseCache, key);
      if (this.replay) {
        this.norm = preNorm;
        this.#log.rules = preNorm.rules;
        this.#log.cached = true;
        return;
      }
      this.recorder = cache.record(responseCache, key);
    }
    this.lease = await this.#upstream(signal, preNorm);
  }

  /** Truncation strategies (conversation/truncate-strategies.ts): pre-send fitting, then error retry. */
  async #upstream(signal: AbortSignal, preNorm: NormaliseResult | undefined): Promise<UpstreamLease> {
    const deps = this.#deps;
    const fitter = createConversationFitter({
      request: this.request,
      config: this.#config.truncation,
      contextWindow: this.#model.contextWindow,
      normalise: (r) => (r === this.#original && preNorm ? preNorm : this.#normalise(r)),
      logger: deps.logger,
      completeText: deps.completeText,
      stickyKey: this.#stickyKey,
      signal,
    });
    let attempt = await fitter.initial();
    this.estimatedInputTokens = fitter.estimatedInputTokens();
    for (;;) {
      this.request = attempt.request;
      this.norm = attempt.norm;
      this.truncatedTurns = fitter.droppedTurns();
      this.#log.rules = attempt.norm.rules;
      try {
        return await deps.pool.execute({ body: attempt.norm.body, modelId: this.#model.modelId, stickyKey: this.#stickyKey, signal });
      } catch (err) {
        const next = await fitter.afterError(err);
        if (!next) throw err;
        attempt = next;
      }
    }
  }
}
