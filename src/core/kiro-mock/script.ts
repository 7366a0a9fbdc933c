// Scripted responses for the mock's chat endpoint. A test queues steps (in-process or via
// POST /__mock/script); each chat request consumes one. Shorthand kinds all reduce to two
// canonical forms: an HTTP error before the stream, or a stream made of ordered parts.

export interface TokenUsage {
  uncachedInputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ToolUseSpec {
  name: string;
  input?: Record<string, unknown>;
  toolUseId?: string;
  /** How many `input` fragments the JSON is split into (default 3). */
  fragments?: number;
  /** Report the whole call twice with the same id (seen from Kiro, §7.4). */
  duplicate?: boolean;
  /** Cut the JSON short (unbalanced), still ending with stop:true. */
  truncated?: boolean;
}

export type StreamPart =
  /** The default deterministic reply derived from the last user message. */
  | { type: 'reply' }
  | { type: 'text'; text: string; chunks?: number }
  | ({ type: 'tool_use' } & ToolUseSpec)
  /** A tool call leaked into text: `[Called NAME with args: {...}]` (§7.5). */
  | { type: 'bracket_tool'; name: string; input: Record<string, unknown> }
  /** Prompt-tag thinking: `<thinking>…</thinking>\n\n` then optional text, split across events. */
  | { type: 'thinking_tags'; thinking: string; text?: string }
  /** Native reasoning: reasoningContentEvent text deltas then one with the signature. */
  | { type: 'reasoning'; text: string; signature?: string; redactedContent?: string }
  | { type: 'metadata'; tokenUsage?: TokenUsage }
  /** Exception frame; ends the stream (no metering after it). */
  | { type: 'exception'; exceptionType: string; message?: string; reason?: string }
  /** Error frame (`:error-code` / `:error-message` headers); ends the stream. */
  | { type: 'error'; code: string; message: string }
  /** Any event verbatim, for event types the mock does not model. */
  | { type: 'event'; eventType: string; payload: Record<string, unknown> }
  | { type: 'delay'; ms: number }
  /** Destroy the socket here: the client sees a truncated chunked body. */
  | { type: 'destroy' };

export interface StreamOptions {
  /** Send the `initial-response` frame first (default: only on the awsJson endpoint). */
  initialResponse?: boolean;
  /** Wait before the response headers are written. */
  firstByteDelayMs?: number;
  /** Wait between TCP writes of the body. */
  chunkDelayMs?: number;
  /** Trailing meteringEvent (default true). */
  metering?: boolean;
  /** Trailing contextUsageEvent (default true). */
  contextUsage?: boolean;
  /** Trailing metadataEvent tokenUsage (default: server option, false). */
  metadata?: boolean;
  /** Override the contextUsagePercentage value. */
  contextUsagePercentage?: number;
  /** modelId echoed in assistantResponseEvent (default: the request's, else "auto"). */
  modelId?: string;
}

export interface HttpErrorStep {
  kind: 'http_error';
  status: number;
  /** Default: Kiro's text for the status/reason (kiro-errors.ts). */
  message?: string;
  reason?: string | null;
  /** Short Smithy type, e.g. ThrottlingException; sent as x-amzn-errortype and in `__type`. */
  errorType?: string;
  /** Put `__type` into the body too (default true when errorType is given). */
  typeInBody?: boolean;
  retryAfter?: number | string;
  delayMs?: number;
}

export type StreamStep = { kind: 'stream'; parts: StreamPart[] } & StreamOptions;

export type MockStep =
  | HttpErrorStep
  | StreamStep
  | ({ kind: 'text'; text: string; chunks?: number } & StreamOptions)
  | ({ kind: 'tool_use'; text?: string } & ToolUseSpec & StreamOptions)
  | ({ kind: 'tool_uses'; tools: ToolUseSpec[]; text?: string } & StreamOptions)
  | ({ kind: 'bracket_tool'; name: string; input: Record<string, unknown>; text?: string } & StreamOptions)
  | ({ kind: 'thinking_tags'; thinking: string; text?: string } & StreamOptions)
  | ({ kind: 'reasoning'; reasoning: string; signature?: string; text?: string } & StreamOptions)
  | ({ kind: 'exception'; exceptionType: string; message?: string; reason?: string; text?: string } & StreamOptions)
  | ({ kind: 'error_frame'; code: string; message: string; text?: string } & StreamOptions)
  | ({ kind: 'empty' } & StreamOptions)
  | ({ kind: 'destroy'; text?: string } & StreamOptions);

type MockStepKind = MockStep['kind'];

const STEP_KINDS: readonly MockStepKind[] = [
  'http_error',
  'stream',
  'text',
  'tool_use',
  'tool_uses',
  'bracket_tool',
  'thinking_tags',
  'reasoning',
  'exception',
  'error_frame',
  'empty',
  'destroy',
];

export type ResolvedStep = HttpErrorStep | StreamStep;

const OPTION_KEYS = [
  'initialResponse',
  'firstByteDelayMs',
  'chunkDelayMs',
  'metering',
  'contextUsage',
  'metadata',
  'contextUsagePercentage',
  'modelId',
] as const;

function optionsOf(step: StreamOptions): StreamOptions {
  const out: Record<string, unknown> = {};
  for (const k of OPTION_KEYS) if (step[k] !== undefined) out[k] = step[k];
  return out;
}

const textPart = (text: string | undefined): StreamPart[] => (text ? [{ type: 'text', text }] : []);

function toolPart(spec: ToolUseSpec): StreamPart {
  const part: StreamPart = { type: 'tool_use', name: spec.name };
  if (spec.input !== undefined) part.input = spec.input;
  if (spec.toolUseId !== undefined) part.toolUseId = spec.toolUseId;
  if (spec.fragments !== undefined) part.fragments = spec.fragments;
  if (spec.duplicate !== undefined) part.duplicate = spec.duplicate;
  if (spec.truncated !== undefined) part.truncated = spec.truncated;
  return part;
}

/** Reduces any step to its canonical form. */
export function resolveStep(step: MockStep): ResolvedStep {
  if (step.kind === 'http_error' || step.kind === 'stream') return step;
  const opts = optionsOf(step);
  const stream = (parts: StreamPart[]): StreamStep => ({ kind: 'stream', parts, ...opts });
  switch (step.kind) {
    case 'text':
      return stream([{ type: 'text', text: step.text, ...(step.chunks !== undefined ? { chunks: step.chunks } : {}) }]);
    case 'tool_use':
      return stream([...textPart(step.text), toolPart(step)]);
    case 'tool_uses':
      return stream([...textPart(step.text), ...step.tools.map(toolPart)]);
    case 'bracket_tool':
      return stream([...textPart(step.text), { type: 'bracket_tool', name: step.name, input: step.input }]);
    case 'thinking_tags':
      return stream([{ type: 'thinking_tags', thinking: step.thinking, ...(step.text !== undefined ? { text: step.text } : {}) }]);
    case 'reasoning':
      return stream([
        { type: 'reasoning', text: step.reasoning, ...(step.signature !== undefined ? { signature: step.signature } : {}) },
        ...textPart(step.text ?? 'Done thinking.'),
      ]);
    case 'exception': {
      const part: StreamPart = { type: 'exception', exceptionType: step.exceptionType };
      if (step.message !== undefined) part.message = step.message;
      if (step.reason !== undefined) part.reason = step.reason;
      return stream([...textPart(step.text), part]);
    }
    case 'error_frame':
      return stream([...textPart(step.text), { type: 'error', code: step.code, message: step.message }]);
    case 'empty':
      return stream([]);
    case 'destroy':
      return stream([...textPart(step.text ?? 'Partial answer that never'), { type: 'destroy' }]);
  }
}

/** Light shape check for steps arriving over HTTP; returns an error text or undefined. */
export function checkStepShape(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a step must be an object';
  const kind = (v as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(STEP_KINDS as readonly string[]).includes(kind)) {
    return `unknown step kind ${JSON.stringify(kind)}; expected one of ${STEP_KINDS.join(', ')}`;
  }
  if (kind === 'http_error' && typeof (v as { status?: unknown }).status !== 'number') return 'http_error needs a numeric status';
  if (kind === 'stream' && !Array.isArray((v as { parts?: unknown }).parts)) return 'stream needs a parts array';
  return undefined;
}
