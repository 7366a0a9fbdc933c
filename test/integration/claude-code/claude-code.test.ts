// THE user journey: the real Claude Code CLI in print mode against the proxy, the model (the
// strict mock Kiro, driven by a directive in the prompt) calls the Write tool, Claude Code writes
// the file, sends the tool result back and finishes. Nothing may be rejected on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import { claudeUnavailable, runClaude } from '../../helpers/claude-code.ts';

const API_KEY = 'test-key-for-claude-code';
const skip = claudeUnavailable();
if (skip) process.stderr.write(`SKIP claude-code tests: ${skip}\n`);

let h: ProxyWithMock;
let dir: string;

before(async () => {
  if (skip) return;
  h = await startProxyWithMock({ config: { apiKey: API_KEY } });
  dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-claude-'));
});

after(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function writeJourney(name: string, opts: { model?: string; bearer?: boolean; expectModelSent: RegExp; prefix?: string; files?: number }): Promise<void> {
  const work = join(dir, name, 'work');
  const home = join(dir, name, 'home');
  await mkdir(work, { recursive: true });
  await mkdir(home, { recursive: true });
  const files = Array.from({ length: opts.files ?? 1 }, (_, i) => ({ path: join(work, `hello-${i}.txt`), content: `hello ${i} from ${name} via kiro-proxy` }));
  const logsBefore = h.logs().length;
  const chatsBefore = h.chats().length;

  const run = await runClaude({
    baseUrl: h.url,
    apiKey: API_KEY,
    bearer: opts.bearer ?? false,
    cwd: work,
    home,
    ...(opts.model ? { model: opts.model } : {}),
    prompt: `Create the file. ${opts.prefix ?? ''}${files.map((f) => `[[mock:tool Write ${JSON.stringify({ file_path: f.path, content: f.content })}]]`).join(' ')}`,
    timeoutMs: 90_000,
  });
  const diag = () =>
    `exit ${run.code} ${run.signal ?? ''}\nstdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-3000)}\n` +
    `proxy log: ${JSON.stringify(
      h
        .logs()
        .slice(logsBefore)
        .map((e) => ({ route: e.route, status: e.status, model: e.modelRequested, sent: e.modelSent, err: e.errorMessage })),
    )}\n` +
    `mock rejected: ${JSON.stringify(h.rejected().map((r) => r.validation))}\n${h.logger.text('warn')}`;

  assert.equal(run.code, 0, diag());
  assert.ok(run.json, `no JSON result on stdout\n${diag()}`);
  assert.equal(run.json['type'], 'result', diag());
  assert.equal(run.json['subtype'], 'success', diag());
  assert.equal(run.json['is_error'], false, diag());
  for (const f of files) assert.equal(await readFile(f.path, 'utf8'), f.content, diag());

  // Tool-call turn + final turn, both through /v1/messages and all 200.
  await h.waitForLogs(() => true, logsBefore + 2);
  const mine = h
    .logs()
    .slice(logsBefore)
    .filter((e) => e.route === '/v1/messages');
  assert.ok(mine.length >= 2, `expected at least 2 /v1/messages requests\n${diag()}`);
  for (const e of mine) {
    assert.equal(e.status, 200, diag());
    assert.equal(e.dialect, 'anthropic');
    assert.equal(e.stream, true, 'Claude Code always streams');
    assert.match(e.modelSent ?? '', opts.expectModelSent, diag());
  }
  const nonMessages = h
    .logs()
    .slice(logsBefore)
    .filter((e) => e.route !== '/v1/messages' && e.status >= 400);
  assert.deepEqual(nonMessages, [], diag());

  // Every request reached the strict mock and passed its validation.
  const chats = h.chats().slice(chatsBefore);
  assert.ok(chats.length >= 2, diag());
  for (const c of chats) {
    assert.deepEqual(c.validation, { ok: true }, diag());
    assert.equal(c.status, 200, diag());
  }
  assert.deepEqual(h.rejected(), [], diag());
  // The second turn carries the tool result back to Kiro.
  const last = chats[chats.length - 1]!.body as {
    conversationState: { currentMessage: { userInputMessage: { userInputMessageContext?: { toolResults?: unknown[] } } } };
  };
  assert.ok((last.conversationState.currentMessage.userInputMessage.userInputMessageContext?.toolResults ?? []).length >= 1, 'tool result sent upstream');
}

test('Claude Code (default model) writes a file through the proxy', { skip, timeout: 120_000 }, async () => {
  await writeJourney('default', { expectModelSent: /^claude-opus-4\.\d+$/ });
});

test('Claude Code --model sonnet (claude-sonnet-5) with Authorization: Bearer', { skip, timeout: 120_000 }, async () => {
  await writeJourney('sonnet', { model: 'sonnet', bearer: true, expectModelSent: /^claude-sonnet-/ });
});

test('Claude Code --model haiku (claude-haiku-4-5-20251001)', { skip, timeout: 120_000 }, async () => {
  await writeJourney('haiku', { model: 'haiku', expectModelSent: /^claude-haiku-4\.5$/ });
});

test('Claude Code: reasoning + two Write calls in one turn (thinking history sent back)', { skip, timeout: 120_000 }, async () => {
  await writeJourney('reasoning', { prefix: '[[mock:reasoning Planning the two files.]] ', files: 2, expectModelSent: /^claude-opus-4\.\d+$/ });
});

test('Claude Code: <thinking> tags in the text stream become a thinking block', { skip, timeout: 120_000 }, async () => {
  await writeJourney('thinking-tags', { model: 'haiku', prefix: '[[mock:thinking-tags I should write the file.]] ', expectModelSent: /^claude-haiku-4\.5$/ });
});

test('Claude Code with a wrong API key gets a 401 and fails cleanly', { skip, timeout: 120_000 }, async () => {
  const work = join(dir, 'badkey', 'work');
  const home = join(dir, 'badkey', 'home');
  await mkdir(work, { recursive: true });
  await mkdir(home, { recursive: true });
  const chatsBefore = h.chats().length;
  const started = Date.now();
  const run = await runClaude({ baseUrl: h.url, apiKey: 'wrong-key', cwd: work, home, prompt: 'hello', timeoutMs: 60_000 });
  assert.ok(Date.now() - started < 30_000, 'x-should-retry: false stops Claude Code retrying the 401');
  assert.notEqual(run.code, 0);
  assert.equal(run.json?.['is_error'], true, run.stdout);
  assert.equal(h.chats().length, chatsBefore, 'nothing reached Kiro');
});
