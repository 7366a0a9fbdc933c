// The registry's recovery timer: one timer for the whole pool, at the earliest deadline any
// account recovers by itself (cooldown, quota disable, a quota re-check), so "cooldown → active"
// shows without polling. Re-armed on every change; left alone when the deadline is the same.
import type { Clock } from '../../proxy-types.ts';
import { deriveState, type AccountRecord } from './pool-account.ts';

const MAX_TIMER_MS = 6 * 60 * 60_000;

export interface RecoveryTimer {
  /** Arms (or re-arms, or clears) the timer for the records as they are now. */
  schedule(): void;
  clear(): void;
}

/** `onRecovered` runs when the earliest deadline passes (the registry announces the change, which re-arms). */
export function createRecoveryTimer(clock: Clock, records: () => Iterable<AccountRecord>, onRecovered: () => void): RecoveryTimer {
  let timer: { at: number; handle: { clear(): void } } | undefined;
  const clear = () => {
    timer?.handle.clear();
    timer = undefined;
  };
  return {
    schedule() {
      const now = clock.now();
      let next: number | undefined;
      for (const r of records()) {
        const until = deriveState(r, now).until;
        if (until !== undefined && until > now && (next === undefined || until < next)) next = until;
      }
      if (next === undefined) return clear();
      if (timer && timer.at === next) return;
      timer?.handle.clear();
      const at = next;
      timer = {
        at,
        handle: clock.setTimeout(
          () => {
            timer = undefined;
            onRecovered();
          },
          Math.min(MAX_TIMER_MS, Math.max(0, at - now) + 1),
        ),
      };
    },
    clear,
  };
}
