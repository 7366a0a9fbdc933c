// What every scenario gets: the running mock and proxy, target builders, and a place for rows.
import type { MockChild, ProxyChild } from './procs.ts';
import { directTwin, type Target } from './loadgen.ts';
import { MARKERS, anthropicBody } from './requests.ts';

export interface Row {
  metric: string;
  direct?: number;
  proxy?: number;
  /** proxy − direct, same unit. */
  added?: number;
  /** proxy ÷ direct. */
  ratio?: number;
  unit: string;
  target?: string;
  /** undefined when the row has no target. */
  met?: boolean;
  note?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  rows: Row[];
  notes?: string[];
  /** Raw figures kept in the JSON results file. */
  raw?: unknown;
}

export interface BenchContext {
  mock: MockChild;
  proxy: ProxyChild;
  /** Multiplies sample counts and durations (0.25 with --quick). */
  scale: number;
  log(line: string): void;
}

export function proxyTarget(ctx: BenchContext, body: string): Target {
  return {
    name: 'proxy',
    url: `${ctx.proxy.url}/v1/messages`,
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'bench' },
    body,
    marker: MARKERS.anthropic,
  };
}

/** The proxy arm and its direct twin for one Anthropic prompt. */
export async function arms(ctx: BenchContext, prompt: string | { body: string }, stream: boolean): Promise<{ proxy: Target; direct: Target }> {
  const body = typeof prompt === 'string' ? anthropicBody(prompt, stream) : prompt.body;
  const proxy = proxyTarget(ctx, body);
  const direct = await directTwin(proxy, ctx.mock.url, ctx.mock.accessToken, MARKERS.direct);
  return { proxy, direct };
}

export const scaled = (ctx: BenchContext, n: number, min = 1): number => Math.max(min, Math.round(n * ctx.scale));
