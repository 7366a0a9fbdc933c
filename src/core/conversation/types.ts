// The dialect-neutral conversation: every client dialect parses into this, the normaliser turns
// it into a Kiro request, and Kiro's answer comes back as NeutralEvents that each dialect renders.
// Keep it a superset of what the three client APIs can express.

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export type NeutralBlock =
  | { type: 'text'; text: string }
  /** base64 data without any `data:` prefix. `mediaType` is what the client said (image/png…). */
  | { type: 'image'; mediaType: string; data: string }
  /** `input` is the parsed JSON object (OpenAI's `arguments` string is parsed by the dialect). */
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | {
      type: 'tool_result';
      toolUseId: string;
      /** Text parts of the result, in order. */
      content: string;
      isError: boolean;
      images?: { mediaType: string; data: string }[];
    }
  /** Prior assistant reasoning, re-sent by clients (Anthropic thinking blocks). */
  | { type: 'thinking'; text: string; signature?: string };

export interface NeutralMessage {
  role: 'user' | 'assistant';
  content: NeutralBlock[];
}

export interface NeutralTool {
  name: string;
  description: string;
  /** JSON Schema of the input, as the client sent it (cleaned later by the normaliser). */
  inputSchema: Record<string, unknown>;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'any' } // Anthropic "any" / OpenAI "required"
  | { type: 'tool'; name: string };

export type Thinking = { type: 'enabled'; budgetTokens: number } | { type: 'adaptive'; effort: 'low' | 'medium' | 'high' | 'max' };

export type DialectName = 'openai-chat' | 'openai-responses' | 'anthropic';

export interface NeutralRequest {
  dialect: DialectName;
  /** The model name exactly as the client asked. */
  model: string;
  /** System text, already joined (system/developer messages, hoisted system turns, instructions). */
  system: string;
  messages: NeutralMessage[];
  tools: NeutralTool[];
  toolChoice?: ToolChoice;
  thinking?: Thinking;
  /** Proxy-enforced: Kiro has no field for these. */
  maxTokens?: number;
  stopSequences?: string[];
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
  /**
   * Tools the client declared that the proxy cannot run (server/hosted tools), dropped before
   * Kiro; reported in the log and the x-kiro-proxy-ignored-tools header (dialects/shared/unrunnable-tools.ts).
   */
  ignoredTools?: string[];
  /** Stable session key (Claude Code session id, …) used as conversationId and for stickiness. */
  sessionId?: string;
  /** Dialect-specific extras the renderer needs back (e.g. Responses `store`, `metadata`). */
  extras?: Record<string, unknown>;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'context_window_exceeded';

export interface NeutralUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  /** Kiro metered credits for this turn (meteringEvent). */
  credits?: number;
}

/**
 * What the assembler emits while Kiro streams. Tool calls stream as start → deltas → end so
 * clients see arguments as they arrive; `name` is already mapped back to the client's name.
 */
export type NeutralEvent =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; text: string }
  | { type: 'thinking_signature'; signature: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; json: string }
  | { type: 'tool_call_end'; index: number; input: unknown }
  | { type: 'end'; stopReason: StopReason; stopSequence?: string; usage: NeutralUsage };

/** A whole, non-streamed answer (what collecting the events yields). */
export interface NeutralResult {
  content: (
    { type: 'text'; text: string } | { type: 'thinking'; text: string; signature?: string } | { type: 'tool_use'; id: string; name: string; input: unknown }
  )[];
  stopReason: StopReason;
  stopSequence?: string;
  usage: NeutralUsage;
}
