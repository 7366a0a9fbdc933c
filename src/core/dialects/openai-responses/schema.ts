// zod shapes of a Responses API request (what Codex sends). Loose objects throughout: include,
// text.format, truncation, service_tier, user, safety_identifier… are accepted and ignored.
import * as z from 'zod';

const anyPart = z.looseObject({ type: z.string() });
export const textPart = z.looseObject({ text: z.string() });
export const refusalPart = z.looseObject({ refusal: z.string() });
export const imagePart = z.looseObject({ image_url: z.string().nullish(), file_id: z.string().nullish() });

export const messageItem = z.looseObject({
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(anyPart)]),
});

export const functionCallItem = z.looseObject({
  call_id: z.string().min(1),
  name: z.string().min(1),
  /** Set on calls of a namespaced tool (echoed from our output item). */
  namespace: z.string().nullish(),
  arguments: z.string(),
});

export const functionCallOutputItem = z.looseObject({
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(anyPart)]),
});

export const customToolCallItem = z.looseObject({ call_id: z.string().min(1), name: z.string().min(1), namespace: z.string().nullish(), input: z.string() });

export const requestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.looseObject({ type: z.string().nullish() }))]).nullish(),
  instructions: z.string().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  background: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  prompt_cache_key: z.string().nullish(),
});
