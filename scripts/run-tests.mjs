// `npm test`: every unit and integration test with node:test, on the TypeScript sources
// (Node >= 22.18 strips types natively). The `node@22` devDependency puts Node 22 first on
// PATH for npm scripts, so this works where the system Node is older.
//
// Without arguments it runs two phases: first every unit and integration test except the real
// agent CLIs (4 files at a time), then the agents (test/integration/agents and
// test/integration/claude-code, 2 at a time). The
// agents are CPU-heavy processes; kept apart, they cannot starve the tests that wait for a
// server or a CLI to start. A combined `N passed, N failed` line closes the output.
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `kiro-proxy tests need Node >= 22.18 (type stripping); this is ${process.version}. Run them through npm (npm test), which uses the pinned node@22.`,
  );
  process.exit(1);
}

const AGENTS = ['test/integration/agents/**/*.test.ts', 'test/integration/claude-code/**/*.test.ts'];

/** Runs one node --test phase, echoing its output; resolves with its exit code and pass/fail/skip counts. */
function phase(files, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', '--disable-warning=ExperimentalWarning', ...files],
      { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
    );
    const counts = { pass: 0, fail: 0, skipped: 0 };
    let tail = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      process.stdout.write(d);
      const lines = (tail + d).split('\n');
      tail = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^# (pass|fail|skipped) (\d+)$/.exec(l);
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('exit', (code, signal) => resolve({ code: signal ? 1 : (code ?? 1), counts }));
  });
}

const patterns = process.argv.slice(2);
if (patterns.length > 0) {
  const r = await phase(patterns, 4);
  process.exit(r.code);
}

const agents = new Set(AGENTS.flatMap((p) => globSync(p)));
const rest = [...globSync('test/unit/**/*.test.ts'), ...globSync('test/integration/**/*.test.ts')].filter((f) => !agents.has(f));
const first = await phase(rest, 4);
const second = await phase([...agents], 2);
const pass = first.counts.pass + second.counts.pass;
const fail = first.counts.fail + second.counts.fail;
const skipped = first.counts.skipped + second.counts.skipped;
process.stdout.write(`\ntests: ${pass} passed, ${fail} failed, ${skipped} skipped\n`);
process.exit(first.code !== 0 ? first.code : second.code);
