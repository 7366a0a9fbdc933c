// Stage 1 of a completion (completion.ts): the client's body → a neutral request, its log fields,
// and the Kiro model it resolves to. Nothing here waits on the upstream or writes a response.
import { randomUUID, createHash } from 'node:crypto';
import type { Dialect, RequestContext } from '../dialects/types.ts';
import type { NeutralRequest } from '../conversation/types.ts';
import type { ProxyConfig } from '../proxy-types.ts';
import type { ModelInfo } from '../kiro/types.ts';
import { ProxyError, toProxyError } from '../errors.ts';
import { acceptedModelNames, resolveModel, type ResolvedModel } from '../kiro/models.ts';
import { loggedRequestBody } from './log-bodies.ts';
import type { CompletionContext, CompletionDeps } from './completion-types.ts';

/** A stable conversation key: the client's session id, else a hash of the system + first user turn. */
export function stickyKeyFor(req: NeutralRequest): string {
  if (req.sessionId) return `s:${req.sessionId}`;
  const first = req.messages.find((m) => m.role === 'user');
  const firstText = first?.content.map((b) => (b.type === 'text' ? b.text : '')).join('') ?? '';
  return `h:${createHash('sha256').update(req.system).update('\u0000').update(firstText).digest('hex').slice(0, 32)}`;
}

export function conversationIdFor(req: NeutralRequest): string {
  const sid = req.sessionId;
  if (sid && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sid)) return sid.toLowerCase();
  return randomUUID();
}

/** The client's request in neutral form (its log fields filled in), or the error to answer with. */
export function parseCompletion(
  dialect: Dialect,
  body: unknown,
  rctx: RequestContext,
  ctx: CompletionContext,
  deps: CompletionDeps,
  config: ProxyConfig,
): NeutralRequest | ProxyError {
  const { log } = ctx;
  log.dialect = dialect.name;
  let neutral: NeutralRequest;
  try {
    neutral = dialect.parseRequest(body, rctx);
  } catch (err) {
    return toProxyError(err);
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
  if (config.logBodies) log.requestBody = loggedRequestBody(body);
  return neutral;
}

/** The Kiro model for the request (after the start-up model list, bounded), or the 404 to answer with. */
export async function resolveCompletionModel(neutral: NeutralRequest, config: ProxyConfig, deps: CompletionDeps): Promise<ResolvedModel | ProxyError> {
  // A request right after start must not resolve against the static catalogue while the
  // account's own model list is on its way (the catalogue may name ids the account lacks).
  if (deps.modelsReady) await deps.modelsReady();
  const model = resolveModel(neutral.model, { available: deps.availableModels(), userMap: config.modelMap, fallbackModel: config.fallbackModel });
  if (model.mappedBy === 'unknown') return modelNotFound(neutral.model, deps.availableModels());
  if (model.thinking && !neutral.thinking) neutral.thinking = { type: 'enabled', budgetTokens: 16_000 };
  return model;
}

/** 404 for a name the proxy cannot place, in the caller's dialect (OpenAI code model_not_found, Anthropic not_found_error). */
function modelNotFound(requested: string, available: ModelInfo[] | undefined): ProxyError {
  const names = acceptedModelNames(available);
  return new ProxyError(
    'not_found',
    `The model '${requested}' does not exist or is not offered by your Kiro accounts. Accepted names: ${names.join(', ')} ` +
      '(and Claude names in any spelling: claude-sonnet-4-5, claude-opus-4-8, sonnet…). Map other names with modelMapping, or set a fallback model.',
    { code: 'model_not_found', param: 'model' },
  );
}
