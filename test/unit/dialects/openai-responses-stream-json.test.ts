// The Responses stream writes its JSON from templates (render-stream.ts): item fields serialised
// once per item, short plain deltas quoted by hand (json-plain.ts), sequence numbers from
// sequence.ts, a finished item's text quoted once and spliced into every event that repeats it,
// the Response's settings serialised once per response. These tests pin those pieces to
// JSON.stringify of the objects they stand for, and check the stream as a whole for any sequence
// of events: canonical JSON on every line, consecutive sequence numbers, done events and the final
// Response repeating exactly what the deltas streamed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openAIResponsesDialect } from '../../../src/core/dialects/index.ts';
import {
  envelopeJsonWriter,
  functionCallItem,
  messageItem,
  messageItemJson,
  outputText,
  outputTextJson,
  reasoningItem,
  reasoningItemJson,
  responseEnvelope,
  responsesUsage,
  summaryTextJson,
  type EnvelopeFields,
  type OutputItem,
} from '../../../src/core/dialects/openai-responses/response-object.ts';
import { createSequence } from '../../../src/core/dialects/openai-responses/sequence.ts';
import { isJsonPlain } from '../../../src/core/dialects/openai-responses/json-plain.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import type { NeutralEvent, NeutralRequest } from '../../../src/core/conversation/types.ts';
import type { ResponseMeta } from '../../../src/core/dialects/types.ts';

const TRICKY = [
  '',
  'plain',
  'quote " and \\ backslash',
  'line\nbreak\ttab',
  '</script><!--',
  'ünïcödé 漢字 🎉',
  '\u0000\u2028\u2029',
  '\ud800 lone',
  '{}[]',
  '"output":[]',
  'a plain delta longer than the hand-quoted limit',
  'a "longer" delta\nthat needs escaping 😀',
];
const META: ResponseMeta = { requestId: 'req "1" {}', model: 'model {} "q"', created: 1_700_000_000, estimatedInputTokens: 5 };

const bare = { model: 'm', system: '', messages: [], tools: [], stream: true } as unknown as NeutralRequest;
const full = {
  ...bare,
  tools: [
    { name: 'Read', description: 'Read "a" file', inputSchema: { type: 'object', properties: { output: { type: 'array' }, '"x"': { type: 'string' } } } },
    { name: 'Write', description: undefined, inputSchema: {} },
  ],
  toolChoice: { type: 'tool', name: 'Read' },
  extras: {
    instructions: 'be "nice"\n',
    maxOutputTokens: 100,
    parallelToolCalls: false,
    reasoningEffort: 'high',
    reasoningSummary: 'auto',
    store: true,
    metadata: { a: 'b', '"output":[]': 'x' },
  },
} as unknown as NeutralRequest;
const REQUESTS: NeutralRequest[] = [bare, full, { ...bare, toolChoice: { type: 'none' } }, { ...bare, toolChoice: { type: 'any' } }];

test('item JSON helpers: the bytes of JSON.stringify of the item objects', () => {
  for (const text of TRICKY) {
    const q = JSON.stringify(text);
    assert.equal(outputTextJson(q), JSON.stringify(outputText(text)));
    assert.equal(summaryTextJson(q), JSON.stringify({ type: 'summary_text', text }));
    assert.equal(messageItemJson('msg_"1"', q, 'completed'), JSON.stringify(messageItem('msg_"1"', text, 'completed')));
    assert.equal(messageItemJson('msg_1', q, 'incomplete'), JSON.stringify(messageItem('msg_1', text, 'incomplete')));
    assert.equal(reasoningItemJson('rs_1', q), JSON.stringify(reasoningItem('rs_1', text)));
  }
});

