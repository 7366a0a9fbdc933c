// Opt-in: instead of silently losing the turns truncation dropped, replace them by a short summary
// written by a cheap model through the same account pool (reached through the injected
// CompleteText, which the pipeline implements: conversation/ does not know the pool). Cached per conversation (sticky key) and
// extended incrementally: when the dropped prefix grows, only the newly dropped messages are
// summarised, together with the previous summary. Any failure returns undefined and the caller
// falls back to plain dropping.
import { createHash } from 'node:crypto';
import type { KiroRequestBody } from '../kiro/wire.ts';
import type { Logger } from '../proxy-types.ts';
import type { NeutralMessage, NeutralRequest } from './types.ts';
import { normalise } from './normalise.ts';

const DEFAULT_SUMMARY_MODEL = 'claude-haiku-4.5';
const SUMMARY_MAX_CHARS = 2_000;
const TRANSCRIPT_MAX_CHARS = 24_000;
const BLOCK_MAX_CHARS = 1_500;
const DEFAULT_TIMEOUT_MS = 30_000;
const SUMMARY_MARKER = '[Summary of earlier conversation, written by the proxy after dropping';

const SYSTEM = [
  'You compress the earlier part of a conversation between a user and a coding assistant so the',
  'assistant can continue without it. Write at most 200 words of plain text: the user goals, decisions',
  'taken, files and commands involved, results, and anything still open. No preamble, no markdown headings.',
].join(' ');

interface Entry {
  messages: number;
  hash: string;
  summary: string;
}

/** Bounded LRU of the latest summary per conversation. */
export class SummaryCache {
  readonly #entries = new Map<string, Entry>();
  readonly maxEntries: number;
  constructor(maxEntries = 200) {
    this.maxEntries = maxEntries;
  }

  get(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    if (e) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
    }
    return e;
  }

  set(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, e);
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * One short completion upstream: a normalised Kiro body → the answer's text. Owned here (what the
 * summariser needs), implemented by the pipeline over the account pool (pipeline/complete-text.ts).
 * Throws when the upstream fails.
 */
export type CompleteText = (req: { body: KiroRequestBody; modelId: string; stickyKey: string; signal: AbortSignal }) => Promise<string>;

// One cache per CompleteText: the composition root makes one per start, so the cache lives and
// dies with the running proxy.
const caches = new WeakMap<object, SummaryCache>();
export function summaryCacheFor(owner: object): SummaryCache {
  let c = caches.get(owner);
  if (!c) caches.set(owner, (c = new SummaryCache()));
  return c;
}

function hashOf(messages: NeutralMessage[]): string {
  return createHash('sha256').update(JSON.stringify(messages)).digest('base64url');
}

const cap = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)} […]` : s);

/** A plain-text transcript of messages, newest kept when too long. */
function transcriptOf(messages: NeutralMessage[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    for (const b of m.content) {
      const who = m.role === 'user' ? 'User' : 'Assistant';
      if (b.type === 'text') lines.push(`${who}: ${cap(b.text, BLOCK_MAX_CHARS)}`);
      else if (b.type === 'tool_use') lines.push(`Assistant called ${b.name}(${cap(JSON.stringify(b.input ?? {}), 300)})`);
      else if (b.type === 'tool_result') lines.push(`Tool result${b.isError ? ' (error)' : ''}: ${cap(b.content, BLOCK_MAX_CHARS)}`);
      else if (b.type === 'image') lines.push(`${who}: [image]`);
    }
  }
  let text = lines.join('\n');
  if (text.length > TRANSCRIPT_MAX_CHARS) text = `[…]\n${text.slice(text.length - TRANSCRIPT_MAX_CHARS)}`;
  return text;
}

export interface SummariseOptions {
  completeText: CompleteText;
  cache: SummaryCache;
  stickyKey: string;
  signal: AbortSignal;
  logger: Logger;
  modelId?: string;
  timeoutMs?: number;
}

/** A summary of `dropped` (the messages truncation removed, oldest first), or undefined. */
export async function summariseDropped(dropped: NeutralMessage[], o: SummariseOptions): Promise<string | undefined> {
  if (dropped.length === 0) return undefined;
  const cached = o.cache.get(o.stickyKey);
  let previous: string | undefined;
  let fresh = dropped;
  if (cached && cached.messages <= dropped.length && hashOf(dropped.slice(0, cached.messages)) === cached.hash) {
    if (cached.messages === dropped.length) return cached.summary;
    previous = cached.summary;
    fresh = dropped.slice(cached.messages);
  }
  const transcript = (previous ? `Summary so far: ${previous}\n\nLater messages:\n` : '') + transcriptOf(fresh);
  const modelId = o.modelId ?? DEFAULT_SUMMARY_MODEL;
  try {
    const summary = await ask(transcript, modelId, o);
    if (!summary) return undefined;
    o.cache.set(o.stickyKey, { messages: dropped.length, hash: hashOf(dropped), summary });
    o.logger.debug(`truncation: summarised ${fresh.length} dropped message(s) with ${modelId}${previous ? ' (extending the cached summary)' : ''}`);
    return summary;
  } catch (err) {
    o.logger.debug(`truncation: summary failed, dropping without one: ${(err as Error).message}`);
    return undefined;
  }
}

async function ask(transcript: string, modelId: string, o: SummariseOptions): Promise<string> {
  const req: NeutralRequest = {
    dialect: 'anthropic',
    model: modelId,
    system: SYSTEM,
    messages: [{ role: 'user', content: [{ type: 'text', text: `Summarise this earlier conversation:\n\n${transcript}` }] }],
    tools: [],
    stream: true,
  };
  const norm = normalise(req, { modelId, conversationId: crypto.randomUUID() });
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS)]);
  const text = await o.completeText({ body: norm.body, modelId, stickyKey: `summary:${o.stickyKey}`, signal });
  return cap(text.trim(), SUMMARY_MAX_CHARS);
}

/** The request with the summary in front of the first kept message. */
export function withSummary(req: NeutralRequest, summary: string, droppedTurns: number): NeutralRequest {
  const note = { type: 'text' as const, text: `${SUMMARY_MARKER} ${droppedTurns} turn(s) to fit Kiro's input limit]\n${summary}` };
  const [first, ...rest] = req.messages;
  if (first && first.role === 'user') return { ...req, messages: [{ ...first, content: [note, ...first.content] }, ...rest] };
  return { ...req, messages: [{ role: 'user', content: [note] }, ...req.messages] };
}
