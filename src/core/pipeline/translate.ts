// Stage 3 of a completion (completion.ts): Kiro's events → the neutral events a dialect renders,
// through the stream assembler and the output limiter (max_tokens, stop sequences), or a cached
// answer replayed as it was recorded. Tracks what the log wants (first token, usage, the body).
import type { NeutralEvent, NeutralRequest, NeutralUsage } from '../conversation/types.ts';
import type { UpstreamLease } from '../accounts/pool/pool-types.ts';
import type { Logger, RequestLogEntry } from '../proxy-types.ts';
import type { NormaliseResult } from '../conversation/normalise.ts';
import { createStreamAssembler } from '../conversation/from-kiro/stream-assembler.ts';
import { createOutputLimiter } from '../dialects/output-limits.ts';
import { ResponseBodyCapture } from './log-bodies.ts';
import type { CacheRecorder } from './acquire.ts';

/** Takes one event; false to stop (client gone), a promise while the client's socket is full. */
export type Emit = (ev: NeutralEvent) => boolean | Promise<boolean>;
/** Why the events stopped: all delivered, the client stopped taking them, or the output limit. */
export type PumpEnd = 'done' | 'client_gone' | 'limit';

export interface TranslationSource {
  request: NeutralRequest;
  norm: NormaliseResult;
  lease: UpstreamLease | undefined;
  replay: readonly NeutralEvent[] | undefined;
  recorder: CacheRecorder | undefined;
}

export class Translation {
  usage: NeutralUsage | undefined;
  firstTokenAt: number | undefined;
  readonly #src: TranslationSource;
  readonly #now: () => number;
  readonly #capture: ResponseBodyCapture | undefined;
  readonly #assembler: ReturnType<typeof createStreamAssembler>;
  readonly #limiter: ReturnType<typeof createOutputLimiter>;
  #emit: Emit = () => true;

  constructor(src: TranslationSource, o: { estimatedInputTokens: number; contextWindow: number; logger: Logger; logBodies: boolean; now: () => number }) {
    this.#src = src;
    this.#now = o.now;
    this.#capture = o.logBodies ? new ResponseBodyCapture() : undefined;
    const req = src.request;
    this.#assembler = createStreamAssembler({
      toolNames: src.norm.toolNames,
      thinkingTags: req.thinking !== undefined,
      estimatedInputTokens: o.estimatedInputTokens,
      contextWindow: o.contextWindow,
      logger: o.logger,
    });
    this.#limiter = createOutputLimiter(
      { ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}), ...(req.stopSequences ? { stopSequences: req.stopSequences } : {}) },
      o.estimatedInputTokens,
    );
  }

  /** Fills the log entry's first-token time, usage and (logBodies) response body. */
  record(log: RequestLogEntry, startedAt: number): void {
    if (this.firstTokenAt !== undefined) log.firstTokenMs = this.firstTokenAt - startedAt;
    const usage = this.usage;
    if (usage) {
      log.inputTokens = usage.inputTokens;
      log.outputTokens = usage.outputTokens;
      // A replayed answer cost no credits.
      if (usage.credits !== undefined && !this.#src.replay) log.credits = usage.credits;
    }
    if (this.#capture) log.responseBody = this.#capture.text();
  }

  /** The answer was complete: the cache may keep it. */
  commit(): void {
    this.#src.recorder?.commit();
  }

  /** The answer was not complete (failure, client gone): nothing is stored. */
  discard(): void {
    this.#src.recorder?.abort();
  }

  /** Every event to `emit` until the end, the client stops taking them, or the output limit. */
  async pump(emit: Emit): Promise<PumpEnd> {
    this.#emit = emit;
    const { replay, lease } = this.#src;
    if (replay) {
      // A cache hit: already limited when it was recorded (and no recorder is open for it).
      for (const ev of replay) {
        const ok = this.#deliver(ev);
        if (ok === false || (ok !== true && !(await ok))) return 'done';
      }
      return 'done';
    }
    for await (const kev of lease!.events) {
      const r = this.#forward(this.#assembler.push(kev));
      if (r === true) continue;
      if (r === false || !(await r)) return this.#limiter.stopped() ? 'limit' : 'client_gone';
    }
    await this.#forward(this.#assembler.finish());
    return 'done';
  }

  #deliver(out: NeutralEvent): boolean | Promise<boolean> {
    if (this.firstTokenAt === undefined && out.type !== 'end') this.firstTokenAt = this.#now();
    if (out.type === 'end') this.usage = out.usage;
    this.#src.recorder?.push(out);
    this.#capture?.push(out);
    return this.#emit(out);
  }

  /**
   * One batch of assembled events through the limiter to the client. Synchronous while every
   * write is taken at once (the common case): a promise and a suspension per event were
   * measurable; only a write that has to wait makes the rest of the batch asynchronous.
   */
  #forward(evs: NeutralEvent[]): boolean | Promise<boolean> {
    const limiter = this.#limiter;
    for (let i = 0; i < evs.length; i++) {
      const outs = limiter.push(evs[i]!);
      for (let j = 0; j < outs.length; j++) {
        const ok = this.#deliver(outs[j]!);
        if (ok === true) continue;
        if (ok === false) return false;
        // The limiter's output does not depend on the writes, so the rest can be limited now.
        const rest = outs.slice(j + 1);
        for (const ev of evs.slice(i + 1)) rest.push(...limiter.push(ev));
        return this.#drainAfter(ok, rest);
      }
      if (limiter.stopped()) return false;
    }
    return true;
  }

  /** The rest of a batch after a write that had to wait (backpressure). */
  async #drainAfter(pending: Promise<boolean>, rest: NeutralEvent[]): Promise<boolean> {
    if (!(await pending)) return false;
    for (const out of rest) {
      const ok = this.#deliver(out);
      if (ok === false || (ok !== true && !(await ok))) return false;
    }
    return !this.#limiter.stopped();
  }
}
