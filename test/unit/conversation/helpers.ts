// Builders shared by the conversation tests.
import type { NeutralBlock, NeutralMessage, NeutralRequest, NeutralTool } from '../../../src/core/conversation/types.ts';
import type { Logger } from '../../../src/core/proxy-types.ts';
import { createRuleLog, type RuleLog } from '../../../src/core/conversation/rule-log.ts';
import { turn, type Draft, type DraftTurn } from '../../../src/core/conversation/draft.ts';

export const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const text = (t: string): NeutralBlock => ({ type: 'text', text: t });
export const use = (id: string, name: string, input: unknown = {}): NeutralBlock => ({ type: 'tool_use', id, name, input });
export const result = (toolUseId: string, content = 'ok', extra: Partial<Extract<NeutralBlock, { type: 'tool_result' }>> = {}): NeutralBlock => ({
  type: 'tool_result',
  toolUseId,
  content,
  isError: false,
  ...extra,
});
export const image = (mediaType = 'image/png', data = PNG_1PX): NeutralBlock => ({ type: 'image', mediaType, data });
export const user = (...content: (NeutralBlock | string)[]): NeutralMessage => ({
  role: 'user',
  content: content.map((c) => (typeof c === 'string' ? text(c) : c)),
});
export const assistant = (...content: (NeutralBlock | string)[]): NeutralMessage => ({
  role: 'assistant',
  content: content.map((c) => (typeof c === 'string' ? text(c) : c)),
});
export const tool = (name: string, description = `Does ${name}.`, inputSchema: Record<string, unknown> = { type: 'object', properties: {} }): NeutralTool => ({
  name,
  description,
  inputSchema,
});

export function request(messages: NeutralMessage[], extra: Partial<NeutralRequest> = {}): NeutralRequest {
  return { dialect: 'anthropic', model: 'claude-sonnet-4-5', system: '', messages, tools: [], stream: true, ...extra };
}

export function draft(turns: DraftTurn[], extra: Partial<Draft> = {}): Draft {
  return { system: '', turns, tools: [], thinking: undefined, ...extra };
}
export { turn };

export interface CapturedLog extends RuleLog {
  debug: string[];
}

/** A RuleLog whose debug lines are kept for assertions. */
export function ruleLog(): CapturedLog {
  const debug: string[] = [];
  const logger: Logger = { trace() {}, debug: (m: string) => debug.push(m), info() {}, warn() {}, error() {} };
  return Object.assign(createRuleLog(logger), { debug });
}

export function captureLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => lines.push({ level, msg });
  return { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
