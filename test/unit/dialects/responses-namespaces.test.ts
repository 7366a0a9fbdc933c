// Codex 0.171+ declares sub-agent tools in a namespace and, with its default model, more tools in
// an `additional_tools` input item, some of them free-form `custom` tools. Kiro has neither:
// they are flattened (collisions prefixed with the namespace), and Kiro's calls go back as the
// items Codex routes: function_call with its namespace, custom_tool_call with the raw input.
// Codex echoes those items in the next request, which must map back to the same Kiro names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { openAIResponsesDialect as dialect } from '../../../src/core/dialects/openai-responses/index.ts';
import type { NeutralEvent } from '../../../src/core/conversation/types.ts';
import { ctx, meta, renderStream, usage, fakeFetch } from './helpers.ts';

const obj = (props: Record<string, unknown>) => ({ type: 'object', properties: props, additionalProperties: false });
const spawn = { type: 'function', name: 'spawn_agent', description: 'Spawn a sub-agent.', strict: false, parameters: obj({ message: { type: 'string' } }) };
const namespaceTool = {
  type: 'namespace',
  name: 'multi_agent_v1',
  description: 'Tools for spawning and managing sub-agents.',
  tools: [spawn, { type: 'function', name: 'wait_agent', parameters: obj({ targets: { type: 'array', items: { type: 'string' } } }) }],
};

function codexBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-sonnet-4.5',
    stream: true,
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'split the work' }] }],
    tools: [
      { type: 'function', name: 'exec_command', parameters: obj({ cmd: { type: 'string' } }) },
      namespaceTool,
      { type: 'web_search', external_web_access: true },
    ],
    ...extra,
  };
}

const spawnCall: NeutralEvent[] = [
  { type: 'tool_call_start', index: 0, id: 'tooluse_1', name: 'spawn_agent' },
  { type: 'tool_call_delta', index: 0, json: '{"message":' },
  { type: 'tool_call_delta', index: 0, json: '"go"}' },
  { type: 'tool_call_end', index: 0, input: { message: 'go' } },
  { type: 'end', stopReason: 'tool_use', usage: usage() },
];

