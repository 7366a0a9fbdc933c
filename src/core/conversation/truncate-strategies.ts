// The truncation strategies as the pipeline runs them (ProxyConfig.truncation, combinable):
//   autoTruncate  before sending, keep the serialized Kiro body under maxRequestBytes;
//   preEstimate   before sending, keep the estimated input under the model's context window minus
//                 an output reserve; the real tokenizer (tokenizer.ts) is consulted only when the
//                 fast estimate is near the limit;
//   errorRetry    when Kiro says the input is too long (upstream class content_too_long) drop more and retry, geometrically (30%, 40%,
//                 then 50% of what is left each time), ending with a clear 400 when nothing can go;
//   summarise     replace what was dropped by a short summary (summarise.ts).
// Every drop is decided against the original request (truncate.ts units, oldest first), so the
// state is one number: how many units are gone. The estimate clients see (meta.estimatedInputTokens,
// count_tokens) is of the whole normalised request, before any truncation: it tells the client how
// big its conversation really is, which is what makes it compact in time.
import type { KiroRequestBody } from '../kiro/wire.ts';
import { upstreamErrorClassOf } from '../kiro/types.ts';
import type { Logger, TruncationConfig } from '../proxy-types.ts';
import type { NeutralRequest } from './types.ts';
import type { NormaliseResult } from './normalise.ts';
import { ProxyError } from '../errors.ts';
import { estimateKiroBodyTokens, estimateRequestTokens } from './estimate.ts';
import { inputTokensOf } from './estimate-input.ts';
import { applyDrop, dropUnits, type DropUnit, type TruncationResult } from './truncate.ts';
import { createTokenizer, type Tokenizer } from './tokenizer.ts';
import { summariseDropped, summaryCacheFor, withSummary, type CompleteText, type SummaryCache } from './summarise.ts';

const TOO_LONG_CODE = 'CONTENT_LENGTH_EXCEEDS_THRESHOLD';
/** Room kept under maxRequestBytes for what is added after normalising (profileArn) and a summary. */
const BYTE_HEADROOM = 2_048;
const SUMMARY_HEADROOM = 3_000;
/** The fast estimate must reach this share of the limit before the tokenizer is consulted. */
const TOKENIZER_THRESHOLD = 0.85;
const RETRY_FRACTIONS = [0.3, 0.4, 0.5];
const MAX_FIT_ROUNDS = 6;

interface Attempt {
  request: NeutralRequest;
  norm: NormaliseResult;
}

export interface FitterOptions {
  request: NeutralRequest;
  config: TruncationConfig;
  contextWindow: number;
  /** normalise() with the request's model and conversation id. */
  normalise(req: NeutralRequest): NormaliseResult;
  logger: Logger;
  /** Writes summaries (summarise strategy): injected, implemented over the account pool by the pipeline. */
  completeText: CompleteText;
  stickyKey: string;
  signal: AbortSignal;
  tokenizer?: Tokenizer;
  summaryCache?: SummaryCache;
}

export interface ConversationFitter {
  /** Normalise (and pre-truncate when configured) for the first send. */
  initial(): Promise<Attempt>;
  /** Estimated input tokens of the whole normalised request (set by initial()). */
  estimatedInputTokens(): number;
  /**
   * After an upstream failure: the next, shorter attempt; undefined when `err` is not "too long" or
   * error retry is off (rethrow it). Throws the final 400 when nothing more can be dropped.
   */
  afterError(err: unknown): Promise<Attempt | undefined>;
  /** Units dropped so far (for the header, the log and the metric). */
  droppedTurns(): number;
}

/** Kiro's own verdict, typed (the pool's error carries the classified upstream error as its cause). */
function isTooLong(err: unknown): boolean {
  return upstreamErrorClassOf(err) === 'content_too_long';
}

/** The clear 400 a client gets when even the shortest conversation does not fit. */
export function tooLongError(droppedTurns: number, cause?: unknown): ProxyError {
  const after = droppedTurns > 0 ? ` even after dropping its ${droppedTurns} oldest turn(s)` : '';
  return new ProxyError(
    'invalid_request',
    `The conversation is too long for Kiro${after}: the system prompt, tool definitions and current message alone exceed the upstream input limit. Run /compact or /clear (or start a new conversation), or shorten the current message.`,
    { code: TOO_LONG_CODE, ...(cause !== undefined ? { cause } : {}) },
  );
}

function bodyBytes(body: KiroRequestBody): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

/** Output tokens kept free in the context window when pre-estimating. */
function outputReserve(req: NeutralRequest, contextWindow: number): number {
  return Math.min(req.maxTokens ?? 16_000, Math.floor(contextWindow / 4));
}

