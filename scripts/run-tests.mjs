// `npm test`: every unit and integration test with node:test, on the TypeScript sources
// (Node >= 22.18 strips types natively). The `node@22` devDependency puts Node 22 first on
// PATH for npm scripts, so this works where the system Node is older.
import { spawn } from 'node:child_process';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`kiro-proxy tests need Node >= 22.18 (type stripping); this is ${process.version}. Run them through npm (npm test), which uses the pinned node@22.`);
  process.exit(1);
}

const patterns = process.argv.slice(2);
const files = patterns.length > 0 ? patterns : ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'];
const child = spawn(
  process.execPath,
  ['--test', '--test-concurrency=4', '--test-timeout=600000', '--disable-warning=ExperimentalWarning', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
