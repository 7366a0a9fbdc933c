import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicDialect, parseCountTokensRequest, stripBillingHeader } from '../../../src/core/dialects/anthropic/index.ts';
import { ctx, rejects } from './helpers.ts';

const parse = (body: unknown, headers: Record<string, string> = {}) => anthropicDialect.parseRequest(body, ctx(headers, 'beta=true'));

const SESSION = '0b6f2f8e-6c1a-4d5b-9a1e-3f2d7c8b9a10';

// Shape of Claude Code 2.1.x's first request as described in docs/clients.md (sizes reduced).
function claudeCodeFirstRequest() {
  const tools = Array.from({ length: 24 }, (_, i) => ({
    name: i === 0 ? 'Bash' : `Tool${i}`,
    description: `tool ${i}`,
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { command: { type: 'string' } },
      required: ['command'],
      additionalProperties: false,
    },
  }));
  return {
    model: 'claude-opus-4-8',
    max_tokens: 64000,
    stream: true,
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=sdk-cli' },
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Main prompt.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'fix the bug', cache_control: { type: 'ephemeral' } }] },
      { role: 'system', content: 'The date is 2026-01-01.' },
    ],
    tools,
    thinking: { type: 'adaptive' },
    output_config: { effort: 'high' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    metadata: { user_id: JSON.stringify({ device_id: 'dev', account_uuid: 'acc', session_id: SESSION }) },
  };
}

