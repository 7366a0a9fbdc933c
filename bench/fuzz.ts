// The long fuzz run (issue 7): the event-stream decoder, the three dialect parsers and the
// normaliser, each on at least 100 000 generated inputs (npm test runs the same properties a
// few thousand times). Usage:
//   npm run fuzz                    100 000 runs per target
//   npm run fuzz -- 500000          another count (or FUZZ_RUNS=500000)
//   npm run fuzz -- 100000 dialect  only targets whose name contains "dialect"
//   FUZZ_SEED=42 npm run fuzz       reproduce a run (the seed is printed)
// Exits 1 on the first broken property, printing fast-check's counterexample and seed.
import fc from 'fast-check';
import type { DialectName } from '../src/core/conversation/types.ts';
import { checkDecoder, checkDialect, checkNormalise, decoderInput, dialectBody, neutralRequest } from '../test/unit/fuzz/properties.ts';

const args = process.argv.slice(2);
const runs = Number(args[0] ?? process.env['FUZZ_RUNS'] ?? 100_000);
const only = args[1];
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`bad run count: ${args[0] ?? process.env['FUZZ_RUNS']}`);
  process.exit(2);
}

interface Target {
  name: string;
  run(): Record<string, number>;
}

const targets: Target[] = [
  {
    name: 'event-stream decoder',
    run() {
      const outcome = { inputs: 0, messagesDecoded: 0 };
      fc.assert(
        fc.property(decoderInput, (input) => {
          outcome.inputs++;
          outcome.messagesDecoded += checkDecoder(input);
        }),
        { numRuns: runs, seed },
      );
      return outcome;
    },
  },
  ...(['anthropic', 'openai-chat', 'openai-responses'] as DialectName[]).map((d): Target => ({
    name: `dialect ${d} → normaliser → validator`,
    run() {
      const outcome = { inputs: 0, parsed: 0, refused: 0, 'normalise-refused': 0 };
      fc.assert(
        fc.property(dialectBody(d), (body) => {
          outcome.inputs++;
          outcome[checkDialect(d, body)]++;
        }),
        { numRuns: runs, seed },
      );
      return outcome;
    },
  })),
  {
    name: 'normaliser → validator',
    run() {
      const outcome = { inputs: 0, accepted: 0, refused: 0 };
      fc.assert(
        fc.property(neutralRequest, (req) => {
          outcome.inputs++;
          if (checkNormalise(req)) outcome.accepted++;
          else outcome.refused++;
        }),
        { numRuns: runs, seed },
      );
      return outcome;
    },
  },
];

console.log(`fuzz: ${runs} runs per target, seed ${seed}`);
let failed = false;
const started = performance.now();
for (const t of targets) {
  if (only && !t.name.includes(only)) continue;
  const t0 = performance.now();
  try {
    const outcome = t.run();
    const secs = (performance.now() - t0) / 1000;
    const counts = Object.entries(outcome)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(`ok   ${t.name}: ${counts} in ${secs.toFixed(1)} s (${Math.round(outcome['inputs']! / secs)}/s)`);
  } catch (err) {
    failed = true;
    console.log(`FAIL ${t.name} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log((err as Error).message);
  }
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
