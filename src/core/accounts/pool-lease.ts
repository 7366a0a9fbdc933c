// The committed stream handed to the pipeline: replays what was peeked, then follows upstream.
import type { KiroEvent } from '../kiro/events.ts';

/** Yields `peeked` then the rest of `iterator`; closing early closes the upstream iterator. */
export async function* replayThenFollow(peeked: readonly KiroEvent[], iterator: AsyncIterator<KiroEvent>): AsyncGenerator<KiroEvent, void, undefined> {
  let finished = false;
  try {
    for (const ev of peeked) yield ev;
    for (;;) {
      const r = await iterator.next();
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) await iterator.return?.()?.catch(() => undefined);
  }
}
