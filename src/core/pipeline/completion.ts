// One completion request, any dialect, in four stages with one owner each:
//   prepare   parse, log fields, resolve the model               (prepare.ts)
//   acquire   response cache, or fit the conversation and lease an account from the pool (acquire.ts)
//   translate Kiro events → limited neutral events                (translate.ts)
//   deliver   SSE or JSON through the ResponseSink                (deliver.ts, reply.ts)
// The lease is released in one place, from the outcome the stages reported.
import type { Dialect, RequestContext, ResponseMeta } from '../dialects/types.ts';
import type { UpstreamLease } from '../accounts/pool/pool-types.ts';
import type { NeutralUsage } from '../conversation/types.ts';
import { ProxyError, toProxyError } from '../errors.ts';
import { inputTokensOf } from '../conversation/estimate-input.ts';
import { markClientClosed } from '../observe/request-outcome.ts';
import type { ResponseSink } from './response-sink.ts';
import type { CompletionContext, CompletionDeps } from './completion-types.ts';
import { parseCompletion, resolveCompletionModel } from './prepare.ts';
import { Acquisition } from './acquire.ts';
import { Translation } from './translate.ts';
import { ClientWatch, deliverJson, deliverStream, type Delivery } from './deliver.ts';
import { CompletionReply, scrubError, sendError } from './reply.ts';

export type { CompletionContext, CompletionDeps } from './completion-types.ts';
export { stickyKeyFor } from './prepare.ts';
export { sendError } from './reply.ts';

type ReleaseOutcome = Parameters<UpstreamLease['release']>[0];

/** How the account did: the pool's bookkeeping (cooldowns, usage) reads it. */
function releaseOutcome(clientGone: boolean, failure: { failure: unknown } | undefined, usage: NeutralUsage | undefined): ReleaseOutcome {
  if (clientGone) return { ok: false, clientClosed: true };
  if (failure) return { ok: false, error: failure.failure };
  return {
    ok: true,
    ...(usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : {}),
    ...(usage?.credits !== undefined ? { credits: usage.credits } : {}),
  };
}

export async function handleCompletion(
  dialect: Dialect,
  body: unknown,
  rctx: RequestContext,
  sink: ResponseSink,
  ctx: CompletionContext,
  deps: CompletionDeps,
): Promise<void> {
  const { log } = ctx;
  const config = deps.config();
  // prepare
  const neutral = parseCompletion(dialect, body, rctx, ctx, deps, config);
  if (neutral instanceof ProxyError) return sendError(dialect, sink, neutral, log);
  // A plain object of fixed shape; the input estimate is filled in once the input is known (before
  // any encoder renders it). Not a literal with a lazy getter: V8 gives such a literal a hidden
  // class of its own in old space, which keeps the request's whole closure graph alive through
  // every scavenge (measured: ~20 KiB promoted per request, 5 ms pauses).
  const meta: ResponseMeta = { requestId: ctx.requestId, model: neutral.model, created: Math.floor(deps.now() / 1000), estimatedInputTokens: 0 };
  let acquisition: Acquisition | undefined;
  const reply = new CompletionReply(sink, { dialect, neutral, meta, config, rctx, ctx, deps, truncatedTurns: () => acquisition?.truncatedTurns ?? 0 });
  const model = await resolveCompletionModel(neutral, config, deps);
  if (model instanceof ProxyError) return reply.fail(model, neutral);
  log.modelSent = model.modelId;
  // The model that served, not the name asked for: a mapped name must not pass for itself.
  meta.model = model.modelId;

  // acquire
  const client = new ClientWatch(sink);
  const acq = (acquisition = new Acquisition(neutral, model, config, deps, log));
  try {
    await acq.run(client.signal);
  } catch (err) {
    client.stop();
    reply.dispose();
    if (client.gone) return markClientClosed(log);
    if (acq.estimatedInputTokens !== undefined) meta.estimatedInputTokens = acq.estimatedInputTokens;
    return reply.fail(scrubError(toProxyError(err), deps), acq.request);
  }
  // The whole normalised request's estimate (conversation/estimate-input.ts, as count_tokens):
  // set by the fitter before the first send; a cache hit estimates the normalised request it has.
  const norm = acq.norm!;
  meta.estimatedInputTokens = acq.estimatedInputTokens ?? inputTokensOf(norm);
  if (acq.lease) log.accountId = acq.lease.accountId;
  if (acq.truncatedTurns > 0) log.truncatedTurns = acq.truncatedTurns;

  // translate + deliver
  const translation = new Translation(
    { request: acq.request, norm, lease: acq.lease, replay: acq.replay, recorder: acq.recorder },
    {
      estimatedInputTokens: meta.estimatedInputTokens,
      contextWindow: model.contextWindow,
      logger: deps.logger,
      logBodies: config.logBodies,
      now: () => deps.now(),
    },
  );
  const d: Delivery = { dialect, request: acq.request, meta, reply, sink, translation, client, log, deps };
  let failure: { failure: unknown } | undefined;
  try {
    failure = await (neutral.stream ? deliverStream(d) : deliverJson(d));
  } finally {
    reply.dispose();
    client.stop();
    if (client.gone) {
      translation.discard();
      markClientClosed(log);
    } else if (failure) translation.discard();
    else log.status = 200;
    translation.record(log, ctx.startedAt);
    // The one release of the lease, whatever happened above.
    acq.lease?.release(releaseOutcome(client.gone, failure, translation.usage));
  }
}
