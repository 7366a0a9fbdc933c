// POST /v1/messages (and /count_tokens) body → NeutralRequest.
import type { NeutralMessage, NeutralRequest, Thinking } from '../../conversation/types.ts';
import type { RequestContext } from '../types.ts';
import { toEffort } from '../shared/effort.ts';
import { guardParse, parseAt } from '../shared/validate.ts';
import { convertBlock } from './content.ts';
import { messageSchema, requestSchema, type AnthropicRequest } from './schema.ts';
import { anthropicSessionId } from './session.ts';
import { systemParts } from './system-text.ts';
import { convertToolChoice, convertTools } from './tools.ts';
import { IgnoredTools } from '../shared/unrunnable-tools.ts';

function convertThinking(body: AnthropicRequest): Thinking | undefined {
  const t = body.thinking;
  if (!t) return undefined;
  if (t.type === 'enabled') return { type: 'enabled', budgetTokens: t.budget_tokens ?? 1024 };
  // `between_tools` is adaptive thinking limited to tool boundaries; Kiro knows only adaptive.
  if (t.type === 'adaptive' || t.type === 'between_tools') {
    const effort = toEffort(body.output_config?.effort);
    // Anthropic's default effort is high.
    return { type: 'adaptive', effort: effort === undefined || effort === 'none' ? 'high' : effort };
  }
  return undefined; // disabled, or a type we do not know: no thinking.
}

/**
 * Messages in order; `role:"system"` messages (Claude Code's mid-conversation system notes, even
 * as the very last message) are hoisted into the system text instead of becoming turns.
 */
function convertMessages(raw: unknown[]): { messages: NeutralMessage[]; system: string[] } {
  const messages: NeutralMessage[] = [];
  const system: string[] = [];
  raw.forEach((value, i) => {
    const m = parseAt(messageSchema, value, ['messages', i], 'dot');
    if (m.role === 'system') {
      system.push(...systemParts(m.content, ['messages', i, 'content']));
      return;
    }
    const role = m.role;
    const content =
      typeof m.content === 'string'
        ? [{ type: 'text' as const, text: m.content }]
        : m.content.map((b, j) => convertBlock(b, role, ['messages', i, 'content', j]));
    messages.push({ role, content });
  });
  return { messages, system };
}

function parseBody(body: unknown, ctx: RequestContext, countOnly: boolean): NeutralRequest {
  const b = parseAt(requestSchema, body, [], 'dot');
  const { messages, system: hoisted } = convertMessages(b.messages);
  const system = [...(b.system != null ? systemParts(b.system, ['system']) : []), ...hoisted].join('\n\n');
  const ignored = new IgnoredTools();
  const req: NeutralRequest = {
    dialect: 'anthropic',
    model: b.model,
    system,
    messages,
    tools: convertTools(b.tools, ignored),
    stream: countOnly ? false : b.stream === true,
  };
  const toolChoice = convertToolChoice(b.tool_choice, req.tools, ignored);
  if (toolChoice) req.toolChoice = toolChoice;
  if (ignored.list().length) req.ignoredTools = ignored.list();
  const thinking = convertThinking(b);
  if (thinking) req.thinking = thinking;
  if (!countOnly && b.max_tokens != null) req.maxTokens = b.max_tokens;
  const stops = (b.stop_sequences ?? []).filter((s) => s.length > 0);
  if (!countOnly && stops.length) req.stopSequences = stops;
  const sessionId = anthropicSessionId(ctx, b.metadata?.user_id);
  if (sessionId) req.sessionId = sessionId;
  return req;
}

export function parseAnthropicRequest(body: unknown, ctx: RequestContext): NeutralRequest {
  return guardParse(() => parseBody(body, ctx, false));
}

/** POST /v1/messages/count_tokens: the same body without max_tokens; never streamed. */
export function parseCountTokensRequest(body: unknown, ctx: RequestContext): NeutralRequest {
  return guardParse(() => parseBody(body, ctx, true));
}
