// One completion request, any dialect: parse → resolve model → normalise → pool (failover
// before the first byte) → assemble Kiro events → limit output → render (SSE or JSON).
import { randomUUID, createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Dialect, RequestContext, ResponseMeta, StreamEncoder } from '../dialects/types.ts';
import type { NeutralEvent, NeutralRequest, NeutralUsage } from '../conversation/types.ts';
import type { AccountPool, UpstreamLease } from '../accounts/pool/pool-types.ts';
import type { Logger, ProxyConfig, RequestLogEntry } from '../proxy-types.ts';
import type { ModelInfo } from '../kiro/types.ts';
import { ProxyError, toProxyError } from '../errors.ts';
import { acceptedModelNames, resolveModel } from '../kiro/models.ts';
import { normalise } from '../conversation/normalise.ts';
import { inputTokensOf } from '../conversation/estimate-input.ts';
import { createStreamAssembler } from '../kiro/stream-assembler.ts';
import { createOutputLimiter } from '../dialects/output-limits.ts';
import { collectResult } from '../dialects/collect.ts';
import { upstreamToProxyError } from './upstream-error.ts';
import { createConversationFitter } from '../conversation/truncate-strategies.ts';
import { completionCacheKey, type CompletionCache } from './cache.ts';
import { loggedRequestBody, ResponseBodyCapture } from './log-bodies.ts';
import { KeepAliveStream } from './stream-keepalive.ts';
import { acceptsInterimResponses, startInterimKeepAlive } from './interim-keepalive.ts';
import { ClientClosedError, markClientClosed } from '../observe/request-outcome.ts';
import { IGNORED_TOOLS_HEADER } from '../dialects/shared/unrunnable-tools.ts';

export interface CompletionDeps {
  pool: AccountPool;
  config(): ProxyConfig;
  logger: Logger;
  /** Models the accounts reported (ListAvailableModels), if known. */
  availableModels(): ModelInfo[] | undefined;
  /** Settles when the start-up ListAvailableModels call is done (bounded); model ids resolve against its answer. */
  modelsReady?(): Promise<void>;
  now(): number;
  /** The response cache (pipeline/cache.ts); absent or turned off: every request goes upstream. */
  cache?: CompletionCache;
  /** Scrubs known secrets from error text a client will see (upstream messages may echo them). */
  redact?(text: string): string;
  /** Counts an open SSE response (in-flight streams gauge); returns the function ending it. */
  streamStarted?: () => () => void;
  /** Sets of dropped tools already named at info level (each is named once; later requests log at debug). */
  ignoredToolsSeen?: Set<string>;
}

export interface CompletionContext {
  requestId: string;
  route: string;
  startedAt: number;
  /** Filled in as the request goes; the server logs it when the response ends. */
  log: RequestLogEntry;
}

/** A stable conversation key: the client's session id, else a hash of the system + first user turn. */
export function stickyKeyFor(req: NeutralRequest): string {
  if (req.sessionId) return `s:${req.sessionId}`;
  const first = req.messages.find((m) => m.role === 'user');
  const firstText = first?.content.map((b) => (b.type === 'text' ? b.text : '')).join('') ?? '';
  return `h:${createHash('sha256').update(req.system).update('\u0000').update(firstText).digest('hex').slice(0, 32)}`;
}

function conversationIdFor(req: NeutralRequest): string {
  const sid = req.sessionId;
  if (sid && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sid)) return sid.toLowerCase();
  return randomUUID();
}

