// POST /v1/responses body → NeutralRequest. The proxy is stateless: anything that refers to a
// response or conversation stored server-side is refused with a 400 that says so.
import type { NeutralRequest } from '../../conversation/types.ts';
import type { RequestContext } from '../types.ts';
import { toEffort } from '../shared/effort.ts';
import { headerValue } from '../shared/headers.ts';
import { convertToolChoice } from '../shared/openai-tools.ts';
import { fieldError, guardParse, parseAt } from '../shared/validate.ts';
import { additionalTools, convertInput } from './input-items.ts';
import { IgnoredTools } from '../shared/unrunnable-tools.ts';
import { requestSchema } from './schema.ts';
import { convertResponsesTools, kiroToolName, type ResponsesTools } from './tools.ts';

const STATELESS = 'this proxy is stateless and stores no responses; send the whole conversation in `input` (in Codex, keep response storage off)';

/** The namespace of the only declared tool with this client name, if it is namespaced. */
function namespaceOf(declared: ResponsesTools, name: string): string | undefined {
  const hits = Object.values(declared.table).filter((t) => t.name === name && t.namespace !== undefined);
  return hits.length === 1 ? hits[0]!.namespace : undefined;
}

function parseBody(body: unknown, ctx: RequestContext): NeutralRequest {
  const b = parseAt(requestSchema, body, [], 'bracket');
  if (b.previous_response_id) throw fieldError(['previous_response_id'], 'bracket', `not supported: ${STATELESS}`, 'previous_response_not_supported');
  if (b.conversation != null) throw fieldError(['conversation'], 'bracket', `not supported: ${STATELESS}`, 'conversation_not_supported');
  if (b.background === true) throw fieldError(['background'], 'bracket', `background responses are not supported: ${STATELESS}`, 'background_not_supported');
  const ignored = new IgnoredTools();
  const declared = convertResponsesTools([...(b.tools ?? []).map((raw, i) => ({ raw, path: ['tools', i] })), ...additionalTools(b.input)], ignored);
  const { tools, table } = declared;
  const { system, messages } = convertInput(b.input, declared);
  const req: NeutralRequest = {
    dialect: 'openai-responses',
    model: b.model,
    system: [b.instructions ?? '', ...system].filter((s) => s.length > 0).join('\n\n'),
    messages,
    tools,
    stream: b.stream === true,
  };
  const toolChoice = convertToolChoice(b.tool_choice, ignored);
  // A forced namespaced tool is named as the client knows it; Kiro knows its flattened name.
  if (toolChoice?.type === 'tool')
    toolChoice.name = kiroToolName(declared, toolChoice.name, (b.tool_choice as { namespace?: string }).namespace ?? namespaceOf(declared, toolChoice.name));
  if (toolChoice) req.toolChoice = toolChoice;
  if (ignored.list().length) req.ignoredTools = ignored.list();
  const effortWord = b.reasoning?.effort;
  const effort = toEffort(effortWord);
  if (effortWord != null && effort === undefined)
    throw fieldError(['reasoning', 'effort'], 'bracket', `unknown value '${effortWord}'; use low, medium or high`);
  if (effort && effort !== 'none') req.thinking = { type: 'adaptive', effort };
  if (b.max_output_tokens != null) req.maxTokens = b.max_output_tokens;
  const sessionId = b.prompt_cache_key ?? headerValue(ctx, 'session_id') ?? headerValue(ctx, 'conversation_id') ?? headerValue(ctx, 'x-session-id');
  if (sessionId) req.sessionId = sessionId;
  // Echoed back on the response object, as the real API does.
  req.extras = {
    instructions: b.instructions ?? null,
    metadata: b.metadata ?? {},
    store: b.store ?? false,
    parallelToolCalls: b.parallel_tool_calls ?? true,
    reasoningEffort: effortWord ?? null,
    reasoningSummary: b.reasoning?.summary ?? null,
    maxOutputTokens: b.max_output_tokens ?? null,
    toolTable: table,
  };
  return req;
}

export function parseResponsesRequest(body: unknown, ctx: RequestContext): NeutralRequest {
  return guardParse(() => parseBody(body, ctx));
}
