// Periodic quota refresh. One owned timer, re-armed only after a run finished, so slow upstream
// calls never pile up; dispose() clears it.
import type { Clock, Logger } from '../../proxy-types.ts';

export interface QuotaSchedulerOptions {
  clock: Pick<Clock, 'setTimeout'>;
  logger: Logger;
  intervalMs: number;
  /** Delay of the first run (accounts are usually added right after start). */
  initialDelayMs: number;
  run: () => Promise<void>;
}

export interface QuotaScheduler {
  dispose(): void;
}

export function startQuotaScheduler(options: QuotaSchedulerOptions): QuotaScheduler {
  let timer: { clear(): void } | undefined;
  let disposed = false;
  const arm = (ms: number) => {
    if (disposed) return;
    timer = options.clock.setTimeout(() => {
      timer = undefined;
      options
        .run()
        .catch((err: unknown) => options.logger.warn(`[pool] quota refresh failed: ${(err as Error)?.message ?? 'unknown error'}`))
        .finally(() => arm(options.intervalMs));
    }, ms);
  };
  if (options.intervalMs > 0) arm(options.initialDelayMs);
  return {
    dispose() {
      disposed = true;
      timer?.clear();
      timer = undefined;
    },
  };
}