test('envelopeJsonWriter: the bytes of JSON.stringify(responseEnvelope(...))', () => {
  const items: OutputItem[] = [
    messageItem('msg_1', 'hi "there"', 'completed'),
    reasoningItem('rs_2', undefined),
    functionCallItem('fc_3', 'call_1', 'Read', '{"a":1}', 'completed'),
  ];
  const states: Omit<EnvelopeFields, 'output'>[] = [
    { status: 'in_progress', usage: null },
    { status: 'completed', incomplete_details: null, usage: responsesUsage({ inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 2, credits: 0.5 }) },
    { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: responsesUsage({ inputTokens: 3, outputTokens: 4 }) },
    { status: 'failed', usage: null, error: { code: 'server_error', message: 'broke "badly"' } },
  ];
  for (const req of REQUESTS) {
    const write = envelopeJsonWriter(req, META);
    for (const f of states) {
      for (const output of [[], items.slice(0, 1), items]) {
        assert.equal(
          write(
            f,
            output.map((i) => JSON.stringify(i)),
          ),
          JSON.stringify(responseEnvelope(req, META, { ...f, output })),
        );
      }
    }
  }
});

interface Parsed {
  event: string;
  data: Record<string, unknown>;
}

/** Every event of a stream; asserts each `data:` line is canonical JSON and names its event. */
function parseStream(sse: string): Parsed[] {
  const out: Parsed[] = [];
  for (const block of sse.split('\n\n')) {
    if (!block || block.startsWith(':')) continue;
    const m = /^event: ([^\n]+)\ndata: ([^\n]+)$/.exec(block);
    assert.ok(m, `malformed event: ${JSON.stringify(block)}`);
    const data = JSON.parse(m[2]!) as Record<string, unknown>;
    assert.equal(JSON.stringify(data), m[2], 'canonical JSON');
    assert.equal(data['type'], m[1]);
    out.push({ event: m[1]!, data });
  }
  return out;
}

/** What the deltas streamed per item id, and the final form of each item from output_item.done. */
function checkConsistent(events: Parsed[]): void {
  events.forEach((e, i) => assert.equal(e.data['sequence_number'], i, 'consecutive sequence numbers'));
  const streamed = new Map<string, string>();
  const done = new Map<number, unknown>();
  const added = new Map<number, unknown>();
  for (const { event, data } of events) {
    const id = data['item_id'] as string;
    if (event.endsWith('.delta')) streamed.set(id, (streamed.get(id) ?? '') + (data['delta'] as string));
    if (event === 'response.output_text.done' || event === 'response.reasoning_summary_text.done') {
      assert.equal(data['text'], streamed.get(id) ?? '');
    }
    if (event === 'response.content_part.done' || event === 'response.reasoning_summary_part.done') {
      assert.equal((data['part'] as { text: string }).text, streamed.get(id) ?? '');
    }
    if (event === 'response.function_call_arguments.done') assert.equal(data['arguments'], streamed.get(id) ?? '');
    if (event === 'response.output_item.added') added.set(data['output_index'] as number, data['item']);
    if (event === 'response.output_item.done') {
      const item = data['item'] as OutputItem;
      done.set(data['output_index'] as number, item);
      const text =
        item.type === 'message'
          ? (item['content'] as { text: string }[])[0]!.text
          : item.type === 'reasoning'
            ? (item['summary'] as { text: string }[])[0]!.text
            : item['arguments'];
      assert.equal(text, streamed.get(item.id) ?? '');
    }
  }
  const last = events.at(-1)!;
  const response = (last.event === 'error' ? events.at(-2)! : last).data['response'] as { output: unknown[] };
  // The final Response carries every item: finished ones as done, an unfinished one (failure) as added.
  assert.deepEqual(
    response.output,
    [...added.keys()].map((i) => done.get(i) ?? added.get(i)),
  );
}

const delta = fc.constantFrom(...TRICKY.filter(Boolean));
const neutralEvent: fc.Arbitrary<NeutralEvent | 'tool'> = fc.oneof(
  delta.map((text): NeutralEvent => ({ type: 'text_delta', text })),
  delta.map((text): NeutralEvent => ({ type: 'thinking_delta', text })),
  fc.constant<NeutralEvent>({ type: 'thinking_signature', signature: 's' }),
  fc.constant<'tool'>('tool'),
);

