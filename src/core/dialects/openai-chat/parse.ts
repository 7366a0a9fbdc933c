// POST /v1/chat/completions body → NeutralRequest.
import type { NeutralRequest } from '../../conversation/types.ts';
import type { RequestContext } from '../types.ts';
import { headerValue } from '../shared/headers.ts';
import { toEffort } from '../shared/effort.ts';
import { convertToolChoice } from '../shared/openai-tools.ts';
import { fieldError, guardParse, parseAt } from '../shared/validate.ts';
import { convertChatMessages } from './messages.ts';
import { requestSchema } from './schema.ts';
import { convertChatTools } from './tools.ts';
import { IgnoredTools } from '../shared/unrunnable-tools.ts';

function parseBody(body: unknown, ctx: RequestContext): NeutralRequest {
  const b = parseAt(requestSchema, body, [], 'bracket');
  // One Kiro call yields one answer; silently returning fewer choices would break callers.
  if (b.n != null && b.n > 1) throw fieldError(['n'], 'bracket', 'only n=1 is supported', 'n_unsupported');
  const { system, messages } = convertChatMessages(b.messages);
  const ignored = new IgnoredTools();
  const req: NeutralRequest = {
    dialect: 'openai-chat',
    model: b.model,
    system,
    messages,
    tools: convertChatTools(b.tools, ignored),
    stream: b.stream === true,
  };
  const toolChoice = convertToolChoice(b.tool_choice, ignored);
  if (toolChoice) req.toolChoice = toolChoice;
  if (ignored.list().length) req.ignoredTools = ignored.list();
  const effort = toEffort(b.reasoning_effort);
  if (b.reasoning_effort != null && effort === undefined) {
    throw fieldError(['reasoning_effort'], 'bracket', `unknown value '${b.reasoning_effort}'; use low, medium or high`);
  }
  if (effort && effort !== 'none') req.thinking = { type: 'adaptive', effort };
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (maxTokens != null) req.maxTokens = maxTokens;
  const stops = (typeof b.stop === 'string' ? [b.stop] : (b.stop ?? [])).filter((s) => s.length > 0);
  if (stops.length) req.stopSequences = stops;
  if (req.stream && b.stream_options?.include_usage === true) req.includeUsage = true;
  const sessionId = b.prompt_cache_key ?? headerValue(ctx, 'x-session-id');
  if (sessionId) req.sessionId = sessionId;
  return req;
}

export function parseChatRequest(body: unknown, ctx: RequestContext): NeutralRequest {
  return guardParse(() => parseBody(body, ctx));
}