export async function handleCompletion(
  dialect: Dialect,
  body: unknown,
  rctx: RequestContext,
  res: ServerResponse,
  ctx: CompletionContext,
  deps: CompletionDeps,
): Promise<void> {
  const { log } = ctx;
  log.dialect = dialect.name;
  let neutral: NeutralRequest;
  try {
    neutral = dialect.parseRequest(body, rctx);
  } catch (err) {
    return sendError(dialect, res, toProxyError(err), log);
  }
  log.modelRequested = neutral.model;
  log.stream = neutral.stream;
  if (neutral.ignoredTools) {
    log.ignoredTools = neutral.ignoredTools;
    const names = neutral.ignoredTools.join(', ');
    const seen = deps.ignoredToolsSeen;
    const first = seen !== undefined && !seen.has(names) && seen.size < 256;
    if (first) seen.add(names);
    deps.logger[first ? 'info' : 'debug'](`${ctx.requestId}: dropped tools the proxy cannot run (${dialect.name} client): ${names}`);
  }
  const config = deps.config();
  if (config.logBodies) log.requestBody = loggedRequestBody(body);

  const created = Math.floor(deps.now() / 1000);
  // A plain object of fixed shape; the input estimate is filled in once the input is known (before
  // any encoder renders it). Not a literal with a lazy getter: V8 gives such a literal a hidden
  // class of its own in old space, which keeps the request's whole closure graph alive through
  // every scavenge (measured: ~20 KiB promoted per request, 5 ms pauses).
  const meta: ResponseMeta = { requestId: ctx.requestId, model: neutral.model, created, estimatedInputTokens: 0 };

  let lease: UpstreamLease | undefined;
  let truncatedTurns = 0;
  /** Status-line headers: computed when the response opens (a keepalive may open it before the lease). */
  const responseHeaders = (): Record<string, string> => {
    const h: Record<string, string> = {
      'x-kiro-proxy-request-id': ctx.requestId,
      'x-kiro-proxy-overhead-ms': String(Math.max(0, deps.now() - ctx.startedAt)),
    };
    if (truncatedTurns > 0) h['x-kiro-proxy-truncated'] = String(truncatedTurns);
    if (neutral.ignoredTools) h[IGNORED_TOOLS_HEADER] = neutral.ignoredTools.join(', ').replace(/[^\x20-\x7e]/g, '?');
    return h;
  };
  // A streamed answer opens early with keepalives while Kiro keeps us waiting (stream-keepalive.ts).
  let keepAliveText: string | undefined;
  const stream = neutral.stream
    ? new KeepAliveStream(res, {
        intervalMs: config.keepAliveMs,
        // Quiet time counts from the request's arrival (body reading and the start-up model list included).
        firstAfterMs: Math.max(0, config.keepAliveMs - (deps.now() - ctx.startedAt)),
        headers: responseHeaders,
        keepAlive: () => (keepAliveText ??= dialect.createStreamEncoder(neutral, meta).keepAlive()),
        ...(deps.streamStarted ? { onOpen: deps.streamStarted } : {}),
      })
    : undefined;
  // A non-streamed answer keeps undici clients from their headers timeout with 102 Processing (interim-keepalive.ts).
  const interim =
    !neutral.stream && config.keepAliveMs > 0 && acceptsInterimResponses(rctx.headers) ? startInterimKeepAlive(res, config.keepAliveMs) : undefined;

  // A request right after start must not resolve against the static catalogue while the
  // account's own model list is on its way (the catalogue may name ids the account lacks).
  if (deps.modelsReady) await deps.modelsReady();
  const model = resolveModel(neutral.model, { available: deps.availableModels(), userMap: config.modelMap, fallbackModel: config.fallbackModel });
  if (model.mappedBy === 'unknown') {
    const perr = modelNotFound(neutral.model, deps.availableModels());
    interim?.dispose();
    if (!stream?.opened) {
      stream?.dispose();
      return sendError(dialect, res, perr, log);
    }
    return failOpenStream(stream, dialect.createStreamEncoder(neutral, meta), perr, log);
  }
  log.modelSent = model.modelId;
  // The model that served, not the name asked for: a mapped name must not pass for itself.
  meta.model = model.modelId;
  if (model.thinking && !neutral.thinking) neutral.thinking = { type: 'enabled', budgetTokens: 16_000 };

  const abort = new AbortController();
  // A client that leaves before the answer is complete: its own outcome (499), nobody's error.
  let clientClosed = false;
  const onClose = () => {
    if (res.writableFinished) return;
    clientClosed = true;
    abort.abort(new ClientClosedError());
  };
  res.once('close', onClose);

  const conversationId = conversationIdFor(neutral);
  // Hashes the system text: once per request, not per upstream attempt.
  const stickyKey = stickyKeyFor(neutral);
  let working = neutral;
  let norm: ReturnType<typeof normalise>;
  let estimatedInputTokens: number | undefined;
  // Truncation strategies (conversation/truncate-strategies.ts): pre-send fitting, then error retry.
  const startUpstream = async (): Promise<UpstreamLease> => {
    const first = preNorm;
    preNorm = undefined;
    const fitter = createConversationFitter({
      request: working,
      config: config.truncation,
      contextWindow: model.contextWindow,
      normalise: (r) => (r === neutral && first ? first : normalise(r, { modelId: model.modelId, conversationId, logger: deps.logger })),
      logger: deps.logger,
      pool: deps.pool,
      stickyKey,
      signal: abort.signal,
    });
    let attempt = await fitter.initial();
    estimatedInputTokens = fitter.estimatedInputTokens();
    for (;;) {
      working = attempt.request;
      norm = attempt.norm;
      truncatedTurns = fitter.droppedTurns();
      log.rules = norm.rules;
      try {
        return await deps.pool.execute({
          body: norm.body,
          modelId: model.modelId,
          stickyKey,
          signal: abort.signal,
        });
      } catch (err) {
        const next = await fitter.afterError(err);
        if (!next) throw err;
        attempt = next;
      }
    }
  };

  // Response cache: the key is the normalised request, so normalise up front; a hit replays the
  // stored answer through the same renderers without touching the pool.
  const responseCache = deps.cache?.for(config);
  let preNorm: ReturnType<typeof normalise> | undefined;
  let replay: readonly NeutralEvent[] | undefined;
  let recorder: ReturnType<CompletionCache['record']> | undefined;
  try {
    if (responseCache && deps.cache) {
      preNorm = normalise(working, { modelId: model.modelId, conversationId, logger: deps.logger });
      const key = completionCacheKey(preNorm, working);
      replay = deps.cache.lookup(responseCache, key);
      if (replay) {
        norm = preNorm;
        log.rules = preNorm.rules;
        log.cached = true;
      } else recorder = deps.cache.record(responseCache, key);
    }
    if (!replay) lease = await startUpstream();
  } catch (err) {
    res.off('close', onClose);
    interim?.dispose();
    if (clientClosed) {
      stream?.dispose();
      return markClientClosed(log);
    }
    const perr = scrubError(toProxyError(err), deps);
    if (!stream?.opened) {
      stream?.dispose();
      return sendError(dialect, res, perr, log);
    }
    // Keepalives already sent 200 and the headers: the failure goes out as the dialect's in-stream error.
    if (estimatedInputTokens !== undefined) meta.estimatedInputTokens = estimatedInputTokens;
    return failOpenStream(stream, dialect.createStreamEncoder(working, meta), perr, log);
  }
  // The whole normalised request's estimate (conversation/estimate-input.ts, as count_tokens):
  // set by the fitter before the first send; a cache hit estimates the normalised request it has.
  meta.estimatedInputTokens = estimatedInputTokens ?? inputTokensOf(norm!);
  const bodyCapture = config.logBodies ? new ResponseBodyCapture() : undefined;
  if (lease) log.accountId = lease.accountId;
  if (truncatedTurns > 0) log.truncatedTurns = truncatedTurns;

  const assembler = createStreamAssembler({
    toolNames: norm!.toolNames,
    thinkingTags: working.thinking !== undefined,
    estimatedInputTokens: meta.estimatedInputTokens,
    contextWindow: model.contextWindow,
    logger: deps.logger,
  });
  const limiter = createOutputLimiter(
    { ...(working.maxTokens !== undefined ? { maxTokens: working.maxTokens } : {}), ...(working.stopSequences ? { stopSequences: working.stopSequences } : {}) },
    meta.estimatedInputTokens,
  );
  let usage: NeutralUsage | undefined;
  let firstTokenAt: number | undefined;

  /** Upstream events → limited neutral events; `emit` returns false to stop (client gone / limit hit). */
  const pump = async (emit: (ev: NeutralEvent) => boolean | Promise<boolean>): Promise<void> => {
    const deliver = (out: NeutralEvent): boolean | Promise<boolean> => {
      if (firstTokenAt === undefined && out.type !== 'end') firstTokenAt = deps.now();
      if (out.type === 'end') usage = out.usage;
      recorder?.push(out);
      bodyCapture?.push(out);
      return emit(out);
    };
    if (replay) {
      // A cache hit: already limited when it was recorded (and no recorder is open for it).
      for (const ev of replay) {
        const ok = deliver(ev);
        if (ok === false || (ok !== true && !(await ok))) return;
      }
      return;
    }
    let stopped = false;
    /** The rest of a batch after a write that had to wait (backpressure). */
    const drainAfter = async (pending: Promise<boolean>, rest: NeutralEvent[]): Promise<boolean> => {
      if (!(await pending)) return false;
      for (const out of rest) {
        const ok = deliver(out);
        if (ok === false || (ok !== true && !(await ok))) return false;
      }
      return !limiter.stopped();
    };
    /**
     * One batch of assembled events through the limiter to the client. Synchronous while every
     * write is taken at once (the common case): a promise and a suspension per event were
     * measurable; only a write that has to wait makes the rest of the batch asynchronous.
     */
    const forward = (evs: NeutralEvent[]): boolean | Promise<boolean> => {
      for (let i = 0; i < evs.length; i++) {
        const outs = limiter.push(evs[i]!);
        for (let j = 0; j < outs.length; j++) {
          const ok = deliver(outs[j]!);
          if (ok === true) continue;
          if (ok === false) return false;
          // The limiter's output does not depend on the writes, so the rest can be limited now.
          const rest = outs.slice(j + 1);
          for (const ev of evs.slice(i + 1)) rest.push(...limiter.push(ev));
          return drainAfter(ok, rest);
        }
        if (limiter.stopped()) return false;
      }
      return true;
    };
    for await (const kev of lease!.events) {
      const r = forward(assembler.push(kev));
      if (r === true) continue;
      if (r === false || !(await r)) {
        stopped = true;
        break;
      }
    }
    if (!stopped) await forward(assembler.finish());
    else if (!limiter.stopped()) {
      clientClosed = true;
      abort.abort(new ClientClosedError());
    } else abort.abort(new ProxyError('internal', 'output limit reached'));
  };

  try {
    if (stream) {
      const sse = stream.open();
      const encoder: StreamEncoder = dialect.createStreamEncoder(working, meta);
      await sse.write(encoder.start());
      try {
        await pump((ev) => sse.write(encoder.event(ev)));
        if (clientClosed) {
          // A client that left mid-way stores nothing and is no error of the account's.
          recorder?.abort();
          markClientClosed(log);
          lease?.release({ ok: false, clientClosed: true });
          lease = undefined;
        } else {
          recorder?.commit();
          log.status = 200;
        }
      } catch (err) {
        recorder?.abort();
        if (clientClosed) {
          markClientClosed(log);
          lease?.release({ ok: false, clientClosed: true });
          lease = undefined;
          return;
        }
        const perr = scrubError(upstreamToProxyError(err), deps);
        log.status = perr.status;
        log.errorClass = perr.code ?? perr.kind;
        log.errorMessage = perr.message;
        if (!sse.isClosed) await sse.write(encoder.error(perr));
        lease?.release({ ok: false, error: err });
        lease = undefined;
      } finally {
        stream.dispose();
        sse.end();
      }
    } else {
      const events: NeutralEvent[] = [];
      await pump((ev) => {
        events.push(ev);
        return true;
      });
      if (clientClosed) throw new ClientClosedError();
      const result = collectResult(events);
      recorder?.commit();
      interim?.dispose();
      const json = JSON.stringify(dialect.renderResult(working, result, meta));
      res.writeHead(200, { 'content-type': 'application/json', ...responseHeaders() });
      res.end(json);
      log.status = 200;
    }
  } catch (err) {
    interim?.dispose();
    recorder?.abort();
    res.off('close', onClose);
    if (clientClosed) {
      markClientClosed(log);
      lease?.release({ ok: false, clientClosed: true });
      lease = undefined;
      return;
    }
    const perr = scrubError(upstreamToProxyError(err), deps);
    lease?.release({ ok: false, error: err });
    lease = undefined;
    return sendError(dialect, res, perr, log);
  } finally {
    stream?.dispose();
    interim?.dispose();
    res.off('close', onClose);
    if (firstTokenAt !== undefined) log.firstTokenMs = firstTokenAt - ctx.startedAt;
    if (usage) {
      log.inputTokens = usage.inputTokens;
      log.outputTokens = usage.outputTokens;
      // A replayed answer cost no credits.
      if (usage.credits !== undefined && !replay) log.credits = usage.credits;
    }
    if (bodyCapture) log.responseBody = bodyCapture.text();
    lease?.release({
      ok: true,
      ...(usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : {}),
      ...(usage?.credits !== undefined ? { credits: usage.credits } : {}),
    });
  }
}

