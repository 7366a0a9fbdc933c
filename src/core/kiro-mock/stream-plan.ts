// Turns a resolved stream step into the exact frames (and pauses) the mock will send. Kept
// separate from the socket writer so tests can inspect a plan without a server.
import { encodeKiroError, encodeKiroEvent, encodeKiroException } from '../kiro/frame-encoder.ts';
import { randInt, toolUseId, type Rng } from './prng.ts';
import type { StreamPart, StreamStep, TokenUsage, ToolUseSpec } from './script.ts';

export type StreamAction = { kind: 'bytes'; data: Uint8Array } | { kind: 'delay'; ms: number } | { kind: 'destroy' };

export interface PlanContext {
  rng: Rng;
  /** The default reply text (already derived from the user message). */
  replyText: string;
  /** modelId of the request (echoed in assistantResponseEvent). */
  modelId: string;
  /** Request body size, for contextUsagePercentage and tokenUsage. */
  bodyBytes: number;
  maxInputTokens: number;
  /** awsJson endpoint: initial-response frame by default. */
  awsJson: boolean;
  /** Server-wide default for the trailing metadataEvent. */
  metadataByDefault: boolean;
}

export interface StreamPlan {
  actions: StreamAction[];
  /** Characters of assistant text/tool input produced (for usage numbers). */
  outputChars: number;
  /** True when a destroy part cuts the stream. */
  destroyed: boolean;
}

/** Splits text into `n` non-empty pieces at random code-point boundaries. */
export function splitText(text: string, n: number, rng: Rng): string[] {
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(n, chars.length));
  if (count === 1) return [text];
  const cuts = new Set<number>();
  while (cuts.size < count - 1) cuts.add(randInt(rng, 1, chars.length - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const c of [...sorted, chars.length]) {
    out.push(chars.slice(prev, c).join(''));
    prev = c;
  }
  return out;
}

/** Default number of text events: a few per sentence, as real streams deliver. */
const defaultChunks = (text: string) => Math.max(2, Math.min(8, Math.ceil(Array.from(text).length / 16)));

const DEFAULT_SIGNATURE = 'mock-signature-RXhhbXBsZVNpZ25hdHVyZQ==';

export function buildStreamPlan(step: StreamStep, ctx: PlanContext): StreamPlan {
  const actions: StreamAction[] = [];
  const bytes = (data: Uint8Array) => actions.push({ kind: 'bytes', data });
  const modelId = step.modelId ?? ctx.modelId;
  let outputChars = 0;
  const text = (t: string, chunks?: number) => {
    if (t === '') return;
    outputChars += t.length;
    for (const piece of splitText(t, chunks ?? defaultChunks(t), ctx.rng)) {
      bytes(encodeKiroEvent('assistantResponseEvent', { content: piece, modelId }));
    }
  };
  const tool = (spec: ToolUseSpec) => {
    const id = spec.toolUseId ?? toolUseId(ctx.rng);
    let json = JSON.stringify(spec.input ?? {});
    if (spec.truncated) json = json.slice(0, Math.max(1, Math.floor(json.length * 0.6)));
    outputChars += json.length;
    const fragments = splitText(json, spec.fragments ?? 3, ctx.rng);
    const once = () => {
      bytes(encodeKiroEvent('toolUseEvent', { name: spec.name, toolUseId: id }));
      for (const input of fragments) bytes(encodeKiroEvent('toolUseEvent', { input, name: spec.name, toolUseId: id }));
      bytes(encodeKiroEvent('toolUseEvent', { name: spec.name, stop: true, toolUseId: id }));
    };
    once();
    if (spec.duplicate) once();
  };

  if (step.initialResponse ?? ctx.awsJson) {
    bytes(encodeKiroEvent('initial-response', { conversationId: '' }, 'application/x-amz-json-1.0'));
  }
  let terminated = false;
  let destroyed = false;
  for (const part of step.parts) {
    if (terminated) break;
    terminated = emitPart(part);
  }

  function emitPart(part: StreamPart): boolean {
    switch (part.type) {
      case 'reply':
        text(ctx.replyText);
        return false;
      case 'text':
        text(part.text, part.chunks);
        return false;
      case 'tool_use':
        tool(part);
        return false;
      case 'bracket_tool':
        text(`[Called ${part.name} with args: ${JSON.stringify(part.input)}]`);
        return false;
      case 'thinking_tags':
        text(`<thinking>${part.thinking}</thinking>\n\n${part.text ?? ''}`);
        return false;
      case 'reasoning': {
        if (part.redactedContent !== undefined) {
          bytes(encodeKiroEvent('reasoningContentEvent', { redactedContent: part.redactedContent }));
          return false;
        }
        outputChars += part.text.length;
        for (const piece of splitText(part.text, defaultChunks(part.text), ctx.rng)) {
          bytes(encodeKiroEvent('reasoningContentEvent', { text: piece }));
        }
        bytes(encodeKiroEvent('reasoningContentEvent', { signature: part.signature ?? DEFAULT_SIGNATURE }));
        return false;
      }
      case 'metadata':
        bytes(encodeKiroEvent('metadataEvent', { tokenUsage: part.tokenUsage ?? tokenUsage() }));
        return false;
      case 'event':
        bytes(encodeKiroEvent(part.eventType, part.payload));
        return false;
      case 'exception': {
        const payload: Record<string, unknown> = { message: part.message ?? defaultExceptionMessage(part.exceptionType) };
        if (part.reason !== undefined) payload['reason'] = part.reason;
        bytes(encodeKiroException(part.exceptionType, payload));
        return true;
      }
      case 'error':
        bytes(encodeKiroError(part.code, part.message));
        return true;
      case 'delay':
        actions.push({ kind: 'delay', ms: part.ms });
        return false;
      case 'destroy':
        actions.push({ kind: 'destroy' });
        destroyed = true;
        return true;
    }
  }

  function inputTokens(): number {
    return Math.ceil(ctx.bodyBytes / 4);
  }
  function tokenUsage(): TokenUsage {
    const input = inputTokens();
    const output = Math.ceil(outputChars / 4);
    return { cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: output, totalTokens: input + output, uncachedInputTokens: input };
  }

  if (!terminated) {
    if (step.metadata ?? ctx.metadataByDefault) bytes(encodeKiroEvent('metadataEvent', { tokenUsage: tokenUsage() }));
    if (step.metering ?? true) {
      const usage = Math.round((0.01 + outputChars / 20_000) * 10_000) / 10_000;
      bytes(encodeKiroEvent('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage }));
    }
    if (step.contextUsage ?? true) {
      const pct = step.contextUsagePercentage ?? Math.round((inputTokens() / ctx.maxInputTokens) * 100 * 10_000) / 10_000;
      bytes(encodeKiroEvent('contextUsageEvent', { contextUsagePercentage: pct }));
    }
  }
  return { actions, outputChars, destroyed };
}

function defaultExceptionMessage(type: string): string {
  if (type === 'ContentLengthExceededException') return 'Response exceeded the maximum allowed output length.';
  if (type === 'ThrottlingException') return 'Too many requests, please wait before trying again.';
  if (type === 'InternalServerException') return 'Encountered unexpectedly high load when processing the request, please try again.';
  return `Mock ${type}`;
}
