// GenerateAssistantResponse, both wire styles (kiro-protocol.md §4.1, §7): bearer check,
// strict validation, usage limit, then a scripted or default event stream.
import { randomUUID } from 'node:crypto';
import type { MockAccount } from './accounts.ts';
import type { MockContext, RouteCall } from './context.ts';
import { parseDirectives } from './directives.ts';
import { sendKiroError } from './http-io.ts';
import { defaultHttpError, MONTHLY_LIMIT, namespacedType } from './kiro-errors.ts';
import { createRng } from './prng.ts';
import { resolveStep, type HttpErrorStep, type MockStep, type ResolvedStep } from './script.ts';
import { buildStreamPlan } from './stream-plan.ts';
import { writeStream } from './stream-writer.ts';
import { validateGenerateRequest } from './validate.ts';
import { requireBearer } from './bearer.ts';

export type ChatStyle = 'rest' | 'awsjson';

const REPLY_PREFIX = 'Mock Kiro reply to: ';

function currentUserText(body: unknown): { text: string; modelId: string | undefined } {
  const cs = (body as { conversationState?: { currentMessage?: { userInputMessage?: { content?: unknown; modelId?: unknown } } } }).conversationState;
  const msg = cs?.currentMessage?.userInputMessage;
  return {
    text: typeof msg?.content === 'string' ? msg.content : '',
    modelId: typeof msg?.modelId === 'string' ? msg.modelId : undefined,
  };
}

/** The reply the mock gives when nothing is scripted: deterministic, derived from the prompt. */
function defaultReplyText(cleanedUserText: string): string {
  const head = Array.from(cleanedUserText).slice(0, 200).join('');
  return REPLY_PREFIX + (head === '' ? '(directives only)' : head);
}

function takeQueued(ctx: MockContext, account: MockAccount): MockStep | undefined {
  return ctx.queues.perAccount.get(account.id)?.shift() ?? ctx.queues.global.shift();
}

async function sendHttpError(call: RouteCall, step: HttpErrorStep): Promise<void> {
  const { res, ctx } = call;
  if (step.delayMs) await ctx.timers.sleep(step.delayMs);
  if (res.destroyed) return;
  const reason = step.reason ?? null;
  const defaults = defaultHttpError(step.status, reason);
  const errorType = step.errorType ?? defaults.errorType;
  const body: Record<string, unknown> = { message: step.message ?? defaults.message, reason: defaults.reason };
  if (step.typeInBody ?? step.errorType !== undefined) body['__type'] = namespacedType(errorType);
  const headers: Record<string, string> = {};
  if (step.retryAfter !== undefined) headers['retry-after'] = String(step.retryAfter);
  sendKiroError(res, step.status, body as { message: string; reason: string | null }, errorType, headers);
}

export async function chatRoute(call: RouteCall, style: ChatStyle): Promise<void> {
  const { req, res, ctx, rec, body } = call;
  const account = requireBearer(call);
  if (!account) return;
  const contentType = String(req.headers['content-type'] ?? '');
  const wanted = style === 'rest' ? 'application/json' : 'application/x-amz-json-1.0';
  if (!contentType.includes(wanted)) {
    sendKiroError(res, 415, { message: `Unsupported Media Type; expected ${wanted}`, reason: null }, 'UnsupportedMediaTypeException');
    return;
  }
  const verdict = validateGenerateRequest(body.malformed ? undefined : body.parsed, {
    knownModels: ctx.options.knownModels,
    maxBodyBytes: ctx.options.maxBodyBytes,
    bodyBytes: body.raw.length,
  });
  if (!verdict.ok) {
    rec.validation = { ok: false, rule: verdict.rule, detail: verdict.detail };
    sendKiroError(res, verdict.status, verdict.body, verdict.errorType);
    return;
  }
  rec.validation = { ok: true };
  if (ctx.options.enforceUsageLimit && ctx.accounts.overQuota(account)) {
    sendKiroError(res, 402, { message: MONTHLY_LIMIT, reason: 'MONTHLY_REQUEST_COUNT' }, 'ServiceQuotaExceededException');
    return;
  }

  const { text, modelId } = currentUserText(body.parsed);
  const directives = parseDirectives(text);
  const queued = takeQueued(ctx, account);
  let step: ResolvedStep | undefined = queued ? resolveStep(queued) : undefined;
  rec.served = queued ? queued.kind : 'default';
  if (!step && directives.step) {
    step = directives.step;
    rec.served = 'directive';
  }
  if (directives.errors.length > 0 && rec.served === 'directive') {
    step = { kind: 'stream', parts: [{ type: 'text', text: `Mock directive error: ${directives.errors.join('; ')}` }] };
  }
  step ??= { kind: 'stream', parts: [{ type: 'reply' }] };
  if (step.kind === 'http_error') {
    await sendHttpError(call, step);
    return;
  }

  account.usage++;
  const rng = createRng(ctx.nextSeed());
  const model = ctx.options.models.find((m) => m.modelId === (modelId ?? 'auto'));
  const plan = buildStreamPlan(step, {
    rng,
    replyText: defaultReplyText(directives.cleanedText),
    modelId: modelId ?? 'auto',
    bodyBytes: body.raw.length,
    maxInputTokens: model?.maxInputTokens ?? 200_000,
    awsJson: style === 'awsjson',
    metadataByDefault: ctx.options.metadataEvents,
  });
  account.inFlight++;
  account.peakInFlight = Math.max(account.peakInFlight, account.inFlight);
  try {
    if (step.firstByteDelayMs) await ctx.timers.sleep(step.firstByteDelayMs);
    if (res.destroyed) return;
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': randomUUID(),
      'transfer-encoding': 'chunked',
    });
    await writeStream(res, plan.actions, {
      rng,
      timers: ctx.timers,
      chunkDelayMs: step.chunkDelayMs ?? ctx.options.chunkDelayMs,
      splitFrames: ctx.options.splitFrames,
    });
  } finally {
    account.inFlight--;
  }
}
