// Assembles Kiro's toolUseEvent fragments into client tool calls (protocol §7.4): keyed by
// toolUseId, streamed as start → deltas → end, names mapped back to the client's. Tolerates
// interleaved tools (serialised: one call's events end before the next starts), repeated events
// for a finished id, nameless events, truncated JSON.
import type { Logger } from '../../proxy-types.ts';
import type { NeutralEvent } from '../types.ts';
import { clientToolName, type ToolNameMap } from '../tool-names.ts';
import type { KiroEvent } from '../../kiro/kiro-event.ts';

type ToolUseEvent = Extract<KiroEvent, { type: 'toolUse' }>;

export interface ToolAssembler {
  push(ev: ToolUseEvent): NeutralEvent[];
  /** Closes tools that never got `stop: true` (their input is parsed as far as it arrived). */
  finish(): NeutralEvent[];
}

/** Parses the concatenated fragments; never throws (truncated input becomes `{}`). */
function parseToolInput(json: string, name: string, logger?: Logger): Record<string, unknown> {
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
  id: string;
  /** Allocated when the tool's events are first emitted (so indexes follow emission order). */
  index: number;
  name: string;
  buf: string;
  /** Kiro sent `stop: true` (the tool may still be waiting for its turn to be emitted). */
  stopped: boolean;
}

/**
 * Tools are emitted one at a time: start → deltas → end of one call before the next starts,
 * because the dialect encoders write sequential blocks (Anthropic content blocks, Responses
 * output items). If Kiro interleaves two tool ids, the second is buffered until the first ends.
 */
export function createToolAssembler(opts: { toolNames: ToolNameMap; allocIndex: () => number; logger?: Logger | undefined }): ToolAssembler {
  /** Tools seen and not yet ended, in order of first appearance; the first one is being emitted. */
  const open = new Map<string, OpenTool>();
  let active: OpenTool | undefined;
  const finished = new Set<string>();
  /** Fragments of ids we have no name for yet; used if a named event for the id follows. */
  const nameless = new Map<string, string>();

  const end = (tool: OpenTool): NeutralEvent => {
    open.delete(tool.id);
    finished.add(tool.id);
    return { type: 'tool_call_end', index: tool.index, input: parseToolInput(tool.buf, tool.name, opts.logger) };
  };

  /** Starts `tool` (emitting what it buffered so far) and ends it too if it already stopped. */
  const begin = (tool: OpenTool, out: NeutralEvent[]): void => {
    tool.index = opts.allocIndex();
    active = tool;
    out.push({ type: 'tool_call_start', index: tool.index, id: tool.id, name: tool.name });
    if (tool.buf) out.push({ type: 'tool_call_delta', index: tool.index, json: tool.buf });
    if (tool.stopped) {
      active = undefined;
      out.push(end(tool));
    }
  };

  /** After the active tool ended: emit the waiting ones, in order, until one is still streaming. */
  const drain = (out: NeutralEvent[]): void => {
    for (const tool of open.values()) {
      if (active) return;
      begin(tool, out);
    }
  };

  return {
    push(ev) {
      const id = ev.toolUseId;
      if (finished.has(id) || open.get(id)?.stopped) {
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
        tool = { id, index: -1, name: clientToolName(opts.toolNames, ev.name), buf: nameless.get(id) ?? '', stopped: false };
        nameless.delete(id);
        open.set(id, tool);
        if (active) opts.logger?.debug(`tool call ${id}: interleaved with ${active.id}; held until that one ends`);
        else begin(tool, out);
      }
      if (tool !== active) {
        // Waiting for its turn: keep the input; begin() sends it in one delta.
        tool.buf += ev.input ?? '';
        if (ev.stop) tool.stopped = true;
        return out;
      }
      if (ev.input) {
        tool.buf += ev.input;
        out.push({ type: 'tool_call_delta', index: tool.index, json: ev.input });
      }
      if (ev.stop) {
        active = undefined;
        out.push(end(tool));
        drain(out);
      }
      return out;
    },
    finish() {
      for (const id of nameless.keys()) opts.logger?.warn(`tool call ${id}: dropped, Kiro never sent its name`);
      nameless.clear();
      const out: NeutralEvent[] = [];
      for (;;) {
        if (!active) drain(out);
        const tool = active;
        if (!tool) return out;
        opts.logger?.warn(`tool call ${tool.name} (${tool.id}): stream ended before stop; closing it`);
        active = undefined;
        out.push(end(tool));
      }
    },
  };
}
