// Stream translation throughput on one core, in process: pre-encoded Kiro frames (as the mock
// encodes them) fed in 16 KiB chunks through the proxy's own stream path — event-stream decoder
// and typed events (kiroEventsFromBody), the pool's replay of peeked events, stream assembler,
// output limiter, dialect SSE encoder — with the pipeline's write discipline. CPU time is the
// figure (MB per CPU-second = MB/s per core); wall time is printed too. Prints one JSON line.
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { kiroEventsFromBody } from '../../src/core/kiro/event-iterable.ts';
import { replayThenFollow } from '../../src/core/accounts/pool/pool-lease.ts';
import { createStreamAssembler } from '../../src/core/conversation/from-kiro/stream-assembler.ts';
import { createOutputLimiter } from '../../src/core/dialects/output-limits.ts';
import { dialects } from '../../src/core/dialects/index.ts';
import { buildToolNameMap } from '../../src/core/conversation/tool-names.ts';
import type { NeutralRequest } from '../../src/core/conversation/types.ts';
import type { DialectName } from '../../src/core/conversation/types.ts';
import { median } from '../lib/stats.ts';
import { chunk, frames } from '../lib/kiro-frames.ts';

const request: NeutralRequest = {
  model: 'claude-sonnet-4.5',
  system: '',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  tools: [{ name: 'Read', description: 'Read a file', inputSchema: { type: 'object', properties: { file_path: { type: 'string' } } } }],
  stream: true,
  includeUsage: true,
} as unknown as NeutralRequest;

async function once(dialect: DialectName, chunks: Uint8Array[]): Promise<number> {
  // A node Readable in paused mode, as undici's response body is.
  const body = Readable.from(chunks, { objectMode: false });
  // As the pool hands it to the pipeline: the peeked first events replayed, then the upstream.
  const upstream = kiroEventsFromBody(body, new AbortController().signal, 'bench')[Symbol.asyncIterator]();
  const first = await upstream.next();
  const events = replayThenFollow(first.done ? [] : [first.value], upstream);
  const assembler = createStreamAssembler({ toolNames: buildToolNameMap(['Read']), thinkingTags: false, estimatedInputTokens: 10, contextWindow: 200_000 });
  const limiter = createOutputLimiter({}, 10);
  const encoder = dialects[dialect].createStreamEncoder(request, { requestId: 'req_bench', model: 'claude-sonnet-4.5', created: 0, estimatedInputTokens: 10 });
  let out = 0;
  // SseWriter.write without backpressure: the socket takes every event at once.
  const write = (s: string): void => {
    out += Buffer.byteLength(s);
  };
  write(encoder.start());
  // The pipeline's pump (completion.ts): synchronous per batch; this write never has to wait.
  const forward = (evs: ReturnType<typeof assembler.push>): void => {
    for (const ev of evs) for (const o of limiter.push(ev)) write(encoder.event(o));
  };
  for await (const kev of events) forward(assembler.push(kev));
  forward(assembler.finish());
  return out;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 40_000);
  const runs = Number(process.argv[3] ?? 9);
  const all = frames(count);
  const chunks = chunk(all, 16 * 1024);
  const inBytes = chunks.reduce((a, c) => a + c.length, 0);
  const result: Record<string, unknown> = { frames: all.length, inBytes, chunkBytes: 16 * 1024 };
  for (const d of ['anthropic', 'openai-chat', 'openai-responses'] as const) {
    for (let i = 0; i < 3; i++) await once(d, chunks); // warm-up: JIT
    const rates: number[] = [];
    const cpuRates: number[] = [];
    let outBytes = 0;
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      outBytes = await once(d, chunks);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      rates.push(inBytes / 1e6 / (ms / 1000));
      cpuRates.push(inBytes / 1e6 / ((cpu.user + cpu.system) / 1e6));
    }
    result[d] = {
      mbPerSecIn: median(rates),
      mbPerCpuSecIn: median(cpuRates),
      bestMbPerCpuSecIn: Math.max(...cpuRates),
      outBytes,
      mbPerSecOut: (median(rates) * outBytes) / inBytes,
    };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

void main();
