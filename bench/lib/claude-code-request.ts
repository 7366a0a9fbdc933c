// A synthetic Claude Code-sized Anthropic request (~200 KB): a long system prompt, 16 tool
// declarations with JSON schemas and long descriptions, and a tool-heavy history of
// tool_use/tool_result turns with file contents, ending with a user question. Deterministic text,
// shaped after what Claude Code sends (not copied from it).

const WORDS = (
  'the of and to in is that for it as with was on be by this are or from at which an have not ' +
  'function return const let import export type interface async await value error result file path ' +
  'request response stream token account model proxy server client test build cache config'
).split(' ');

function text(seed: number, chars: number): string {
  let s = '';
  let x = seed >>> 0 || 1;
  while (s.length < chars) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += WORDS[x % WORDS.length]! + (x % 11 === 0 ? '.\n' : ' ');
  }
  return s.slice(0, chars);
}

function code(seed: number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(
      `${String(i + 1).padStart(5)}\t${i % 7 === 0 ? 'export function' : '  const'} ${text(seed + i, 18).replace(/\W+/g, '_')} = ${JSON.stringify(text(seed * 3 + i, 24))};`,
    );
  }
  return out.join('\n');
}

const TOOL_NAMES = [
  'Task',
  'Bash',
  'Glob',
  'Grep',
  'LS',
  'ExitPlanMode',
  'Read',
  'Edit',
  'MultiEdit',
  'Write',
  'NotebookEdit',
  'WebFetch',
  'TodoWrite',
  'WebSearch',
  'BashOutput',
  'KillShell',
];

function tool(name: string, i: number) {
  return {
    name,
    description: text(1000 + i, 1200 + (i % 5) * 400),
    input_schema: {
      type: 'object',
      properties: {
        file_path: { type: 'string', description: 'The absolute path to the file' },
        command: { type: 'string', description: text(2000 + i, 120) },
        timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' },
        options: {
          type: 'object',
          properties: { recursive: { type: 'boolean' }, pattern: { type: 'string' }, limit: { type: 'integer', minimum: 1 } },
          additionalProperties: false,
        },
        todos: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              content: { type: 'string', minLength: 1 },
              status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
              id: { type: 'string' },
            },
            required: ['content', 'status', 'id'],
            additionalProperties: false,
          },
        },
      },
      required: ['file_path'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    },
  };
}

/** The request body as a JSON string of about `targetBytes` (default 200 KB). */
export function claudeCodeRequest(targetBytes = 200_000, stream = false): string {
  const system = [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
    { type: 'text', text: text(7, 14_000), cache_control: { type: 'ephemeral' } },
  ];
  const tools = TOOL_NAMES.map(tool);
  const messages: unknown[] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: `<system-reminder>\n${text(11, 2_000)}\n</system-reminder>` },
        { type: 'text', text: 'Refactor the request pipeline and make the tests pass.' },
      ],
    },
  ];
  const base = {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 32_000,
    stream,
    system,
    tools,
    metadata: { user_id: 'user_0123456789abcdef_account__session_6f1d2c3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f' },
  };
  let turn = 0;
  for (;;) {
    const id = `toolu_${String(turn).padStart(4, '0')}${'x'.repeat(18)}`;
    const assistant = {
      role: 'assistant',
      content: [
        { type: 'text', text: text(100 + turn, 300) },
        {
          type: 'tool_use',
          id,
          name: turn % 3 === 0 ? 'Read' : turn % 3 === 1 ? 'Grep' : 'Edit',
          input: { file_path: `/work/project/src/module-${turn}.ts`, options: { limit: 200 } },
        },
      ],
    };
    const user = { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: code(500 + turn, 40) }] };
    messages.push(assistant, user);
    turn++;
    const size = JSON.stringify({ ...base, messages }).length;
    if (size >= targetBytes - 500) break;
  }
  messages.push({ role: 'assistant', content: [{ type: 'text', text: 'I have the context I need.' }] });
  messages.push({ role: 'user', content: [{ type: 'text', text: 'Now summarise what you changed.' }] });
  return JSON.stringify({ ...base, messages });
}
