// Kiro events → NeutralEvents for one response. Pure and synchronous with state owned by each
// assembler: text is forwarded as it arrives (held back only to spot a leading <thinking> tag or a
// `[Called ` text tool call), tool fragments are assembled, and finish() reports stop reason and
// usage. In-band errors throw KiroUpstreamError.
import type { Logger } from '../../proxy-types.ts';
import type { NeutralEvent } from '../types.ts';
import type { ToolNameMap } from '../tool-names.ts';
import { createTokenCounter } from '../estimate.ts';
import { randomUUID } from 'node:crypto';
import type { KiroEvent } from '../../kiro/kiro-event.ts';
import { createThinkingSplitter } from '../../kiro/stream-thinking.ts';
import { createBracketScanner } from '../../kiro/stream-bracket.ts';
import { createToolAssembler } from './stream-tools.ts';
import { computeUsage, stopReasonFor, type TokenUsage } from './stream-usage.ts';
import { OUTPUT_LIMIT_EXCEPTION, streamError } from '../../kiro/stream-errors.ts';

export interface StreamAssemblerOptions {
  toolNames: ToolNameMap;
  /** Parse `<thinking>` tags out of the text (the request asked for thinking in tag mode). */
  thinkingTags: boolean;
  estimatedInputTokens: number;
  contextWindow: number;
  logger?: Logger;
  /** Id for tool calls recovered from text (tests pass a fixed one). */
  newToolId?: () => string;
}

export interface StreamAssembler {
  push(ev: KiroEvent): NeutralEvent[];
  finish(): NeutralEvent[];
}

const defaultToolId = () => `tooluse_${randomUUID().replace(/-/g, '').slice(0, 22)}`;

/** What the assembler learns while the stream passes: counters, usage, how it ended. */
function initialState() {
  return {
    toolCalls: 0,
    outputLimitHit: false,
    contextUsagePercentage: undefined as number | undefined,
    tokenUsage: undefined as TokenUsage | undefined,
    credits: undefined as number | undefined,
    /** Everything the model produced, counted for the output-token estimate as it passes. */
    output: createTokenCounter(),
    done: false,
  };
}

export function createStreamAssembler(opts: StreamAssemblerOptions): StreamAssembler {
  const state = initialState();
  const allocIndex = () => state.toolCalls++;
  const isDeclared = (name: string) => opts.toolNames.toClient.has(name) || opts.toolNames.toKiro.has(name);
  const splitter = createThinkingSplitter(opts.thinkingTags);
  const brackets = createBracketScanner(isDeclared);
  const tools = createToolAssembler({ toolNames: opts.toolNames, allocIndex, logger: opts.logger });
  const newToolId = opts.newToolId ?? defaultToolId;

  const fromBrackets = (outs: ReturnType<typeof brackets.push>, into: NeutralEvent[]): void => {
    for (const o of outs) {
      if (o.kind === 'text') {
        state.output.add(o.text);
        into.push({ type: 'text_delta', text: o.text });
        continue;
      }
      const index = allocIndex();
      const name = opts.toolNames.toClient.get(o.name) ?? o.name;
      opts.logger?.debug(`recovered a text-embedded tool call to ${name}`);
      state.output.add(o.json);
      into.push(
        { type: 'tool_call_start', index, id: newToolId(), name },
        { type: 'tool_call_delta', index, json: o.json },
        { type: 'tool_call_end', index, input: o.input },
      );
    }
  };

  const fromSegments = (segments: ReturnType<typeof splitter.push>, into: NeutralEvent[]): void => {
    for (const seg of segments) {
      if (seg.kind === 'thinking') {
        state.output.add(seg.text);
        into.push({ type: 'thinking_delta', text: seg.text });
      } else {
        fromBrackets(brackets.push(seg.text), into);
      }
    }
  };

  /** Releases held text: a tool call or the end of the stream closes any open thinking. */
  const flushText = (into: NeutralEvent[]): void => {
    fromSegments(splitter.end(), into);
    fromBrackets(brackets.flush(), into);
  };

  return {
    push(ev) {
      const out: NeutralEvent[] = [];
      if (state.done) return out;
      switch (ev.type) {
        case 'assistantResponse':
        case 'code':
          if (ev.content) fromSegments(splitter.push(ev.content), out);
          break;
        case 'reasoning':
          if (ev.text) {
            state.output.add(ev.text);
            out.push({ type: 'thinking_delta', text: ev.text });
          }
          if (ev.signature) out.push({ type: 'thinking_signature', signature: ev.signature });
          if (ev.redactedContent) opts.logger?.debug('dropped redacted reasoning content (no neutral event for it)');
          break;
        case 'toolUse':
          flushText(out);
          for (const t of tools.push(ev)) {
            if (t.type === 'tool_call_delta') state.output.add(t.json);
            out.push(t);
          }
          break;
        case 'metering':
          state.credits = (state.credits ?? 0) + ev.usage;
          break;
        case 'contextUsage':
          state.contextUsagePercentage = ev.contextUsagePercentage;
          break;
        case 'metadata':
          if (ev.tokenUsage && Object.keys(ev.tokenUsage).length > 0) state.tokenUsage = { ...state.tokenUsage, ...ev.tokenUsage };
          break;
        case 'exception':
          if (ev.exceptionType !== OUTPUT_LIMIT_EXCEPTION) throw streamError(ev);
          opts.logger?.debug('Kiro hit its output length limit; ending with max_tokens');
          state.outputLimitHit = true;
          break;
        case 'error':
        case 'invalidState':
          throw streamError(ev);
        case 'messageStop':
        case 'initialResponse':
        case 'unknown':
          break;
      }
      return out;
    },
    finish() {
      const out: NeutralEvent[] = [];
      if (state.done) return out;
      state.done = true;
      flushText(out);
      out.push(...tools.finish());
      const usage = computeUsage({
        estimatedInputTokens: opts.estimatedInputTokens,
        estimatedOutputTokens: state.output.tokens(),
        contextWindow: opts.contextWindow,
        contextUsagePercentage: state.contextUsagePercentage,
        tokenUsage: state.tokenUsage,
        credits: state.credits,
      });
      out.push({ type: 'end', stopReason: stopReasonFor(state), usage });
      return out;
    },
  };
}
