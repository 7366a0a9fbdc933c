// Conversation → account affinity. Keeping a conversation on one account keeps Kiro's prompt
// cache warm and its conversation id meaningful; it moves only when that account cannot serve.
import { createHash } from 'node:crypto';
import type { KiroRequestBody } from '../../kiro/wire.ts';

export interface StickyMapOptions {
  maxEntries: number;
  /** A conversation idle this long forgets its account. */
  ttlMs: number;
  now: () => number;
}

export interface StickyMap {
  get(key: string): string | undefined;
  set(key: string, accountId: string): void;
  /** Forget every conversation bound to a removed account. */
  forgetAccount(accountId: string): void;
  readonly size: number;
}

/** Bounded LRU (Map keeps insertion order; touching re-inserts). */
export function createStickyMap(options: StickyMapOptions): StickyMap {
  const entries = new Map<string, { accountId: string; seenAt: number }>();
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      const now = options.now();
      if (now - e.seenAt > options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, { accountId: e.accountId, seenAt: now });
      return e.accountId;
    },
    set(key, accountId) {
      entries.delete(key);
      entries.set(key, { accountId, seenAt: options.now() });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    forgetAccount(accountId) {
      for (const [k, e] of entries) if (e.accountId === accountId) entries.delete(k);
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * A stable key for a conversation without a session id: the first user turn (which also
 * carries the system prompt, kiro-protocol.md §5.1) is the same in every later request of it.
 */
export function conversationKeyOf(body: KiroRequestBody): string {
  const state = body.conversationState;
  const first = state.history?.find((m) => 'userInputMessage' in m);
  const content = first && 'userInputMessage' in first ? first.userInputMessage.content : state.currentMessage.userInputMessage.content;
  return `h:${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
}
