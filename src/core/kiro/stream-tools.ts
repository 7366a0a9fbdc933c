// Assembles Kiro's toolUseEvent fragments into client tool calls (protocol §7.4): keyed by
// toolUseId, streamed as start → deltas → end, names mapped back to the client's. Tolerates
// interleaved tools, repeated events for a finished id, nameless events, truncated JSON.
import type { Logger } from '../proxy-types.ts';
import type { NeutralEvent } from '../conversation/types.ts';
import { clientToolName, type ToolNameMap } from '../conversation/tool-names.ts';
import type { KiroEvent } from './events.ts';

type ToolUseEvent = Extract<KiroEvent, { type: 'toolUse' }>;

export interface ToolAssembler {
  push(ev: ToolUseEvent): NeutralEvent[];
  /** Closes tools that never got `stop: true` (their input is parsed as far as it arrived). */
  finish(): NeutralEvent[];
}

/** Parses the concatenated fragments; never throws (truncated input becomes `{}`). */
export function parseToolInput(json: string, name: string, logger?: Logger): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    return { value: v };
  } catch {
    logger?.warn(`tool call ${name}: input is not valid JSON (${json.length} chars, probably truncated); using {}`);
    return {};
  }
}

interface OpenTool {
  index: number;
  name: string;
  buf: string;
}

export function createToolAssembler(opts: { toolNames: ToolNameMap; allocIndex: () => number; logger?: Logger | undefined }): ToolAssembler {
  const open = new Map<string, OpenTool>();
  const finished = new Set<string>();
  /** Fragments of ids we have no name for yet; used if a named event for the id follows. */
  const nameless = new Map<string, string>();

  const close = (id: string, tool: OpenTool): NeutralEvent => {
    open.delete(id);
    finished.add(id);
    return { type: 'tool_call_end', index: tool.index, input: parseToolInput(tool.buf, tool.name, opts.logger) };
  };

  return {
    push(ev) {
      const id = ev.toolUseId;
      if (finished.has(id)) {
        opts.logger?.debug(`tool call ${id}: ignored an event after it finished`);
        return [];
      }
      const out: NeutralEvent[] = [];
      let tool = open.get(id);
      if (!tool) {
        if (ev.name === '') {
          nameless.set(id, (nameless.get(id) ?? '') + (ev.input ?? ''));
          return out;
        }
        tool = { index: opts.allocIndex(), name: clientToolName(opts.toolNames, ev.name), buf: '' };
        open.set(id, tool);
        out.push({ type: 'tool_call_start', index: tool.index, id, name: tool.name });
        const early = nameless.get(id);
        if (early) {
          nameless.delete(id);
          tool.buf += early;
          out.push({ type: 'tool_call_delta', index: tool.index, json: early });
        }
      }
      if (ev.input) {
        tool.buf += ev.input;
        out.push({ type: 'tool_call_delta', index: tool.index, json: ev.input });
      }
      if (ev.stop) out.push(close(id, tool));
      return out;
    },
    finish() {
      for (const id of nameless.keys()) opts.logger?.warn(`tool call ${id}: dropped, Kiro never sent its name`);
      nameless.clear();
      return [...open].map(([id, tool]) => {
        opts.logger?.warn(`tool call ${tool.name} (${id}): stream ended before stop; closing it`);
        return close(id, tool);
      });
    },
  };
}
