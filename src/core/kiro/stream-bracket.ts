// Recovers tool calls some models write as plain text, `[Called NAME with args: {...}]`
// (protocol §7.5), when NAME is a declared tool. Text streams through untouched except from a
// `[` that may start such a call, which is held until the call is complete or ruled out.
import { matchJsonObjectEnd } from './json-braces.ts';

type BracketOutput = { kind: 'text'; text: string } | { kind: 'call'; name: string; input: Record<string, unknown>; json: string };

export interface BracketScanner {
  push(text: string): BracketOutput[];
  flush(): BracketOutput[];
}

const PREFIX = '[Called ';
const HEAD = /^\[Called\s+([A-Za-z0-9_.:-]+)\s+with\s+args:\s*/;
/** Could still become HEAD once more text arrives. */
const PARTIAL_HEAD = /^\[Called\s+[A-Za-z0-9_.:-]*(?:\s+[A-Za-z:]*)*$/;
const MAX_PARTIAL_HEAD = 200;

type Parse = { kind: 'incomplete' } | { kind: 'no' } | { kind: 'call'; length: number; name: string; input: Record<string, unknown>; json: string };

function parseCall(tail: string, final: boolean, isDeclared: (name: string) => boolean): Parse {
  const head = HEAD.exec(tail);
  if (!head) {
    return !final && tail.length < MAX_PARTIAL_HEAD && PARTIAL_HEAD.test(tail) ? { kind: 'incomplete' } : { kind: 'no' };
  }
  const name = head[1]!;
  if (!isDeclared(name)) return { kind: 'no' };
  const start = head[0].length;
  if (start === tail.length) return final ? { kind: 'no' } : { kind: 'incomplete' };
  if (tail[start] !== '{') return { kind: 'no' };
  const end = matchJsonObjectEnd(tail, start);
  if (end === -1) return final ? { kind: 'no' } : { kind: 'incomplete' };
  const close = /^\s*/.exec(tail.slice(end))![0].length + end;
  if (close === tail.length) return final ? { kind: 'no' } : { kind: 'incomplete' };
  if (tail[close] !== ']') return { kind: 'no' };
  const json = tail.slice(start, end);
  try {
    const input: unknown = JSON.parse(json);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return { kind: 'no' };
    return { kind: 'call', length: close + 1, name, input: input as Record<string, unknown>, json };
  } catch {
    return { kind: 'no' };
  }
}

export function createBracketScanner(isDeclared: (name: string) => boolean): BracketScanner {
  let held = '';

  const scan = (text: string, final: boolean): BracketOutput[] => {
    const s = held + text;
    held = '';
    const out: BracketOutput[] = [];
    const emit = (t: string) => {
      if (t.length > 0) out.push({ kind: 'text', text: t });
    };
    let emitFrom = 0;
    let i = 0;
    for (;;) {
      const j = s.indexOf('[', i);
      if (j === -1) break;
      const tail = s.slice(j);
      if (tail.length < PREFIX.length && !final && PREFIX.startsWith(tail)) {
        emit(s.slice(emitFrom, j));
        held = tail;
        return out;
      }
      if (!tail.startsWith(PREFIX)) {
        i = j + 1;
        continue;
      }
      const r = parseCall(tail, final, isDeclared);
      if (r.kind === 'incomplete') {
        emit(s.slice(emitFrom, j));
        held = tail;
        return out;
      }
      if (r.kind === 'no') {
        i = j + 1;
        continue;
      }
      emit(s.slice(emitFrom, j));
      out.push({ kind: 'call', name: r.name, input: r.input, json: r.json });
      emitFrom = i = j + r.length;
    }
    emit(s.slice(emitFrom));
    return out;
  };

  return { push: (text) => scan(text, false), flush: () => scan('', true) };
}