/** A failure before the first event, on a response that keepalives already opened: start + the dialect's error event, then the end. */
function failOpenStream(stream: KeepAliveStream, encoder: StreamEncoder, err: ProxyError, log: RequestLogEntry): void {
  log.status = err.status;
  log.errorClass = err.code ?? err.kind;
  log.errorMessage = err.message;
  const sse = stream.open();
  stream.dispose();
  if (!sse.isClosed) void sse.write(encoder.start() + encoder.error(err));
  sse.end();
}

/** 404 for a name the proxy cannot place, in the caller's dialect (OpenAI code model_not_found, Anthropic not_found_error). */
function modelNotFound(requested: string, available: ReturnType<CompletionDeps['availableModels']>): ProxyError {
  const names = acceptedModelNames(available);
  return new ProxyError(
    'not_found',
    `The model '${requested}' does not exist or is not offered by your Kiro accounts. Accepted names: ${names.join(', ')} ` +
      '(and Claude names in any spelling: claude-sonnet-4-5, claude-opus-4-8, sonnet…). Map other names with modelMapping, or set a fallback model.',
    { code: 'model_not_found', param: 'model' },
  );
}

/** The same error with known secrets removed from its message (the original stays for the pool). */
function scrubError(err: ProxyError, deps: CompletionDeps): ProxyError {
  const message = deps.redact ? deps.redact(err.message) : err.message;
  if (message === err.message) return err;
  return new ProxyError(err.kind, message, {
    status: err.status,
    ...(err.code !== undefined ? { code: err.code } : {}),
    ...(err.param !== undefined ? { param: err.param } : {}),
    ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
  });
}

export function sendError(dialect: Dialect, res: ServerResponse, err: ProxyError, log: RequestLogEntry): void {
  log.status = err.status;
  log.errorClass = err.code ?? err.kind;
  log.errorMessage = err.message;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const rendered = dialect.renderError(err);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(rendered.headers ?? {}) };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSeconds)));
  res.writeHead(rendered.status, headers);
  res.end(JSON.stringify(rendered.body));
}
