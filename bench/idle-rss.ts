// Idle memory and size of one or more proxy bundles, measured the way `npm run bench` measures
// "proxy RSS idle": each bundle runs as the CLI against the standalone mock Kiro, serves 20
// streamed Anthropic requests to warm its paths, rests 1 s, then its RSS is read from /proc.
// Bundles are started in rotating order for `--rounds` rounds (default 5) and the median per
// bundle is printed, so a slow moment of a shared machine hits every arm alike.
//
//   node bench/idle-rss.ts /tmp/a/cli.js /tmp/b/cli.js [--rounds 5]
//
// Used to decide between deep imports and public entry points of undici and prom-client
// (BENCHMARKS.md, "Dependencies: deep imports or public entry points").
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { rssBytes, startMock, startProxy } from './lib/procs.ts';
import { anthropicBody, PROMPTS } from './lib/requests.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '5' } } });
if (positionals.length === 0) {
  console.error('usage: node bench/idle-rss.ts <bundle.js>… [--rounds N]');
  process.exit(2);
}
const rounds = Number(values.rounds);
const mib = (b: number) => b / 1024 / 1024;

const mock = await startMock();
const samples = new Map<string, number[]>(positionals.map((p) => [p, []]));
try {
  for (let r = 0; r < rounds; r++) {
    const order = positionals.map((_, i) => positionals[(i + r) % positionals.length]!);
    for (const entry of order) {
      const proxy = await startProxy({ mock, entry });
      try {
        for (let i = 0; i < 20; i++) {
          const res = await fetch(`${proxy.url}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: anthropicBody(PROMPTS.short, true),
            signal: AbortSignal.timeout(10_000),
          });
          await res.text();
          if (res.status !== 200) throw new Error(`${entry}: HTTP ${res.status}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        samples.get(entry)!.push(rssBytes(proxy.pid));
      } finally {
        await proxy.stop();
      }
    }
  }
} finally {
  await mock.stop();
}

for (const [entry, xs] of samples) {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `${entry}: idle RSS median ${mib(median).toFixed(1)} MiB (${sorted.map((x) => mib(x).toFixed(1)).join(', ')}), bundle ${(statSync(entry).size / 1024).toFixed(1)} KiB`,
  );
}
