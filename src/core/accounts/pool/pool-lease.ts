// The committed stream handed to the pipeline: replays what was peeked, then follows upstream.
import type { KiroEvent } from '../../kiro/kiro-event.ts';

/**
 * Yields `peeked` then the rest of `iterator`; closing early closes the upstream iterator.
 * After the replay, next() is the upstream's own next(): no extra generator layer (and no extra
 * promises) per event on the streaming hot path. An upstream that throws cleans up after itself.
 */
export function replayThenFollow(peeked: readonly KiroEvent[], iterator: AsyncIterator<KiroEvent>): AsyncIterableIterator<KiroEvent, void, undefined> {
  let replayed = 0;
  let closed = false;
  const self: AsyncIterableIterator<KiroEvent, void, undefined> = {
    next() {
      if (closed) return Promise.resolve({ done: true, value: undefined });
      if (replayed < peeked.length) return Promise.resolve({ done: false, value: peeked[replayed++]! });
      return iterator.next() as Promise<IteratorResult<KiroEvent, void>>;
    },
    async return() {
      if (!closed) {
        closed = true;
        await iterator.return?.()?.catch(() => undefined);
      }
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return self;
    },
  };
  return self;
}
