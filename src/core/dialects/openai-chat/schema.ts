// zod shapes of a Chat Completions request. Loose objects: sampling knobs (temperature, top_p,
// seed, logit_bias…), user, metadata, store and future fields are accepted and ignored.
import * as z from 'zod';

const anyPart = z.looseObject({ type: z.string() });
export const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });

export const messageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(anyPart)]).nullish(),
});

export const imagePart = z.looseObject({
  image_url: z.union([z.string(), z.looseObject({ url: z.string() })]),
});

export const toolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string().nullish() }),
});

export const assistantExtras = z.looseObject({
  tool_calls: z.array(z.unknown()).nullish(),
  reasoning_content: z.string().nullish(),
});

export const toolMessageSchema = z.looseObject({ tool_call_id: z.string().min(1) });

export const requestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()).min(1),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  reasoning_effort: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
});