/** Tool calls as the assembler emits them: start, argument deltas (maybe none), end. */
function expand(seq: (NeutralEvent | 'tool')[], argDeltas: string[][]): NeutralEvent[] {
  const out: NeutralEvent[] = [];
  let tool = 0;
  for (const e of seq) {
    if (e !== 'tool') {
      out.push(e);
      continue;
    }
    const index = tool++;
    out.push({ type: 'tool_call_start', index, id: `toolu_${index}`, name: 'Read' });
    for (const json of argDeltas[index % argDeltas.length] ?? []) out.push({ type: 'tool_call_delta', index, json });
    out.push({ type: 'tool_call_end', index, input: { path: 'a"b' } });
  }
  return out;
}

test('any event sequence: canonical lines, consecutive sequence numbers, done events and the Response repeat the deltas (property)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...REQUESTS),
      fc.array(neutralEvent, { maxLength: 14 }),
      fc.array(fc.array(fc.constantFrom('{"p":', '"x\\"y"', '}', 'ü'), { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'context_window_exceeded', 'error'),
      (req, seq, args, ending) => {
        const enc = openAIResponsesDialect.createStreamEncoder(req, META);
        let sse = enc.start();
        for (const ev of expand(seq, args)) sse += enc.event(ev);
        sse +=
          ending === 'error'
            ? enc.error(new ProxyError('rate_limit', 'slow "down"'))
            : enc.event({ type: 'end', stopReason: ending, usage: { inputTokens: 1, outputTokens: 2 } });
        sse += enc.event({ type: 'text_delta', text: 'after the end' });
        const events = parseStream(sse);
        checkConsistent(events);
        const final = events.at(-1)!.event;
        if (ending === 'error')
          assert.deepEqual(
            events.slice(-2).map((e) => e.event),
            ['response.failed', 'error'],
          );
        else assert.equal(final, ending === 'max_tokens' || ending === 'context_window_exceeded' ? 'response.incomplete' : 'response.completed');
      },
    ),
    { numRuns: 300 },
  );
});

test('response.created and response.in_progress carry the same Response', () => {
  const events = parseStream(openAIResponsesDialect.createStreamEncoder(full, META).start());
  assert.deepEqual(
    events.map((e) => e.event),
    ['response.created', 'response.in_progress'],
  );
  assert.deepEqual(events[0]!.data['response'], events[1]!.data['response']);
  assert.deepEqual(events[0]!.data['response'], JSON.parse(JSON.stringify(responseEnvelope(full, META, { status: 'in_progress', output: [], usage: null }))));
});

test('a long stream: sequence numbers stay consecutive past the thousands, plain and escaped deltas mix', () => {
  const enc = openAIResponsesDialect.createStreamEncoder(bare, META);
  let sse = enc.start();
  for (let i = 0; i < 2_600; i++) sse += enc.event({ type: 'text_delta', text: TRICKY[1 + (i % (TRICKY.length - 1))]! });
  sse += enc.event({ type: 'end', stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2 } });
  const events = parseStream(sse);
  assert.ok(events.length > 2_600);
  checkConsistent(events);
});

test('createSequence: the decimal text of 0, 1, 2, … (across every thousands boundary)', () => {
  const next = createSequence();
  for (let i = 0; i < 1_200_000; i++) {
    const s = next();
    if (s !== String(i)) assert.fail(`${i}: ${s}`);
  }
});

test('isJsonPlain: true only when JSON.stringify adds nothing but the quotes (property)', () => {
  const check = (t: string) => {
    const plain = JSON.stringify(t) === `"${t}"`;
    if (isJsonPlain(t)) assert.ok(plain, JSON.stringify(t));
    // The check refuses every surrogate, paired or not; otherwise it must agree.
    else if (!/[\ud800-\udfff]/.test(t)) assert.ok(!plain, JSON.stringify(t));
  };
  for (const t of [...TRICKY, '\u001f', '\u0020', '\u007f', '\u2028', '😀', '\udfff', 'a\\', '"']) check(t);
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), check), { numRuns: 3_000 });
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 40 }), check), { numRuns: 3_000 });
});
