// The real Codex CLI (`codex exec`, a custom provider with wire_api = "responses") against the
// proxy and the strict mock Kiro: the common journey (helpers/agents/journey.ts), Codex's own
// default model (which declares its tools in an `additional_tools` input item, with namespaces
// and a free-form `custom` tool), and a call of a namespaced sub-agent tool routed back to Codex.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import { binaryUnavailable, PLATFORM, sandbox, type Sandbox } from '../../helpers/agents/run.ts';
import { runCodex, writeCodexConfig } from '../../helpers/agents/codex.ts';
import { agentJourney } from '../../helpers/agents/journey.ts';

const API_KEY = 'test-key-for-codex';
const skip = binaryUnavailable('codex', { platformPackage: `@openai/codex-${PLATFORM}` });
if (skip) process.stderr.write(`\nSKIP Codex tests: ${skip}\n\n`);

let h: ProxyWithMock;
const sandboxes: Sandbox[] = [];
before(async () => {
  if (!skip) h = await startProxyWithMock({ config: { apiKey: API_KEY } });
});
after(async () => {
  await h?.close();
  for (const s of sandboxes) await rm(dirname(s.home), { recursive: true, force: true });
});

agentJourney(
  {
    name: 'Codex',
    id: 'codex',
    route: '/v1/responses',
    configure: async (s, baseUrl) => {
      sandboxes.push(s);
      await writeCodexConfig(s, { baseUrl, model: 'claude-sonnet-4.5' });
    },
    turn: async (s, apiKey, prompt, o) => {
      const t = await runCodex(s, apiKey, prompt, { ...(o.session ? { resume: o.session } : {}), ...(o.image ? { image: o.image } : {}) });
      return { run: t.run, text: t.messages.join('\n'), session: t.threadId, failed: t.failed };
    },
    // Codex 0.171 with a custom provider writes files through its shell tool.
    writeFileDirective: (path, content) => `[[mock:tool exec_command ${JSON.stringify({ cmd: `printf %s '${content}' > '${path}'` })}]]`,
  },
  () => h,
  API_KEY,
  skip,
);

test(
  'Codex with its own default model (no model in config.toml): additional_tools, namespaces and the custom exec tool are understood',
  { skip, timeout: 180_000 },
  async () => {
    const s = await sandbox('codex-default');
    sandboxes.push(s);
    await writeCodexConfig(s, { baseUrl: h.url });
    const logsBefore = h.logs().length;
    const t = await runCodex(s, API_KEY, 'Say hi. [[mock:text default model works]]');
    const mine = h.logs().slice(logsBefore);
    const diag = `${t.failed ?? ''}\n${t.run.stderr.slice(-2000)}\n${JSON.stringify(mine.map((e) => [e.status, e.modelRequested, e.modelSent, e.errorMessage]))}`;
    assert.equal(t.run.code, 0, diag);
    assert.equal(t.failed, undefined, diag);
    assert.deepEqual(t.messages, ['default model works'], diag);
    const e = mine.find((x) => x.route === '/v1/responses')!;
    assert.match(e.modelRequested ?? '', /^gpt-/, 'Codex sent its own model name');
    assert.ok(e.modelSent, diag);
    assert.deepEqual(h.rejected(), []);
  },
);

test('Codex routes a call of its namespaced sub-agent tool (multi_agent_v1) instead of answering "unsupported call"', { skip, timeout: 180_000 }, async () => {
  const s = await sandbox('codex-ns');
  sandboxes.push(s);
  await writeCodexConfig(s, { baseUrl: h.url, model: 'claude-sonnet-4.5' });
  const logsBefore = h.logs().length;
  const t = await runCodex(s, API_KEY, 'Close it. [[mock:tool close_agent {"target":"no-such-agent"}]]');
  const diag = `${t.failed ?? ''}\n${t.run.stdout.slice(-3000)}\n${t.run.stderr.slice(-2000)}`;
  assert.equal(t.run.code, 0, diag);
  // The second request carries Codex's answer to the call, echoing the namespace it was given.
  const bodies = h
    .logs()
    .slice(logsBefore)
    .filter((e) => e.route === '/v1/responses');
  assert.ok(bodies.length >= 2, diag);
  const kiro = h.chats().at(-1)!.body as {
    conversationState: { currentMessage: { userInputMessage: { userInputMessageContext?: { toolResults?: { content: { text?: string }[] }[] } } } };
  };
  const result = JSON.stringify(kiro.conversationState.currentMessage.userInputMessage.userInputMessageContext?.toolResults ?? []);
  assert.doesNotMatch(result, /unsupported call/i, `Codex did not route the call: ${result}`);
  assert.ok(result.length > 2, `a tool result went back: ${result}`);
});
