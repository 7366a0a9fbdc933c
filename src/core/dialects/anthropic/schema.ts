// zod shapes of an Anthropic Messages request. Objects are loose: clients add fields faster
// than we track them (context_management, container, service_tier…), and unknown fields are
// not an error. Content blocks are checked one by one in content.ts for precise messages.
import * as z from 'zod';

export const anyBlock = z.looseObject({ type: z.string() });

export const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });

export const messageSchema = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(anyBlock)]),
});

export const toolSchema = z.looseObject({
  type: z.string().nullish(),
  name: z.string().optional(),
});

export const customToolSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
});

const toolChoiceSchema = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().optional(),
});

const thinkingSchema = z.looseObject({
  type: z.string(),
  budget_tokens: z.number().int().nonnegative().optional(),
});

/** The body of POST /v1/messages; count_tokens is the same minus max_tokens. */
export const requestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
  system: z.union([z.string(), z.array(anyBlock)]).nullish(),
  // Required by the real API; we are lenient and simply enforce no limit when it is absent.
  max_tokens: z.number().int().positive().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  thinking: thinkingSchema.nullish(),
  output_config: z.looseObject({ effort: z.string().nullish() }).nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
});

export type AnthropicRequest = z.infer<typeof requestSchema>;

export const imageSource = z.looseObject({ type: z.string() });
export const base64Source = z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() });

export const toolUseBlock = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown().optional(),
});

export const toolResultBlock = z.looseObject({
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(anyBlock)]).nullish(),
  is_error: z.boolean().nullish(),
});

export const thinkingBlock = z.looseObject({ thinking: z.string(), signature: z.string().nullish() });
export const redactedThinkingBlock = z.looseObject({ data: z.string() });
export const documentBlock = z.looseObject({ source: z.looseObject({ type: z.string() }), title: z.string().nullish() });
