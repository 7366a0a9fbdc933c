// Issue 13 item 7 with the real Claude Code CLI: while Kiro thinks, the proxy opens the stream and
// sends `event: ping` before `message_start` (the official API sends message_start first). Claude
// Code must take that stream as normal and print the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import { claudeUnavailable, runClaude } from '../../helpers/claude-code.ts';

const API_KEY = 'test-key-for-claude-code';
const skip = claudeUnavailable();
if (skip) process.stderr.write(`SKIP claude-code keepalive test: ${skip}\n`);

let h: ProxyWithMock;
let dir: string;

before(async () => {
  if (skip) return;
  h = await startProxyWithMock({ config: { apiKey: API_KEY, keepAliveMs: 300 } });
  dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-claude-ka-'));
});

after(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('Claude Code reads an answer whose stream starts with pings before message_start', { skip }, async () => {
  const work = join(dir, 'work');
  const home = join(dir, 'home');
  await mkdir(work, { recursive: true });
  await mkdir(home, { recursive: true });
  const run = await runClaude({
    baseUrl: h.url,
    apiKey: API_KEY,
    cwd: work,
    home,
    prompt: 'Say the word. [[mock:first-byte-delay 1500]] [[mock:text pong-after-pings]]',
    timeoutMs: 90_000,
  });
  const diag = `exit ${run.code}\nstdout: ${run.stdout.slice(-2000)}\nstderr: ${run.stderr.slice(-2000)}\n${h.logger.text('warn')}`;
  assert.equal(run.code, 0, diag);
  assert.equal(run.json?.['subtype'], 'success', diag);
  assert.equal(run.json?.['is_error'], false, diag);
  assert.match(String(run.json?.['result']), /pong-after-pings/, diag);
  // The answer really came through a stream that waited (and so was opened by pings).
  const entries = h.logs().filter((e) => e.route === '/v1/messages' && e.stream);
  assert.ok(
    entries.some((e) => e.status === 200 && (e.firstTokenMs ?? 0) >= 1500),
    diag,
  );
});
