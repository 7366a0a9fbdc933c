// One real request of each agent (test/fixtures/agents, captured from the real CLIs: see its
// README), replayed through the dialect parser and the normaliser without running the agent: the
// Kiro request must pass the strict mock's validator, the agent's own tools must survive (and
// map back to the names it declared), tools the proxy cannot run must be dropped and named, and
// the tool result of the captured round trip must reach Kiro.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anthropicDialect } from '../../../src/core/dialects/anthropic/index.ts';
import { openAIChatDialect } from '../../../src/core/dialects/openai-chat/index.ts';
import { openAIResponsesDialect } from '../../../src/core/dialects/openai-responses/index.ts';
import type { Dialect } from '../../../src/core/dialects/types.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { clientToolName } from '../../../src/core/conversation/tool-names.ts';
import { resolveModel } from '../../../src/core/kiro/models.ts';
import { DEFAULT_MOCK_MODELS } from '../../../src/core/kiro-mock/models.ts';
import { assertKiroAccepts } from '../conversation/strict-check.ts';
import { ctx } from './helpers.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'agents');

interface Fixture {
  agent: string;
  package: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const DIALECTS: Record<string, Dialect> = {
  '/v1/chat/completions': openAIChatDialect,
  '/v1/responses': openAIResponsesDialect,
  '/v1/messages': anthropicDialect,
};

/** Per fixture: tools that must reach Kiro (as the client names them), and what must be dropped. */
const EXPECT: Record<string, { tools: string[]; ignored: string[]; toolResult: boolean }> = {
  codex: { tools: ['exec_command', 'spawn_agent', 'wait_agent', 'close_agent'], ignored: ['web_search'], toolResult: true },
  'codex-default-model': { tools: ['exec', 'wait', 'spawn_agent'], ignored: [], toolResult: false },
  'opencode-openai': { tools: ['write', 'bash', 'read', 'edit'], ignored: [], toolResult: true },
  'opencode-anthropic': { tools: ['write', 'bash', 'read', 'edit'], ignored: [], toolResult: true },
  'cline-openai': { tools: ['editor', 'run_commands', 'read_files'], ignored: [], toolResult: true },
  'cline-anthropic': { tools: ['editor', 'run_commands', 'read_files'], ignored: ['web_search (web_search_20250305)'], toolResult: true },
  'continue-openai': { tools: ['Write', 'Read', 'Bash'], ignored: [], toolResult: true },
  'continue-anthropic': { tools: ['Write', 'Read', 'Bash'], ignored: [], toolResult: true },
  'claude-code': { tools: ['Write', 'Bash', 'Read', 'Edit'], ignored: [], toolResult: true },
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

test('a captured request of every agent configuration is kept', () => {
  assert.deepEqual(files.map((f) => f.replace(/\.json$/, '')).sort(), Object.keys(EXPECT).sort());
});

for (const file of files) {
  const id = file.replace(/\.json$/, '');
  const fx = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
  test(`${id} (${fx.package}): parsed, normalised and accepted by the strict mock`, () => {
    const dialect = DIALECTS[fx.path.split('?')[0]!];
    assert.ok(dialect, `no dialect for ${fx.path}`);
    const req = dialect.parseRequest(fx.body, ctx(fx.headers, fx.path.split('?')[1] ?? ''));
    const model = resolveModel(req.model, { available: DEFAULT_MOCK_MODELS.map((m) => ({ modelId: m.modelId })) });
    assert.notEqual(model.mappedBy, 'unknown', `${id}: its default model name ${req.model} must be served`);
    const { body, toolNames } = normalise(req, { modelId: 'claude-sonnet-4.5', conversationId: 'conv-1' });
    assertKiroAccepts(body, id);
    const want = EXPECT[id]!;
    assert.deepEqual(req.ignoredTools ?? [], want.ignored, `${id}: dropped tools`);
    const ctxMsg = body.conversationState.currentMessage.userInputMessage.userInputMessageContext;
    const sent = new Set((ctxMsg?.tools ?? []).map((t) => clientToolName(toolNames, t.toolSpecification.name)));
    for (const t of want.tools) assert.ok(sent.has(t), `${id}: tool ${t} did not reach Kiro (sent: ${[...sent].join(', ')})`);
    if (want.toolResult) assert.ok((ctxMsg?.toolResults ?? []).length > 0, `${id}: the tool result of the round trip reaches Kiro`);
  });
}
