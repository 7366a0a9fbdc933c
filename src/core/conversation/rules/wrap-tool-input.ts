// Rule wrap-tool-input: Kiro wants every toolUse input to be a JSON object. A JSON string of an
// object (unparsed OpenAI arguments) is parsed; any other value is wrapped as {"value": …}.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function toObjectInput(input: unknown): Record<string, unknown> {
  if (isObject(input)) return input;
  if (input === undefined || input === null) return {};
  if (typeof input === 'string') {
    if (input.trim() === '') return {};
    try {
      const parsed: unknown = JSON.parse(input);
      if (isObject(parsed)) return parsed;
    } catch {
      // not JSON: keep the raw text below
    }
  }
  return { value: input };
}

export function wrapToolInput(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t) => {
    if (t.toolUses.every((u) => isObject(u.input))) return t;
    return {
      ...t,
      toolUses: t.toolUses.map((u) => {
        if (isObject(u.input)) return u;
        count++;
        return { ...u, input: toObjectInput(u.input) };
      }),
    };
  });
  if (count === 0) return d;
  log.fire('wrap-tool-input', `made ${count} non-object tool input(s) JSON objects`);
  return { ...d, turns };
}
