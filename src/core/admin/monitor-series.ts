// Request rate and latency over time, bucketed from the request log (for the Monitor charts).
import type { RequestLogEntry } from '../proxy-types.ts';
import type { MonitorBucket, MonitorSeries } from './protocol.ts';
import { outcomeOf } from '../observe/request-outcome.ts';

export function monitorSeries(entries: readonly RequestLogEntry[], now: number, minutes = 30, bucketSeconds = 60): MonitorSeries {
  const bucketMs = bucketSeconds * 1000;
  const count = Math.max(1, Math.ceil((minutes * 60_000) / bucketMs));
  const lastStart = Math.floor(now / bucketMs) * bucketMs;
  const firstStart = lastStart - (count - 1) * bucketMs;
  const durations: number[][] = Array.from({ length: count }, () => []);
  const buckets: MonitorBucket[] = Array.from({ length: count }, (_, i) => ({
    start: firstStart + i * bucketMs,
    requests: 0,
    errors: 0,
    aborted: 0,
    p50Ms: null,
    p95Ms: null,
    tokensIn: 0,
    tokensOut: 0,
  }));
  const all: number[] = [];
  let errors = 0;
  let aborted = 0;
  for (const e of entries) {
    if (e.time < firstStart || e.time >= lastStart + bucketMs) continue;
    const i = Math.floor((e.time - firstStart) / bucketMs);
    const b = buckets[i];
    if (!b) continue;
    b.requests++;
    const outcome = outcomeOf(e.status);
    if (outcome === 'client_closed') {
      b.aborted++;
      aborted++;
    } else if (outcome !== 'ok') {
      b.errors++;
      errors++;
    }
    b.tokensIn += e.inputTokens ?? 0;
    b.tokensOut += e.outputTokens ?? 0;
    durations[i]!.push(e.durationMs);
    all.push(e.durationMs);
  }
  buckets.forEach((b, i) => {
    const d = durations[i]!.sort((x, y) => x - y);
    b.p50Ms = percentile(d, 0.5);
    b.p95Ms = percentile(d, 0.95);
  });
  all.sort((x, y) => x - y);
  return { bucketMs, buckets, totals: { requests: all.length, errors, aborted, p50Ms: percentile(all, 0.5), p95Ms: percentile(all, 0.95) } };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}
