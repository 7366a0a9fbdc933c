// Fuzz targets shared by `npm test` (a few thousand runs) and bench/fuzz.ts (100 000+ runs):
// generators of hostile inputs and the property each target must keep.
//   decoder:    any bytes, split anyhow → whole messages or an EventStreamError; never another throw
//   dialects:   any JSON body → a NeutralRequest or ProxyError('invalid_request'); a parsed request
//               then normalises into a body the strict mock accepts, or a clean ProxyError
//   normaliser: any NeutralRequest → a body the strict mock's validator accepts, or a ProxyError
import fc from 'fast-check';
import { EventStreamDecoder, EventStreamError } from '../../../src/core/kiro/frame-decoder.ts';
import { encodeFrame, encodeKiroError, encodeKiroEvent, encodeKiroException } from '../../../src/core/kiro/frame-encoder.ts';
import { toKiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import { crc32 } from '../../../src/core/kiro/crc32.ts';
import { dialects } from '../../../src/core/dialects/index.ts';
import type { Dialect } from '../../../src/core/dialects/types.ts';
import type { DialectName, NeutralBlock, NeutralMessage, NeutralRequest, NeutralTool } from '../../../src/core/conversation/types.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { validateGenerateRequest } from '../../../src/core/kiro-mock/validate.ts';
import { ProxyError } from '../../../src/core/errors.ts';

const MODEL = 'claude-sonnet-4.5';
const PROFILE_ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';

// ---------------------------------------------------------------- event-stream decoder

/** Real-looking frames (the kinds Kiro sends), to mutate. */
function realFrames(): Uint8Array[] {
  return [
    encodeKiroEvent('assistantResponseEvent', { content: 'Hello, 世界' }),
    encodeKiroEvent('toolUseEvent', { name: 'Read', toolUseId: 'tooluse_1', input: '{"path":' }),
    encodeKiroEvent('toolUseEvent', { name: 'Read', toolUseId: 'tooluse_1', input: '"a"}', stop: true }),
    encodeKiroEvent('meteringEvent', { unit: 'credit', usage: 0.25 }),
    encodeKiroEvent('contextUsageEvent', { contextUsagePercentage: 12.5 }),
    encodeKiroException('ThrottlingException', { message: 'slow down' }),
    encodeKiroError('InternalError', 'boom'),
    encodeFrame(
      [
        [':event-type', 'x'],
        ['n', { type: 'int64', value: 5n }],
        ['u', { type: 'uuid', value: '00000000-0000-4000-8000-000000000001' }],
      ],
      '{}',
    ),
  ];
}
const FRAMES = realFrames();

/** Recomputes both CRCs so a mutation reaches the header/payload parsers instead of the CRC check. */
function refreshCrcs(frame: Uint8Array): Uint8Array {
  const f = frame.slice();
  if (f.length < 16) return f;
  const v = new DataView(f.buffer);
  v.setUint32(8, crc32(f.subarray(0, 8)));
  const total = v.getUint32(0);
  if (total === f.length) v.setUint32(total - 4, crc32(f.subarray(0, total - 4)));
  return f;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.integer({ min: 0, max: 3 }),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 15, 16, 0xffffffff, 16 * 1024 * 1024 + 1)),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(frame: Uint8Array, m: Mutation): Uint8Array {
  const f = frame.slice();
  const at = f.length === 0 ? 0 : 'at' in m ? m.at % f.length : 0;
  switch (m.kind) {
    case 'flip':
      f[at] = f[at]! ^ (1 << m.bit);
      return f;
    case 'set':
      f[at] = m.byte;
      return f;
    case 'cut':
      return f.subarray(0, at);
    case 'insert': {
      const out = new Uint8Array(f.length + m.bytes.length);
      out.set(f.subarray(0, at));
      out.set(m.bytes, at);
      out.set(f.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'u32':
      // Lengths: total (0) or headers (4) — the fields a decoder must not trust.
      if (f.length >= 12) new DataView(f.buffer, f.byteOffset).setUint32(m.at < 2 ? 0 : 4, m.value >>> 0);
      return f;
  }
}

export interface DecoderInput {
  bytes: Uint8Array;
  /** Chunk boundaries (sizes), cycled. */
  splits: number[];
}

/** Arbitrary bytes, and streams of real frames with mutations (CRCs fixed up or not). */
export const decoderInput: fc.Arbitrary<DecoderInput> = fc.record({
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc
      .record({
        picks: fc.array(fc.nat({ max: FRAMES.length - 1 }), { minLength: 1, maxLength: 5 }),
        mutations: fc.array(mutation, { maxLength: 3 }),
        fixCrc: fc.boolean(),
      })
      .map(({ picks, mutations, fixCrc }) => {
        const parts = picks.map((i, n) => {
          let f = FRAMES[i]!;
          // Mutate one frame of the stream (the others stay valid around it).
          if (n === picks.length - 1) for (const m of mutations) f = mutate(f, m);
          return fixCrc ? refreshCrcs(f) : f;
        });
        const total = parts.reduce((a, p) => a + p.length, 0);
        const out = new Uint8Array(total);
        let off = 0;
        for (const p of parts) {
          out.set(p, off);
          off += p.length;
        }
        return out;
      }),
  ),
  splits: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
});

/** Feeds the input to a decoder; throws if anything but an EventStreamError escapes. Returns messages decoded. */
export function checkDecoder(input: DecoderInput): number {
  const dec = new EventStreamDecoder({ maxFrameBytes: 64 * 1024 });
  let decoded = 0;
  try {
    let off = 0;
    let i = 0;
    while (off < input.bytes.length) {
      const n = input.splits[i++ % input.splits.length]!;
      for (const msg of dec.push(input.bytes.subarray(off, off + n))) {
        toKiroEvent(msg);
        decoded++;
      }
      off += n;
    }
    dec.end();
  } catch (err) {
    if (!(err instanceof EventStreamError)) throw new Error(`decoder threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    // A failed decoder stays failed with the same error.
    try {
      dec.push(new Uint8Array([0]));
      throw new Error('a failed decoder accepted more input', { cause: err });
    } catch (again) {
      if (again !== err) throw new Error('a failed decoder threw a different error', { cause: again });
    }
  }
  return decoded;
}

// ---------------------------------------------------------------- dialect bodies

const anyJson = fc.jsonValue({ maxDepth: 3 });
const str = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', ' ', '\n', 'hello', '漢字', '<thinking>x</thinking>', 'a'.repeat(70)));
/** Mostly `a`, now and then `b`. */
const mostly = <A, B>(a: fc.Arbitrary<A>, b: fc.Arbitrary<B>) => fc.oneof({ arbitrary: a, weight: 9 }, { arbitrary: b, weight: 1 });
/** Mostly the right shape, sometimes any JSON in its place. */
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: a, weight: 12 }, { arbitrary: anyJson, weight: 1 });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const schema = fc.oneof(fc.constant({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }), fc.constant({}), anyJson);
const toolName = fc.oneof(fc.constantFrom('Read', 'Bash', 'mcp__srv__tool.with.dots', 'x'.repeat(80), ''), fc.string({ maxLength: 10 }));
const id = fc.oneof(fc.constantFrom('t1', 't2', 'call_1', 'toolu_1', ''), fc.string({ maxLength: 6 }));

const anthropicBlock = fc.oneof(
  fc.record({ type: fc.constant('text'), text: maybe(str) }),
  fc.record({
    type: fc.constant('image'),
    source: fc.oneof(
      fc.record({
        type: fc.constant('base64'),
        media_type: fc.constantFrom('image/png', 'image/jpeg', 'image/bmp', ''),
        data: fc.constantFrom(PNG, '', 'not base64!'),
      }),
      anyJson,
    ),
  }),
  fc.record({ type: fc.constant('tool_use'), id: maybe(id), name: maybe(toolName), input: anyJson }),
  fc.record({
    type: fc.constant('tool_result'),
    tool_use_id: maybe(id),
    content: fc.oneof(str, fc.array(fc.record({ type: fc.constant('text'), text: str }), { maxLength: 2 }), anyJson),
    is_error: fc.boolean(),
  }),
  fc.record({ type: fc.constant('thinking'), thinking: str, signature: fc.option(str, { nil: undefined }) }),
  fc.record({ type: str }),
);
const anthropicBody = fc.record(
  {
    model: mostly(fc.constantFrom('claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-4o'), anyJson),
    max_tokens: mostly(fc.integer({ min: 1, max: 100_000 }), fc.oneof(fc.integer({ min: -5, max: 0 }), anyJson)),
    messages: maybe(
      fc.array(
        fc.record({
          role: mostly(fc.constantFrom('user', 'assistant'), str),
          content: mostly(fc.oneof(str, fc.array(anthropicBlock, { maxLength: 4 })), anyJson),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    ),
    system: mostly(fc.oneof(str, fc.array(fc.record({ type: fc.constant('text'), text: str }), { maxLength: 2 })), anyJson),
    tools: maybe(fc.array(fc.record({ name: maybe(toolName), description: maybe(str), input_schema: schema }), { maxLength: 3 })),
    tool_choice: maybe(fc.record({ type: fc.constantFrom('auto', 'any', 'tool', 'none'), name: toolName })),
    thinking: maybe(fc.record({ type: fc.constantFrom('enabled', 'disabled', 'adaptive'), budget_tokens: fc.integer({ min: -1, max: 50_000 }) })),
    stream: maybe(fc.boolean()),
    stop_sequences: maybe(fc.array(str, { maxLength: 3 })),
    metadata: maybe(fc.record({ user_id: str })),
  },
  { requiredKeys: ['model', 'messages'] },
);

const chatMessage = fc.record(
  {
    role: mostly(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), str),
    content: fc.oneof(
      { arbitrary: str, weight: 6 },
      { arbitrary: fc.constant(null), weight: 1 },
      fc.array(
        fc.oneof(
          fc.record({ type: fc.constant('text'), text: str }),
          fc.record({
            type: fc.constant('image_url'),
            image_url: fc.record({ url: fc.constantFrom(`data:image/png;base64,${PNG}`, 'data:,x', 'https://example.com/a.png') }),
          }),
          anyJson,
        ),
        { maxLength: 3 },
      ),
    ),
    tool_calls: maybe(
      fc.array(
        fc.record({
          id: maybe(id),
          type: fc.constant('function'),
          function: fc.record({ name: maybe(toolName), arguments: fc.oneof(fc.constantFrom('{"path":"a"}', '{', ''), str) }),
        }),
        { maxLength: 2 },
      ),
    ),
    tool_call_id: maybe(id),
    name: str,
  },
  { requiredKeys: ['role'] },
);
const chatBody = fc.record(
  {
    model: mostly(fc.constantFrom('gpt-4o', 'claude-sonnet-4-5'), anyJson),
    messages: maybe(fc.array(chatMessage, { minLength: 1, maxLength: 6 })),
    tools: maybe(
      fc.array(
        fc.record({ type: fc.constantFrom('function', 'custom'), function: fc.record({ name: maybe(toolName), description: maybe(str), parameters: schema }) }),
        { maxLength: 3 },
      ),
    ),
    tool_choice: maybe(
      fc.oneof(fc.constantFrom('auto', 'none', 'required'), fc.record({ type: fc.constant('function'), function: fc.record({ name: toolName }) })),
    ),
    stream: maybe(fc.boolean()),
    max_tokens: maybe(fc.integer({ min: -1, max: 100_000 })),
    max_completion_tokens: maybe(fc.integer({ min: -1, max: 100_000 })),
    stop: maybe(fc.oneof(str, fc.array(str, { maxLength: 5 }))),
    n: mostly(fc.constant(1), fc.integer({ min: 0, max: 3 })),
    reasoning_effort: maybe(fc.constantFrom('low', 'medium', 'high', 'none')),
  },
  { requiredKeys: ['model', 'messages'] },
);

const responsesItem = fc.oneof(
  fc.record({
    type: fc.constant('message'),
    role: mostly(fc.constantFrom('user', 'assistant', 'system', 'developer'), str),
    content: fc.oneof(
      str,
      fc.array(
        fc.oneof(
          fc.record({ type: fc.constantFrom('input_text', 'output_text'), text: str }),
          fc.record({ type: fc.constant('input_image'), image_url: fc.constantFrom(`data:image/png;base64,${PNG}`, 'x') }),
          anyJson,
        ),
        { maxLength: 3 },
      ),
    ),
  }),
  fc.record({ role: fc.constantFrom('user', 'assistant'), content: str }),
  fc.record({ type: fc.constant('function_call'), call_id: maybe(id), name: maybe(toolName), arguments: fc.oneof(fc.constantFrom('{}', '{"a":1}', '{'), str) }),
  fc.record({ type: fc.constant('function_call_output'), call_id: maybe(id), output: fc.oneof(str, anyJson) }),
  fc.record({ type: fc.constant('reasoning'), summary: anyJson }),
  anyJson,
);
const responsesBody = fc.record(
  {
    model: mostly(fc.constantFrom('gpt-5-codex', 'claude-sonnet-4-5'), anyJson),
    input: mostly(fc.oneof(str, fc.array(responsesItem, { maxLength: 6 })), anyJson),
    instructions: maybe(str),
    tools: maybe(
      fc.array(fc.record({ type: fc.constantFrom('function', 'web_search', 'custom'), name: maybe(toolName), description: str, parameters: schema }), {
        maxLength: 3,
      }),
    ),
    tool_choice: maybe(fc.constantFrom('auto', 'none', 'required')),
    stream: maybe(fc.boolean()),
    max_output_tokens: maybe(fc.integer({ min: -1, max: 100_000 })),
    reasoning: maybe(fc.record({ effort: fc.constantFrom('low', 'medium', 'high', 'minimal') })),
    store: maybe(fc.boolean()),
    previous_response_id: mostly(fc.constant(undefined), str),
  },
  { requiredKeys: ['model', 'input'] },
);

const BODIES: Record<DialectName, fc.Arbitrary<unknown>> = { anthropic: anthropicBody, 'openai-chat': chatBody, 'openai-responses': responsesBody };

/** Plausible bodies of one dialect, their near misses, and arbitrary JSON. */
export function dialectBody(name: DialectName): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: BODIES[name], weight: 14 }, { arbitrary: fc.jsonValue(), weight: 1 }, { arbitrary: fc.anything({ maxDepth: 3 }), weight: 1 });
}

export type DialectOutcome = 'parsed' | 'refused' | 'normalise-refused';

/** parseRequest → normalise → strict validator. Throws on any broken promise. */
export function checkDialect(name: DialectName, body: unknown): DialectOutcome {
  const dialect: Dialect = dialects[name];
  const ctx = { headers: {}, query: new URLSearchParams() };
  let req: NeutralRequest;
  try {
    req = dialect.parseRequest(body, ctx);
  } catch (err) {
    if (err instanceof ProxyError && err.kind === 'invalid_request' && err.status === 400 && err.message.length > 0) return 'refused';
    throw new Error(`${name}.parseRequest threw ${describe(err)} for ${preview(body)}`, { cause: err });
  }
  if (!req || !Array.isArray(req.messages) || typeof req.model !== 'string')
    throw new Error(`${name}.parseRequest returned a malformed request for ${preview(body)}`);
  // The error renderer must also cope with whatever a refusal carries.
  return checkNormalise(req) ? 'parsed' : 'normalise-refused';
}

// ---------------------------------------------------------------- neutral requests

const blockArb: fc.Arbitrary<NeutralBlock> = fc.oneof(
  str.map((text): NeutralBlock => ({ type: 'text', text })),
  fc.record({ id, name: toolName, input: anyJson }).map((b): NeutralBlock => ({ type: 'tool_use', ...b })),
  fc
    .record({ toolUseId: id, content: str, isError: fc.boolean(), image: fc.boolean() })
    .map(({ image, ...r }): NeutralBlock => ({ type: 'tool_result', ...r, ...(image ? { images: [{ mediaType: 'image/png', data: PNG }] } : {}) })),
  fc
    .record({ mediaType: fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/gif'), data: fc.constant(PNG) })
    .map((b): NeutralBlock => ({ type: 'image', ...b })),
  fc
    .record({ text: str, signature: fc.option(str, { nil: undefined }) })
    .map(({ text, signature }): NeutralBlock => ({ type: 'thinking', text, ...(signature !== undefined ? { signature } : {}) })),
);
const messageArb: fc.Arbitrary<NeutralMessage> = fc.record({
  role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'),
  content: fc.array(blockArb, { maxLength: 4 }),
});
const toolArb: fc.Arbitrary<NeutralTool> = fc.record({
  name: toolName,
  description: fc.oneof(str, fc.constant('d'.repeat(10_050))),
  inputSchema: fc.oneof(
    fc.constant<Record<string, unknown>>({ type: 'object', properties: {} }),
    fc.constant<Record<string, unknown>>({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: 'string', format: 'uri' } },
    }),
    fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3 }),
  ),
});

/** NeutralRequests of any shape a dialect could produce, and some it could not. */
export const neutralRequest: fc.Arbitrary<NeutralRequest> = fc
  .record({
    dialect: fc.constantFrom<DialectName>('anthropic', 'openai-chat', 'openai-responses'),
    system: str,
    messages: fc.array(messageArb, { maxLength: 10 }),
    tools: fc.array(toolArb, { maxLength: 4 }),
    toolChoice: fc.option(
      fc.oneof(
        fc.constant({ type: 'auto' as const }),
        fc.constant({ type: 'none' as const }),
        fc.constant({ type: 'any' as const }),
        toolName.map((name) => ({ type: 'tool' as const, name })),
      ),
      { nil: undefined },
    ),
    thinking: fc.option(
      fc.oneof(fc.constant({ type: 'enabled' as const, budgetTokens: 4000 }), fc.constant({ type: 'adaptive' as const, effort: 'high' as const })),
      { nil: undefined },
    ),
    maxTokens: fc.option(fc.integer({ min: 1, max: 64_000 }), { nil: undefined }),
    stream: fc.boolean(),
  })
  .map(({ toolChoice, thinking, maxTokens, ...r }) => ({
    ...r,
    model: 'claude-sonnet-4-5',
    ...(toolChoice ? { toolChoice } : {}),
    ...(thinking ? { thinking } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  }));

/** normalise → strict validator; true when the body is accepted, false for a clean refusal. Throws otherwise. */
export function checkNormalise(req: NeutralRequest): boolean {
  let body;
  try {
    body = normalise(req, {
      modelId: MODEL,
      conversationId: '11111111-2222-4333-8444-555555555555',
      agentContinuationId: 'c0ffee00-0000-4000-8000-000000000000',
    }).body;
  } catch (err) {
    if (err instanceof ProxyError && err.status >= 400 && err.status < 500) return false;
    throw new Error(`normalise threw ${describe(err)} for ${preview(req)}`, { cause: err });
  }
  const json = JSON.stringify({ ...body, profileArn: PROFILE_ARN });
  const res = validateGenerateRequest(JSON.parse(json), { knownModels: [MODEL], maxBodyBytes: 50_000_000, bodyBytes: Buffer.byteLength(json) });
  if (!res.ok) throw new Error(`the strict mock would reject the normalised body (${res.rule}: ${res.detail}) for ${preview(req)}`);
  return true;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 600 ? s.slice(0, 600) + '…' : s;
}

/** Runs per target: FUZZ_RUNS overrides (bench/fuzz.ts sets it high). */
export function fuzzRuns(fallback: number): number {
  const n = Number(process.env['FUZZ_RUNS']);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}
