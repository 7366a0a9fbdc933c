// In-band scripting: directives written in the current user message steer the mock, so
// out-of-process clients (curl, SDKs, Claude Code) can provoke any behaviour without a
// control channel. Grammar (one directive = `[[mock:NAME ARGS]]`, any number, in order):
//
//   text WORDS…                 text part (the rest up to `]]`)
//   text-events N [WORDS]       N text events carrying WORDS (default 32 chars) repeated N times,
//                               cut at seeded points: fixed-size long streams for benchmarks
//   tool NAME [JSON]            toolUseEvent sequence: name-only, input fragments, stop:true
//   tool-dup NAME [JSON]        the same, reported twice with one toolUseId
//   tool-truncated NAME [JSON]  input JSON cut short, still ending with stop:true
//   bracket-tool NAME [JSON]    text `[Called NAME with args: {...}]`
//   thinking-tags [TEXT]        text `<thinking>TEXT</thinking>\n\n` (split across events)
//   reasoning [TEXT]            reasoningContentEvent deltas + signature
//   metadata                    trailing metadataEvent tokenUsage
//   initial-response            leading initial-response frame
//   status CODE [REASON] [retry-after=S] [type=SHAPE]   HTTP error instead of a stream
//   exception TYPE [MESSAGE]    exception frame (e.g. ContentLengthExceededException)
//   error CODE [MESSAGE]        error frame
//   delay MS                    pause at this point of the stream
//   first-byte-delay MS         pause before the response headers
//   chunk-delay MS              pause between TCP writes
//   destroy                     destroy the socket at this point
//   empty                       no content at all (only metering/context)
//   no-metering | no-context-usage | context-usage PCT
//
// Without a content directive (text/tool*/bracket-tool/empty) the default reply is inserted
// before the first terminal part (exception/error/destroy), else at the end.
// JSON arguments are matched by braces, so they may contain `]]`. Agents that hand the prompt on
// as a JSON string (opencode quotes it) escape its quotes: `{\"path\":\"a\"}` is read as the
// JSON-string-escaped form of the object.
import { resolveStep, type ResolvedStep, type StreamOptions, type StreamPart } from './script.ts';
import { matchJsonObjectEnd } from '../kiro/json-braces.ts';

export interface DirectiveParse {
  /** undefined when the text holds no directive. */
  step: ResolvedStep | undefined;
  /** The text with directives removed, for the echoed reply. */
  cleanedText: string;
  /** Unknown directives / bad arguments, surfaced to the caller as reply text. */
  errors: string[];
}

interface RawDirective {
  name: string;
  args: string;
  json: Record<string, unknown> | undefined;
}

const OPEN = '[[mock:';
const MAX_TEXT_EVENTS = 100_000;
const DEFAULT_EVENT_TEXT = 'The quick brown fox jumps over. ';
const JSON_ARG = new Set(['tool', 'tool-dup', 'tool-truncated', 'bracket-tool']);

/** The escaped argument `{\"a\":1}` starting at `brace`: the object and the index past it, or undefined. */
function escapedJsonArg(text: string, brace: number): { json: unknown; end: number } | undefined {
  for (let close = text.indexOf(']]', brace); close >= 0; close = text.indexOf(']]', close + 1)) {
    const seg = text.slice(brace, close).trimEnd();
    try {
      const unescaped: unknown = JSON.parse(`"${seg}"`);
      if (typeof unescaped === 'string') return { json: JSON.parse(unescaped), end: brace + seg.length };
    } catch {
      // `]]` inside the argument: try the next one.
    }
  }
  return undefined;
}

function scan(text: string, errors: string[]): { directives: RawDirective[]; cleaned: string } {
  const directives: RawDirective[] = [];
  let cleaned = '';
  let pos = 0;
  for (;;) {
    const at = text.indexOf(OPEN, pos);
    if (at < 0) break;
    cleaned += text.slice(pos, at);
    const nameMatch = /^[a-z-]+/.exec(text.slice(at + OPEN.length));
    const name = nameMatch?.[0] ?? '';
    let p = at + OPEN.length + name.length;
    let args = '';
    let json: Record<string, unknown> | undefined;
    let jsonSeen = false;
    const brace = text.indexOf('{', p);
    const close = text.indexOf(']]', p);
    const escaped = JSON_ARG.has(name) && brace >= 0 && text[brace + 1] === '\\' ? escapedJsonArg(text, brace) : undefined;
    if (escaped) {
      jsonSeen = true;
      args = text.slice(p, brace).trim();
      if (escaped.json && typeof escaped.json === 'object' && !Array.isArray(escaped.json)) json = escaped.json as Record<string, unknown>;
      else errors.push(`${name}: JSON argument is not an object`);
      p = escaped.end;
    } else if (JSON_ARG.has(name) && brace >= 0 && (close < 0 || brace < close)) {
      const end = matchJsonObjectEnd(text, brace);
      if (end < 0) errors.push(`${name}: JSON argument is not closed`);
      if (end > 0) {
        jsonSeen = true;
        args = text.slice(p, brace).trim();
        try {
          const v: unknown = JSON.parse(text.slice(brace, end));
          if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
          else errors.push(`${name}: JSON argument is not an object`);
        } catch {
          errors.push(`${name}: JSON argument does not parse`);
        }
        p = end;
      }
    }
    const end = text.indexOf(']]', p);
    if (end < 0) {
      errors.push(`unterminated directive ${name}`);
      cleaned += text.slice(at);
      pos = text.length;
      break;
    }
    if (!jsonSeen) args = text.slice(p, end).trim();
    directives.push({ name, args, json });
    pos = end + 2;
  }
  cleaned += text.slice(pos);
  return { directives, cleaned: cleaned.replace(/\s+/g, ' ').trim() };
}

