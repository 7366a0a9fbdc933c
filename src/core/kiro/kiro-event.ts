// Typed view of the frames Kiro streams back (kiro-protocol.md §7.3). Unknown event types are
// surfaced as `unknown` so callers can ignore them; payloads that are not JSON objects are too.
import { headerString, type EventStreamMessage } from './frame-decoder.ts';

export type KiroEvent =
  | { type: 'assistantResponse'; content: string; modelId?: string }
  | { type: 'code'; content: string }
  | {
      type: 'toolUse';
      toolUseId: string;
      name: string;
      /** Raw fragment; an object input is re-serialised to JSON text. */
      input?: string;
      stop?: boolean;
    }
  | { type: 'reasoning'; text?: string; signature?: string; redactedContent?: string }
  | { type: 'metering'; unit?: string; unitPlural?: string; usage: number }
  | { type: 'contextUsage'; contextUsagePercentage: number }
  | {
      type: 'metadata';
      tokenUsage?: {
        uncachedInputTokens?: number;
        outputTokens?: number;
        totalTokens?: number;
        cacheReadInputTokens?: number;
        cacheWriteInputTokens?: number;
      };
    }
  | { type: 'invalidState'; reason?: string; message?: string }
  | { type: 'messageStop'; stopReason?: string }
  | { type: 'initialResponse' }
  | { type: 'unknown'; eventType: string }
  /** `:message-type: exception` — e.g. ContentLengthExceededException (output limit hit). */
  | { type: 'exception'; exceptionType: string; message: string; reason?: string }
  /** `:message-type: error` — fatal stream error. */
  | { type: 'error'; code: string; message: string };

const utf8 = new TextDecoder();

function parseJsonObject(payload: Uint8Array): Record<string, unknown> | undefined {
  if (payload.length === 0) return {};
  try {
    const v: unknown = JSON.parse(utf8.decode(payload));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Some peers saw the member nested as `{"assistantResponseEvent": {...}}`; accept both. */
function unwrap(eventType: string, obj: Record<string, unknown>): Record<string, unknown> {
  const inner = obj[eventType];
  if (inner && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(obj).length === 1) {
    return inner as Record<string, unknown>;
  }
  return obj;
}

export function toKiroEvent(msg: EventStreamMessage): KiroEvent {
  const messageType = headerString(msg, ':message-type') ?? 'event';
  if (messageType === 'error') {
    return {
      type: 'error',
      code: headerString(msg, ':error-code') ?? 'UnknownError',
      message: headerString(msg, ':error-message') ?? 'upstream stream error',
    };
  }
  if (messageType === 'exception') {
    const obj = parseJsonObject(msg.payload) ?? {};
    const exceptionType = headerString(msg, ':exception-type') ?? str(obj['__type'])?.split('#').pop() ?? 'UnknownException';
    const reason = str(obj['reason']);
    return {
      type: 'exception',
      exceptionType,
      message: str(obj['message']) ?? str(obj['Message']) ?? exceptionType,
      ...(reason !== undefined ? { reason } : {}),
    };
  }
  const eventType = headerString(msg, ':event-type') ?? '';
  const raw = parseJsonObject(msg.payload);
  if (!raw) return { type: 'unknown', eventType };
  const p = unwrap(eventType, raw);
  switch (eventType) {
    case 'initial-response':
      return { type: 'initialResponse' };
    case 'assistantResponseEvent': {
      const modelId = str(p['modelId']);
      return { type: 'assistantResponse', content: str(p['content']) ?? '', ...(modelId ? { modelId } : {}) };
    }
    case 'codeEvent':
      return { type: 'code', content: str(p['content']) ?? '' };
    case 'toolUseEvent': {
      const rawInput = p['input'];
      let input: string | undefined;
      if (typeof rawInput === 'string') input = rawInput;
      else if (rawInput && typeof rawInput === 'object') {
        input = Object.keys(rawInput).length === 0 ? '' : JSON.stringify(rawInput);
      }
      return {
        type: 'toolUse',
        toolUseId: str(p['toolUseId']) ?? '',
        name: str(p['name']) ?? '',
        ...(input !== undefined ? { input } : {}),
        ...(p['stop'] === true ? { stop: true } : {}),
      };
    }
    case 'reasoningContentEvent': {
      const ev: KiroEvent = { type: 'reasoning' };
      const text = str(p['text']);
      const signature = str(p['signature']);
      const redacted = str(p['redactedContent']);
      if (text !== undefined) ev.text = text;
      if (signature !== undefined) ev.signature = signature;
      if (redacted !== undefined) ev.redactedContent = redacted;
      return ev;
    }
    case 'meteringEvent': {
      const ev: KiroEvent = { type: 'metering', usage: num(p['usage']) ?? 0 };
      const unit = str(p['unit']);
      const unitPlural = str(p['unitPlural']);
      if (unit) ev.unit = unit;
      if (unitPlural) ev.unitPlural = unitPlural;
      return ev;
    }
    case 'contextUsageEvent':
      return { type: 'contextUsage', contextUsagePercentage: num(p['contextUsagePercentage']) ?? 0 };
    case 'metadataEvent': {
      const tu = p['tokenUsage'];
      if (!tu || typeof tu !== 'object') return { type: 'metadata' };
      const t = tu as Record<string, unknown>;
      const tokenUsage: NonNullable<Extract<KiroEvent, { type: 'metadata' }>['tokenUsage']> = {};
      for (const k of ['uncachedInputTokens', 'outputTokens', 'totalTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens'] as const) {
        const v = num(t[k]);
        if (v !== undefined) tokenUsage[k] = v;
      }
      return { type: 'metadata', tokenUsage };
    }
    case 'invalidStateEvent': {
      const ev: KiroEvent = { type: 'invalidState' };
      const reason = str(p['reason']);
      const message = str(p['message']);
      if (reason) ev.reason = reason;
      if (message) ev.message = message;
      return ev;
    }
    case 'messageStopEvent':
    case 'messageStop': {
      const stopReason = str(p['stopReason']);
      return { type: 'messageStop', ...(stopReason ? { stopReason } : {}) };
    }
    default:
      return { type: 'unknown', eventType };
  }
}