describe('anthropic parseRequest: Claude Code shapes', () => {
  test('first request [user, system]: system hoisted, billing header stripped, 24 tools kept with their schemas', () => {
    const req = parse(claudeCodeFirstRequest());
    assert.equal(req.dialect, 'anthropic');
    assert.equal(req.model, 'claude-opus-4-8');
    assert.equal(req.system, "You are Claude Code, Anthropic's official CLI for Claude.\n\nMain prompt.\n\nThe date is 2026-01-01.");
    assert.ok(!req.system.includes('billing'));
    assert.deepEqual(req.messages, [{ role: 'user', content: [{ type: 'text', text: 'fix the bug' }] }]);
    assert.equal(req.tools.length, 24);
    assert.equal(req.tools[0]!.name, 'Bash');
    assert.equal(req.tools[0]!.inputSchema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(req.tools[0]!.inputSchema.additionalProperties, false);
    assert.deepEqual(req.thinking, { type: 'adaptive', effort: 'high' });
    assert.equal(req.maxTokens, 64000);
    assert.equal(req.stream, true);
    assert.equal(req.sessionId, SESSION);
  });

  test('haiku thinking enabled with a budget', () => {
    const req = parse({ ...claudeCodeFirstRequest(), thinking: { type: 'enabled', budget_tokens: 31999 }, output_config: undefined });
    assert.deepEqual(req.thinking, { type: 'enabled', budgetTokens: 31999 });
  });

  test('adaptive effort words map to the neutral scale; default high', () => {
    const effort = (e?: string) => parse({ ...claudeCodeFirstRequest(), output_config: e ? { effort: e } : undefined }).thinking;
    assert.deepEqual(effort('low'), { type: 'adaptive', effort: 'low' });
    assert.deepEqual(effort('max'), { type: 'adaptive', effort: 'max' });
    assert.deepEqual(effort('xhigh'), { type: 'adaptive', effort: 'max' });
    assert.deepEqual(effort(), { type: 'adaptive', effort: 'high' });
    assert.equal(parse({ ...claudeCodeFirstRequest(), thinking: { type: 'disabled' } }).thinking, undefined);
  });

  test('billing header as a line inside a larger system string', () => {
    assert.equal(stripBillingHeader('x-anthropic-billing-header: a=b\nYou are helpful.'), 'You are helpful.');
    assert.equal(parse({ model: 'm', max_tokens: 1, system: 'x-anthropic-billing-header: a=b\nBe brief.', messages: [] }).system, 'Be brief.');
  });

  test('system message in the middle and at the end are both hoisted, in order', () => {
    const req = parse({
      model: 'm',
      system: 'S0',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: [{ type: 'text', text: 'S1' }] },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
        { role: 'system', content: 'S2' },
      ],
    });
    assert.equal(req.system, 'S0\n\nS1\n\nS2');
    assert.deepEqual(
      req.messages.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
  });

  test('session id: header wins; legacy user_…_session_<uuid>; a plain user id is not a session', () => {
    const base = { model: 'm', max_tokens: 10, messages: [] };
    assert.equal(parse(base, { 'x-claude-code-session-id': 'hdr-session' }).sessionId, 'hdr-session');
    assert.equal(parse({ ...base, metadata: { user_id: `user_abc123_account_${SESSION}_session_${SESSION}` } }).sessionId, SESSION);
    assert.equal(parse({ ...base, metadata: { user_id: 'user-42' } }).sessionId, undefined);
    assert.equal(parse({ ...base, metadata: { user_id: '{not json' } }).sessionId, undefined);
  });

  test('tool round trip: assistant [text, tool_use] then user [tool_result] with string content', () => {
    const req = parse({
      model: 'm',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'run ls' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'ENCRYPTED' },
            { type: 'text', text: 'Running.' },
            { type: 'tool_use', id: 'tooluse_1', name: 'Bash', input: { command: 'ls' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'tooluse_1', content: 'a.txt' },
            {
              type: 'tool_result',
              tool_use_id: 'tooluse_2',
              is_error: true,
              content: [
                { type: 'text', text: 'line1' },
                { type: 'text', text: 'line2' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(req.messages[1]!.content, [
      { type: 'thinking', text: 'hmm', signature: 'sig' },
      { type: 'thinking', text: '', signature: 'ENCRYPTED' },
      { type: 'text', text: 'Running.' },
      { type: 'tool_use', id: 'tooluse_1', name: 'Bash', input: { command: 'ls' } },
    ]);
    assert.deepEqual(req.messages[2]!.content, [
      { type: 'tool_result', toolUseId: 'tooluse_1', content: 'a.txt', isError: false },
      { type: 'tool_result', toolUseId: 'tooluse_2', content: 'line1\nline2', isError: true, images: [{ mediaType: 'image/png', data: 'iVBOR' }] },
    ]);
  });

  test('images: base64 kept; url refused naming the field', () => {
    const req = parse({
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } }] }],
    });
    assert.deepEqual(req.messages[0]!.content[0], { type: 'image', mediaType: 'image/jpeg', data: '/9j/' });
    const err = rejects(
      () =>
        parse({
          model: 'm',
          max_tokens: 1,
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: 'y' },
            { role: 'user', content: 'z' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'see' },
                { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
              ],
            },
          ],
        }),
      { status: 400, message: /^messages\.3\.content\.1\.source: url images are not supported; send base64$/ },
    );
    assert.equal(err.kind, 'invalid_request');
  });

  test('documents: text sources become text, PDFs are refused', () => {
    const req = parse({
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'document', title: 'README', source: { type: 'text', media_type: 'text/plain', data: 'hello' } }] }],
    });
    assert.deepEqual(req.messages[0]!.content[0], { type: 'text', text: 'README\n\nhello' });
    rejects(
      () =>
        parse({
          model: 'm',
          max_tokens: 1,
          messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } }] }],
        }),
      {
        message: /messages\.0\.content\.0\.source: document source 'base64' is not supported/,
      },
    );
  });

  test('tools: bash/text editor become custom tools; server tools are dropped and named', () => {
    const req = parse({
      model: 'm',
      max_tokens: 1,
      messages: [],
      tools: [
        { type: 'bash_20250124', name: 'bash' },
        { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
        { type: 'custom', name: 'c', input_schema: { type: 'object' } },
      ],
    });
    assert.deepEqual(
      req.tools.map((t) => t.name),
      ['bash', 'str_replace_based_edit_tool', 'c'],
    );
    assert.equal(req.ignoredTools, undefined);
    assert.equal((req.tools[0]!.inputSchema.properties as Record<string, unknown>).command !== undefined, true);
    const cline = parse({
      model: 'm',
      max_tokens: 1,
      messages: [],
      tools: [
        { name: 'x', input_schema: {} },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
      ],
    });
    assert.deepEqual(
      cline.tools.map((t) => t.name),
      ['x'],
    );
    assert.deepEqual(cline.ignoredTools, ['web_search (web_search_20250305)']);
  });

  test('tool_choice, stop_sequences, unknown fields', () => {
    const req = parse({
      model: 'm',
      max_tokens: 5,
      messages: [],
      tool_choice: { type: 'tool', name: 'x' },
      stop_sequences: ['END', ''],
      service_tier: 'auto',
      container: null,
    });
    assert.deepEqual(req.toolChoice, { type: 'tool', name: 'x' });
    assert.deepEqual(req.stopSequences, ['END']);
    assert.deepEqual(parse({ model: 'm', messages: [], tool_choice: { type: 'any' } }).toolChoice, { type: 'any' });
    assert.deepEqual(parse({ model: 'm', messages: [], tool_choice: { type: 'none' } }).toolChoice, { type: 'none' });
    rejects(() => parse({ model: 'm', messages: [], tool_choice: { type: 'tool' } }), { message: /tool_choice\.name/ });
  });

  test('max_tokens is optional (lenient) but must be a positive integer when present', () => {
    assert.equal(parse({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).maxTokens, undefined);
    rejects(() => parse({ model: 'm', max_tokens: 'lots', messages: [] }), { message: /^max_tokens: / });
  });

  test('bad input is always a clean 400, never a crash', () => {
    const bad: unknown[] = [
      null,
      42,
      'str',
      [],
      {},
      { model: 'm' },
      { model: 'm', messages: [null] },
      { model: 'm', messages: [{ role: 'user', content: [null] }] },
      { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'weird' }] }] },
      { model: 'm', messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 'x' }] }] },
      { model: 'm', messages: [], system: [{ type: 'image' }] },
    ];
    for (const body of bad) rejects(() => parse(body), { status: 400 });
    rejects(() => parse({ model: 'm', messages: [{ role: 'user', content: [{ type: 'weird' }] }] }), {
      message: /messages\.0\.content\.0\.type: unsupported content block type 'weird'/,
    });
  });
});

describe('anthropic parseCountTokensRequest', () => {
  test('same body minus max_tokens, never streamed', () => {
    const body = claudeCodeFirstRequest() as Record<string, unknown>;
    delete body.max_tokens;
    const req = parseCountTokensRequest(body, ctx());
    assert.equal(req.stream, false);
    assert.equal(req.maxTokens, undefined);
    assert.equal(req.tools.length, 24);
  });
});