describe('Responses namespaced tools', () => {
  test('flattened for Kiro: nested tools keep their names, hosted ones are named as dropped', () => {
    const req = dialect.parseRequest(codexBody(), ctx());
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['exec_command', 'spawn_agent', 'wait_agent'],
    );
    assert.deepEqual(req.ignoredTools, ['web_search']);
  });

  test('a call comes back with its namespace, streamed and not, and the echoed item maps back', async () => {
    const req = dialect.parseRequest(codexBody(), ctx());
    // Non-streamed.
    const result = dialect.renderResult(
      req,
      { content: [{ type: 'tool_use', id: 'tooluse_1', name: 'spawn_agent', input: { message: 'go' } }], stopReason: 'tool_use', usage: usage() },
      meta,
    ) as {
      output: Record<string, unknown>[];
    };
    assert.deepEqual(
      result.output.map((o) => [o['type'], o['name'], o['namespace'], o['arguments']]),
      [['function_call', 'spawn_agent', 'multi_agent_v1', '{"message":"go"}']],
    );
    // Streamed, read by the openai SDK's own stream parser.
    const client = new OpenAI({ apiKey: 'x', baseURL: 'http://proxy.test/v1', fetch: fakeFetch(renderStream(dialect, req, spawnCall)) });
    const final = await client.responses.stream({ model: 'claude-sonnet-4.5', input: 'x' }).finalResponse();
    const item = final.output[0] as unknown as Record<string, unknown>;
    assert.deepEqual(
      [item['type'], item['name'], item['namespace'], item['arguments'], item['call_id']],
      ['function_call', 'spawn_agent', 'multi_agent_v1', '{"message":"go"}', 'tooluse_1'],
    );
    const sse = renderStream(dialect, req, spawnCall);
    const added = sse.split('\n').find((l) => l.includes('"response.output_item.added"'))!;
    assert.match(added, /"namespace":"multi_agent_v1"/);
    // Codex echoes it in the next request.
    const next = dialect.parseRequest(
      codexBody({
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'split the work' }] },
          { type: 'function_call', call_id: 'tooluse_1', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"message":"go"}' },
          { type: 'function_call_output', call_id: 'tooluse_1', output: 'agent-1' },
        ],
      }),
      ctx(),
    );
    assert.deepEqual(next.messages[1]!.content, [{ type: 'tool_use', id: 'tooluse_1', name: 'spawn_agent', input: { message: 'go' } }]);
    assert.equal(
      next.tools.some((t) => t.name === 'spawn_agent'),
      true,
    );
  });

  test('name collisions between namespaces (and with a top-level tool) are prefixed, both ways', () => {
    const other = { type: 'namespace', name: 'collab', tools: [{ ...spawn, description: 'Another spawn.' }] };
    const body = codexBody({ tools: [{ type: 'function', name: 'wait_agent', parameters: obj({}) }, namespaceTool, other] });
    const req = dialect.parseRequest(body, ctx());
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['wait_agent', 'multi_agent_v1__spawn_agent', 'multi_agent_v1__wait_agent', 'collab__spawn_agent'],
    );
    const out = (name: string) =>
      (
        dialect.renderResult(req, { content: [{ type: 'tool_use', id: 't', name, input: {} }], stopReason: 'tool_use', usage: usage() }, meta) as {
          output: Record<string, unknown>[];
        }
      ).output[0]!;
    assert.deepEqual([out('collab__spawn_agent')['name'], out('collab__spawn_agent')['namespace']], ['spawn_agent', 'collab']);
    assert.deepEqual([out('multi_agent_v1__wait_agent')['name'], out('multi_agent_v1__wait_agent')['namespace']], ['wait_agent', 'multi_agent_v1']);
    assert.deepEqual([out('wait_agent')['name'], out('wait_agent')['namespace']], ['wait_agent', undefined]);
    const echoed = dialect.parseRequest(
      {
        ...body,
        input: [
          { role: 'user', content: 'x' },
          { type: 'function_call', call_id: 'a', name: 'spawn_agent', namespace: 'collab', arguments: '{}' },
          { type: 'function_call', call_id: 'b', name: 'wait_agent', arguments: '{}' },
          { type: 'function_call', call_id: 'c', name: 'wait_agent', namespace: 'multi_agent_v1', arguments: '{}' },
        ],
      },
      ctx(),
    );
    assert.deepEqual(
      echoed.messages[1]!.content.map((b) => (b.type === 'tool_use' ? b.name : '')),
      ['collab__spawn_agent', 'wait_agent', 'multi_agent_v1__wait_agent'],
    );
    // A forced namespaced tool is forced under its Kiro name.
    assert.deepEqual(dialect.parseRequest({ ...body, tool_choice: { type: 'function', name: 'spawn_agent', namespace: 'collab' } }, ctx()).toolChoice, {
      type: 'tool',
      name: 'collab__spawn_agent',
    });
  });

  test('additional_tools input items declare tools; custom tools round-trip as custom_tool_call', () => {
    const body = {
      model: 'gpt-6.2-sol',
      stream: true,
      input: [
        {
          type: 'additional_tools',
          role: 'developer',
          tools: [
            {
              type: 'namespace',
              name: 'functions',
              description: '',
              tools: [
                { type: 'custom', name: 'exec', description: 'Run JavaScript.', format: { type: 'grammar', syntax: 'lark', definition: 'start: SOURCE' } },
                { type: 'function', name: 'wait', parameters: obj({ cell_id: { type: 'string' } }) },
              ],
            },
          ],
        },
        { type: 'message', role: 'user', content: 'hi' },
      ],
    };
    const req = dialect.parseRequest(body, ctx());
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['exec', 'wait'],
    );
    assert.deepEqual(req.tools[0]!.inputSchema['required'], ['input']);
    assert.match(req.tools[0]!.description, /lark grammar:\nstart: SOURCE/);
    assert.deepEqual(req.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    const events: NeutralEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'tooluse_9', name: 'exec' },
      { type: 'tool_call_delta', index: 0, json: '{"input":"await tools.wait({})"}' },
      { type: 'tool_call_end', index: 0, input: { input: 'await tools.wait({})' } },
      { type: 'end', stopReason: 'tool_use', usage: usage() },
    ];
    const sse = renderStream(dialect, req, events);
    const done = sse
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
    const itemDone = done.find((e) => e['type'] === 'response.output_item.done')!['item'] as Record<string, unknown>;
    assert.deepEqual(
      [itemDone['type'], itemDone['name'], itemDone['namespace'], itemDone['input']],
      ['custom_tool_call', 'exec', 'functions', 'await tools.wait({})'],
    );
    assert.equal(done.filter((e) => e['type'] === 'response.function_call_arguments.delta').length, 0);
    assert.equal(done.find((e) => e['type'] === 'response.custom_tool_call_input.done')!['input'], 'await tools.wait({})');
    const result = dialect.renderResult(
      req,
      { content: [{ type: 'tool_use', id: 'tooluse_9', name: 'exec', input: { input: '1+1' } }], stopReason: 'tool_use', usage: usage() },
      meta,
    ) as {
      output: Record<string, unknown>[];
    };
    assert.deepEqual([result.output[0]!['type'], result.output[0]!['input']], ['custom_tool_call', '1+1']);
    // The echoed custom call and its output pair up again.
    const next = dialect.parseRequest(
      {
        ...body,
        input: [
          ...body.input,
          { type: 'custom_tool_call', call_id: 'tooluse_9', name: 'exec', namespace: 'functions', input: '1+1' },
          { type: 'custom_tool_call_output', call_id: 'tooluse_9', output: '2' },
        ],
      },
      ctx(),
    );
    assert.deepEqual(next.messages.slice(1), [
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tooluse_9', name: 'exec', input: { input: '1+1' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tooluse_9', content: '2', isError: false }] },
    ]);
  });
});
