// The Response object and its output items, shared by the non-streamed answer and the stream's
// lifecycle events (which must carry the same id and, at the end, the same items).
import type { NeutralRequest, NeutralUsage, StopReason } from '../../conversation/types.ts';
import type { ResponseMeta } from '../types.ts';
import { prefixedId } from '../shared/ids.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';
export type OutputItem = Record<string, unknown> & { id: string; type: string };

const responseId = (meta: ResponseMeta): string => prefixedId('resp_', meta.requestId);

/** Output item ids: `<prefix>_<request>_<n>`, unique within one response. */
export const itemId = (prefix: 'msg' | 'rs' | 'fc' | 'ctc', meta: ResponseMeta, n: number): string => `${prefix}_${prefixedId('', meta.requestId)}_${n}`;

export const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export const messageItem = (id: string, text: string, status: 'in_progress' | 'completed' | 'incomplete'): OutputItem => ({
  id,
  type: 'message',
  role: 'assistant',
  status,
  content: status === 'in_progress' ? [] : [outputText(text)],
});

export const reasoningItem = (id: string, text: string | undefined): OutputItem => ({
  id,
  type: 'reasoning',
  summary: text === undefined ? [] : [{ type: 'summary_text', text }],
});

export const functionCallItem = (
  id: string,
  callId: string,
  name: string,
  args: string,
  status: 'in_progress' | 'completed' | 'incomplete',
  namespace?: string,
): OutputItem => ({
  id,
  type: 'function_call',
  status,
  call_id: callId,
  name,
  ...(namespace !== undefined ? { namespace } : {}),
  arguments: args,
});

/** A call of a free-form `custom` tool: its input is the raw text. */
export const customToolCallItem = (
  id: string,
  callId: string,
  name: string,
  input: string,
  status: 'in_progress' | 'completed' | 'incomplete',
  namespace?: string,
): OutputItem => ({
  id,
  type: 'custom_tool_call',
  status,
  call_id: callId,
  name,
  ...(namespace !== undefined ? { namespace } : {}),
  input,
});

/** The client's view of a Kiro tool call: its declared name, namespace and kind (tools.ts). */
export function clientToolOf(req: NeutralRequest, kiroName: string): { name: string; namespace?: string; custom: boolean } {
  const t = (req.extras?.toolTable as Record<string, { name: string; namespace?: string; custom?: boolean }> | undefined)?.[kiroName];
  if (!t) return { name: kiroName, custom: false };
  return { name: t.name, ...(t.namespace !== undefined ? { namespace: t.namespace } : {}), custom: t.custom === true };
}

/** A custom tool's text from the `{input}` object the model filled in. */
export function customInputOf(input: unknown): string {
  const v = (input as { input?: unknown } | null)?.input;
  return typeof v === 'string' ? v : JSON.stringify(input ?? {});
}

// The same items as JSON text around a text the caller has already passed through
// JSON.stringify (`quoted`): the stream quotes a finished item's text once and splices it into
// every event that repeats it (done events, the finished item, the final Response), instead of
// stringifying a new object holding the whole text for each. Same bytes as JSON.stringify of the
// objects above.

export const outputTextJson = (quoted: string): string => `{"type":"output_text","text":${quoted},"annotations":[],"logprobs":[]}`;

export const summaryTextJson = (quoted: string): string => `{"type":"summary_text","text":${quoted}}`;

export const messageItemJson = (id: string, quoted: string, status: 'completed' | 'incomplete'): string =>
  `{"id":${JSON.stringify(id)},"type":"message","role":"assistant","status":"${status}","content":[${outputTextJson(quoted)}]}`;

export const reasoningItemJson = (id: string, quoted: string): string =>
  `{"id":${JSON.stringify(id)},"type":"reasoning","summary":[${summaryTextJson(quoted)}]}`;

/** Responses usage: input_tokens include cached ones (OpenAI convention). */
export function responsesUsage(u: NeutralUsage) {
  const cached = u.cacheReadInputTokens ?? 0;
  const input = u.inputTokens + cached + (u.cacheCreationInputTokens ?? 0);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: u.cacheCreationInputTokens ?? 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + u.outputTokens,
    // Kiro's metered credits (meteringEvent), as in the other dialects' usage.
    ...(u.credits !== undefined ? { kiro_credits: u.credits } : {}),
  };
}

/** completed, or incomplete when the answer was cut by a length limit. */
export function finalStatus(r: StopReason): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  return r === 'max_tokens' || r === 'context_window_exceeded'
    ? { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
    : { status: 'completed', incomplete_details: null };
}

export interface EnvelopeFields {
  status: ResponseStatus;
  output: OutputItem[];
  usage: ReturnType<typeof responsesUsage> | null;
  incomplete_details?: { reason: string } | null;
  error?: { code: string; message: string } | null;
}

export function responseEnvelope(req: NeutralRequest, meta: ResponseMeta, f: EnvelopeFields) {
  return { ...envelopeHead(meta, f, req), output: f.output, ...envelopeSettings(req), usage: f.usage, metadata: req.extras?.metadata ?? {} };
}

/** The envelope's fields before `output`: what changes as the response moves through its states. */
function envelopeHead(meta: ResponseMeta, f: Omit<EnvelopeFields, 'output'>, req: NeutralRequest) {
  const x = req.extras ?? {};
  return {
    id: responseId(meta),
    object: 'response',
    created_at: meta.created,
    status: f.status,
    error: f.error ?? null,
    incomplete_details: f.incomplete_details ?? null,
    instructions: x.instructions ?? null,
    max_output_tokens: x.maxOutputTokens ?? null,
    model: meta.model,
  };
}

/** The request's settings echoed after `output`: the same in every event of one response. */
function envelopeSettings(req: NeutralRequest) {
  const x = req.extras ?? {};
  return {
    parallel_tool_calls: x.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: x.reasoningEffort ?? null, summary: x.reasoningSummary ?? null },
    store: x.store ?? false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: toolChoiceOut(req),
    tools: req.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.inputSchema, strict: false })),
    top_p: null,
    truncation: 'disabled',
  };
}

/**
 * The stream's Response objects as JSON text: the same bytes as
 * JSON.stringify(responseEnvelope(...)), but with the output items passed in already serialised
 * (the stream serialises each item once, when it finishes, and one item can hold the whole
 * answer), and the settings (every tool with its schema) serialised once per response instead of
 * once per lifecycle event.
 */
export function envelopeJsonWriter(req: NeutralRequest, meta: ResponseMeta): (f: Omit<EnvelopeFields, 'output'>, outputJson: readonly string[]) => string {
  const settings = JSON.stringify(envelopeSettings(req)).slice(1, -1);
  const metadata = JSON.stringify(req.extras?.metadata ?? {});
  return (f, outputJson) => {
    const head = JSON.stringify(envelopeHead(meta, f, req)).slice(0, -1);
    return `${head},"output":[${outputJson.join(',')}],${settings},"usage":${JSON.stringify(f.usage)},"metadata":${metadata}}`;
  };
}

function toolChoiceOut(req: NeutralRequest): unknown {
  const c = req.toolChoice;
  if (!c || c.type === 'auto') return 'auto';
  if (c.type === 'none') return 'none';
  if (c.type === 'any') return 'required';
  return { type: 'function', name: c.name };
}
