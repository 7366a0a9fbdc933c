// Time and memory per request for a Claude Code-sized (~200 KB) Anthropic request, in process,
// through the proxy's own request path: body bytes → JSON (depth check, strict UTF-8) → dialect
// parse (zod) → normaliser → token estimate of the Kiro body → sticky key → the JSON text sent
// to Kiro, as pipeline/completion.ts runs them.
// Run with --expose-gc; prints one JSON line.
import { performance } from 'node:perf_hooks';
import { parseJsonBody } from '../../src/core/server/body.ts';
import { anthropicDialect } from '../../src/core/dialects/index.ts';
import { resolveModel } from '../../src/core/kiro/models.ts';
import { inputTokensOf } from '../../src/core/conversation/estimate-input.ts';
import { normalise } from '../../src/core/conversation/normalise.ts';
import { stickyKeyFor } from '../../src/core/pipeline/completion.ts';
import { claudeCodeRequest } from '../lib/claude-code-request.ts';
import { summarise } from '../lib/stats.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const bytes = Buffer.from(claudeCodeRequest(200_000, true));
const rctx = { headers: { 'anthropic-version': '2023-06-01' }, query: new URLSearchParams() };
const STAGES = ['json', 'parse', 'normalise', 'estimate', 'stickyKey', 'serialise'] as const;

function once(times?: Record<string, number[]>): number {
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    times?.[name]!.push(now - t);
    t = now;
  };
  const body = parseJsonBody(bytes);
  lap('json');
  const neutral = anthropicDialect.parseRequest(body, rctx);
  const model = resolveModel(neutral.model, {});
  lap('parse');
  const norm = normalise(neutral, { modelId: model.modelId, conversationId: '6f1d2c3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f' });
  lap('normalise');
  // As the pipeline's fitter does on the first normalise (message_start usage, count_tokens).
  inputTokensOf(norm);
  lap('estimate');
  stickyKeyFor(neutral);
  lap('stickyKey');
  const text = JSON.stringify({ ...norm.body, profileArn: 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK' });
  lap('serialise');
  return text.length;
}

const iterations = Number(process.argv[2] ?? 300);
let kiroBytes = 0;
for (let i = 0; i < 50; i++) kiroBytes = once();
const times: Record<string, number[]> = Object.fromEntries(STAGES.map((s) => [s, []]));
const totals: number[] = [];
for (let i = 0; i < iterations; i++) {
  const t0 = performance.now();
  once(times);
  totals.push(performance.now() - t0);
}
// Allocation per request: heap growth over one request with a fresh young generation; run with
// a large semi-space so no scavenge happens inside the request (checked: heap only grows).
const alloc: number[] = [];
for (let i = 0; i < 20; i++) {
  gc();
  const before = process.memoryUsage().heapUsed;
  once();
  const after = process.memoryUsage().heapUsed;
  if (after > before) alloc.push(after - before);
}
gc();
const retainedBefore = process.memoryUsage().heapUsed;
for (let i = 0; i < 50; i++) once();
gc();
const retainedPerRequest = Math.max(0, process.memoryUsage().heapUsed - retainedBefore) / 50;
process.stdout.write(
  JSON.stringify({
    clientBytes: bytes.length,
    kiroBytes,
    total: summarise(totals),
    stages: Object.fromEntries(STAGES.map((s) => [s, summarise(times[s]!).p50])),
    allocatedBytes: summarise(alloc),
    retainedPerRequest,
  }) + '\n',
);