const CONTENT = new Set(['text', 'text-events', 'tool', 'tool-dup', 'tool-truncated', 'bracket-tool', 'empty']);

function parseMs(d: RawDirective, errors: string[]): number | undefined {
  const n = Number(d.args);
  if (!Number.isFinite(n) || n < 0 || d.args === '') {
    errors.push(`${d.name}: expected milliseconds, got ${JSON.stringify(d.args)}`);
    return undefined;
  }
  return n;
}

function statusStep(d: RawDirective, errors: string[]): ResolvedStep | undefined {
  const [codeText, ...rest] = d.args.split(/\s+/).filter(Boolean);
  const status = Number(codeText);
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    errors.push(`status: expected an HTTP error code, got ${JSON.stringify(codeText)}`);
    return undefined;
  }
  const step: ResolvedStep = { kind: 'http_error', status };
  for (const tok of rest) {
    const kv = /^(retry-after|type)=(.+)$/.exec(tok);
    if (kv?.[1] === 'retry-after') step.retryAfter = kv[2]!;
    else if (kv?.[1] === 'type') step.errorType = kv[2]!;
    else if (/^[A-Z][A-Z0-9_]*$/.test(tok)) step.reason = tok;
    else if (tok !== '-') errors.push(`status: unexpected argument ${JSON.stringify(tok)}`);
  }
  return step;
}

/** Parses the directives in `text` into one resolved step. */
export function parseDirectives(text: string): DirectiveParse {
  const errors: string[] = [];
  const { directives, cleaned } = scan(text, errors);
  if (directives.length === 0) return { step: undefined, cleanedText: cleaned, errors };
  const parts: StreamPart[] = [];
  const opts: StreamOptions = {};
  let httpError: ResolvedStep | undefined;
  for (const d of directives) {
    const [word = '', ...restWords] = d.args.split(/\s+/).filter(Boolean);
    const tail = restWords.join(' ');
    switch (d.name) {
      case 'text':
        parts.push({ type: 'text', text: d.args || 'hello' });
        break;
      case 'text-events': {
        const n = Number(word);
        if (!Number.isInteger(n) || n < 1 || n > MAX_TEXT_EVENTS) {
          errors.push(`text-events: expected an event count 1..${MAX_TEXT_EVENTS}, got ${JSON.stringify(word)}`);
          break;
        }
        const words = tail || DEFAULT_EVENT_TEXT;
        parts.push({ type: 'text', text: words.repeat(n), chunks: n });
        break;
      }
      case 'tool':
      case 'tool-dup':
      case 'tool-truncated':
        if (!word) errors.push(`${d.name}: tool name missing`);
        else {
          parts.push({
            type: 'tool_use',
            name: word,
            input: d.json ?? {},
            ...(d.name === 'tool-dup' ? { duplicate: true } : {}),
            ...(d.name === 'tool-truncated' ? { truncated: true } : {}),
          });
        }
        break;
      case 'bracket-tool':
        if (!word) errors.push('bracket-tool: tool name missing');
        else parts.push({ type: 'bracket_tool', name: word, input: d.json ?? {} });
        break;
      case 'thinking-tags':
        parts.push({ type: 'thinking_tags', thinking: d.args || 'Let me think about this step by step.' });
        break;
      case 'reasoning':
        parts.push({ type: 'reasoning', text: d.args || 'Reasoning about the request.' });
        break;
      case 'exception':
        parts.push({ type: 'exception', exceptionType: word || 'ContentLengthExceededException', ...(tail ? { message: tail } : {}) });
        break;
      case 'error':
        parts.push({ type: 'error', code: word || 'InternalServerError', message: tail || 'Mock stream error' });
        break;
      case 'delay': {
        const ms = parseMs(d, errors);
        if (ms !== undefined) parts.push({ type: 'delay', ms });
        break;
      }
      case 'first-byte-delay':
      case 'chunk-delay': {
        const ms = parseMs(d, errors);
        if (ms !== undefined) opts[d.name === 'chunk-delay' ? 'chunkDelayMs' : 'firstByteDelayMs'] = ms;
        break;
      }
      case 'context-usage': {
        const pct = Number(d.args);
        if (Number.isFinite(pct)) opts.contextUsagePercentage = pct;
        else errors.push(`context-usage: expected a number, got ${JSON.stringify(d.args)}`);
        break;
      }
      case 'destroy':
        parts.push({ type: 'destroy' });
        break;
      case 'metadata':
        opts.metadata = true;
        break;
      case 'initial-response':
        opts.initialResponse = true;
        break;
      case 'no-metering':
        opts.metering = false;
        break;
      case 'no-context-usage':
        opts.contextUsage = false;
        break;
      case 'empty':
        break;
      case 'status':
        httpError ??= statusStep(d, errors);
        break;
      default:
        errors.push(`unknown directive ${JSON.stringify(d.name)}`);
    }
  }
  if (httpError) return { step: httpError, cleanedText: cleaned, errors };
  if (!directives.some((d) => CONTENT.has(d.name))) {
    const terminal = parts.findIndex((p) => p.type === 'exception' || p.type === 'error' || p.type === 'destroy');
    parts.splice(terminal < 0 ? parts.length : terminal, 0, { type: 'reply' });
  }
  return { step: resolveStep({ kind: 'stream', parts, ...opts }), cleanedText: cleaned, errors };
}