export function createConversationFitter(o: FitterOptions): ConversationFitter {
  const original = o.request;
  const cfg = o.config;
  let units: DropUnit[] | undefined;
  let count = 0;
  let retries = 0;
  let estimated = 0;
  let current: TruncationResult | undefined;
  const total = () => (units ??= dropUnits(original.messages));
  const weightLeft = () => {
    let w = estimateRequestTokens(original);
    for (const u of total().slice(0, count)) w -= u.weight;
    return Math.max(1, w);
  };
  /** Drops at least one more unit, and more until `weight` more is gone. False when none is left. */
  const dropMore = (weight: number): boolean => {
    const all = total();
    if (count >= all.length) return false;
    let gone = 0;
    do gone += all[count++]!.weight;
    while (count < all.length && gone < weight);
    return true;
  };

  const build = async (why: string, before: string): Promise<Attempt> => {
    if (count === 0) return { request: original, norm: o.normalise(original) };
    current = applyDrop(original, total(), count);
    let request = current.request;
    if (cfg.summarise) {
      const summary = await summariseDropped(current.dropped, {
        completeText: o.completeText,
        cache: o.summaryCache ?? summaryCacheFor(o.completeText),
        stickyKey: o.stickyKey,
        signal: o.signal,
        logger: o.logger,
        ...(cfg.summaryModel ? { modelId: cfg.summaryModel } : {}),
      });
      if (summary) request = withSummary(request, summary, current.droppedTurns);
    }
    const norm = o.normalise(request);
    o.logger.debug(
      `truncation (${why}): dropped ${current.droppedTurns} oldest turn(s) (${current.droppedMessages} message(s)) of ${total().length} droppable; ${before}`,
    );
    return { request, norm };
  };

  /** Pre-send: shrink until `measure` ≤ `limit` or nothing more can go. */
  const fit = async (attempt: Attempt, why: string, limit: number, measure: (body: KiroRequestBody) => Promise<number> | number): Promise<Attempt> => {
    let a = attempt;
    let m = await measure(a.norm.body);
    for (let round = 0; m > limit && round < MAX_FIT_ROUNDS; round++) {
      // Excess in the measure's unit → the same share of the request's estimated weight, +5%.
      const share = (m - limit) / m;
      if (!dropMore(weightLeft() * share * 1.05)) {
        o.logger.debug(`truncation (${why}): still ${m} > ${limit} with nothing more to drop; sending anyway`);
        break;
      }
      const before = `${m} > ${limit}`;
      a = await build(why, before);
      m = await measure(a.norm.body);
    }
    return a;
  };

  return {
    // Methods, not getters: an object literal with accessors gets its own hidden class in old
    // space per request, which drags the request's closures through every scavenge (GC pauses).
    estimatedInputTokens: () => estimated,
    droppedTurns: () => (current && count > 0 ? current.droppedTurns : 0),

    async initial() {
      let a: Attempt = { request: original, norm: o.normalise(original) };
      estimated = inputTokensOf(a.norm);
      if (cfg.autoTruncate) {
        const budget = Math.max(1, cfg.maxRequestBytes - BYTE_HEADROOM - (cfg.summarise ? SUMMARY_HEADROOM : 0));
        a = await fit(a, 'auto', budget, bodyBytes);
      }
      if (cfg.preEstimate && o.contextWindow > 0) {
        const limit = o.contextWindow - outputReserve(original, o.contextWindow);
        const fast = estimateKiroBodyTokens(a.norm.body);
        if (fast >= limit * TOKENIZER_THRESHOLD) {
          // Near the limit: count once with the tokenizer and scale later fast estimates by it.
          const tokenizer = o.tokenizer ?? createTokenizer();
          const exact = await tokenizer.countKiroBody(a.norm.body);
          const ratio = exact / Math.max(1, fast);
          a = await fit(a, 'pre-estimate', limit, (body) => Math.ceil(estimateKiroBodyTokens(body) * ratio));
        }
      }
      return a;
    },

    async afterError(err) {
      if (!isTooLong(err) || !cfg.errorRetry) return undefined;
      const fraction = RETRY_FRACTIONS[Math.min(retries, RETRY_FRACTIONS.length - 1)]!;
      retries += 1;
      if (!dropMore(weightLeft() * fraction)) throw tooLongError(current && count > 0 ? current.droppedTurns : 0, err);
      return build('error retry', `Kiro said "Input is too long" (retry ${retries})`);
    },
  };
}
