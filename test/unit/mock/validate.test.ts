import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { VALIDATION_RULES, validateGenerateRequest, type ValidationRule } from '../../../src/core/kiro-mock/validate.ts';
import { DEFAULT_MOCK_MODELS } from '../../../src/core/kiro-mock/models.ts';
import { exampleRequest, simpleRequest } from './example-request.ts';

const knownModels = DEFAULT_MOCK_MODELS.map((m) => m.modelId);
const validate = (body: unknown, bodyBytes = JSON.stringify(body ?? null).length, maxBodyBytes = 615_000) =>
  validateGenerateRequest(body, { knownModels, maxBodyBytes, bodyBytes });

const IMPROPER = { message: 'Improperly formed request.', reason: null };
const EXPECTED_BODY: Partial<Record<ValidationRule, { message: string; reason: string | null }>> = {
  content_length_exceeded: { message: 'Input is too long.', reason: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' },
  profile_arn_missing: { message: 'profileArn is required for this request.', reason: null },
  profile_arn_invalid: { message: 'Improperly formed request.', reason: 'REQUEST_BODY_INVALID' },
  model_id_invalid: { message: 'Invalid model. Please select a different model to continue.', reason: 'INVALID_MODEL_ID' },
};

type Mutation = (b: any) => unknown;
const cs = (b: any) => b.conversationState;
const cur = (b: any) => b.conversationState.currentMessage.userInputMessage;
const ctx = (b: any) => cur(b).userInputMessageContext;
const spec = (b: any) => ctx(b).tools[0].toolSpecification;
const histAssistant = (b: any) => cs(b).history[3].assistantResponseMessage;

/** Each rule with one or more minimal breakages of the §4.6 example. */
const CASES: [ValidationRule, string, Mutation][] = [
  ['body_not_object', 'array body', () => []],
  ['body_not_object', 'string body', () => 'hello'],
  ['conversation_state_missing', 'no conversationState', (b) => (delete b.conversationState, b)],
  ['profile_arn_missing', 'no profileArn', (b) => (delete b.profileArn, b)],
  ['profile_arn_missing', 'null profileArn', (b) => ((b.profileArn = null), b)],
  ['profile_arn_invalid', 'default profile id', (b) => ((b.profileArn = 'arn:aws:codewhisperer:us-east-1:000000000000:profile/default'), b)],
  ['profile_arn_invalid', 'ellipsis ARN', (b) => ((b.profileArn = 'arn:...'), b)],
  ['profile_arn_invalid', 'short account id', (b) => ((b.profileArn = 'arn:aws:codewhisperer:us-east-1:69947594138:profile/EHGA3GRVQMUK'), b)],
  ['chat_trigger_type_invalid', 'AUTO', (b) => ((cs(b).chatTriggerType = 'AUTO'), b)],
  ['chat_trigger_type_invalid', 'missing', (b) => (delete cs(b).chatTriggerType, b)],
  ['current_message_invalid', 'assistant current', (b) => ((cs(b).currentMessage = { assistantResponseMessage: { content: 'x' } }), b)],
  ['current_message_invalid', 'missing current', (b) => (delete cs(b).currentMessage, b)],
  ['history_not_array', 'object history', (b) => ((cs(b).history = {}), b)],
  [
    'history_entry_invalid',
    'both roles in one entry',
    (b) => ((cs(b).history[1] = { userInputMessage: { content: 'a' }, assistantResponseMessage: { content: 'b' } }), b),
  ],
  ['history_entry_invalid', 'neither role', (b) => ((cs(b).history[1] = { foo: {} }), b)],
  ['history_first_not_user', 'starts with assistant', (b) => (cs(b).history.shift(), b)],
  ['history_not_alternating', 'two users in a row', (b) => (cs(b).history.splice(1, 1), b)],
  ['history_last_not_assistant', 'ends with user', (b) => ((cs(b).history = cs(b).history.slice(0, 3)), b)],
  ['content_empty', 'empty current content', (b) => ((cur(b).content = ''), b)],
  ['content_empty', 'whitespace current content', (b) => ((cur(b).content = ' \n\t'), b)],
  ['content_empty', 'empty history user content', (b) => ((cs(b).history[2].userInputMessage.content = ''), b)],
  ['content_empty', 'empty history assistant content', (b) => ((histAssistant(b).content = ''), b)],
  ['content_empty', 'missing assistant content', (b) => (delete cs(b).history[1].assistantResponseMessage.content, b)],
  ['model_id_invalid', 'unknown current model', (b) => ((cur(b).modelId = 'gpt-4o'), b)],
  ['model_id_invalid', 'unknown history model', (b) => ((cs(b).history[0].userInputMessage.modelId = 'claude-sonnet-4-5-20250929'), b)],
  ['image_invalid', 'bmp format', (b) => ((cur(b).images[0].format = 'bmp'), b)],
  ['image_invalid', 'image/png format', (b) => ((cur(b).images[0].format = 'image/png'), b)],
  ['image_invalid', 'data: URL bytes', (b) => ((cur(b).images[0].source.bytes = 'data:image/png;base64,AAAA'), b)],
  ['image_invalid', 'bad base64 length', (b) => ((cur(b).images[0].source.bytes = 'abc'), b)],
  ['message_context_invalid', 'context is a string', (b) => ((cs(b).history[0].userInputMessage.userInputMessageContext = 'x'), b)],
  ['tool_use_invalid', 'toolUses not an array', (b) => ((histAssistant(b).toolUses = {}), b)],
  ['tool_use_input_not_object', 'string input', (b) => ((histAssistant(b).toolUses[0].input = '{"city":"Paris"}'), b)],
  ['tool_use_input_not_object', 'array input', (b) => ((histAssistant(b).toolUses[0].input = []), b)],
  [
    'tool_use_id_duplicate',
    'same id twice',
    (b) => {
      histAssistant(b).toolUses.push({ ...histAssistant(b).toolUses[0] });
      return b;
    },
  ],
  ['tool_result_invalid', 'content is a string', (b) => ((ctx(b).toolResults[0].content = 'text'), b)],
  ['tool_result_invalid', 'bad status', (b) => ((ctx(b).toolResults[0].status = 'failed'), b)],
  ['tool_result_id_duplicate', 'same result twice', (b) => (ctx(b).toolResults.push({ ...ctx(b).toolResults[0] }), b)],
  ['tool_spec_invalid', 'tool without toolSpecification', (b) => (ctx(b).tools.push({ name: 'x' }), b)],
  ['tool_name_invalid', 'name of 65 chars', (b) => ((spec(b).name = 'a'.repeat(65)), b)],
  ['tool_name_invalid', 'empty name', (b) => ((spec(b).name = ''), b)],
  ['tool_name_invalid', 'dotted name', (b) => ((spec(b).name = 'mcp.server.tool'), b)],
  ['tool_name_duplicate', 'declared twice', (b) => (ctx(b).tools.push(structuredClone(ctx(b).tools[0])), b)],
  ['tool_description_invalid', 'empty description', (b) => ((spec(b).description = ''), b)],
  ['tool_description_too_long', '10001 chars', (b) => ((spec(b).description = 'd'.repeat(10_001)), b)],
  ['tool_schema_invalid', 'root type string', (b) => ((spec(b).inputSchema.json = { type: 'string' }), b)],
  ['tool_schema_invalid', 'schema missing', (b) => (delete spec(b).inputSchema, b)],
  ['tool_schema_invalid', 'schema without type', (b) => ((spec(b).inputSchema.json = { properties: {} }), b)],
  ['tool_results_without_tools', 'tools removed', (b) => (delete ctx(b).tools, b)],
  ['tool_results_without_tools', 'empty tools', (b) => ((ctx(b).tools = []), b)],
  [
    'tool_result_unmatched',
    'extra result with an unknown toolUseId',
    (b) => {
      ctx(b).toolResults.push({ toolUseId: 'tooluse_other', content: [{ text: 'x' }] });
      return b;
    },
  ],
  [
    'tool_result_unmatched',
    'result in a conversation without any tool use',
    (b) => {
      const s = simpleRequest('hi');
      s.conversationState.currentMessage.userInputMessage.userInputMessageContext = {
        tools: ctx(b).tools,
        toolResults: [{ toolUseId: 'tooluse_x', content: [{ text: 'x' }] }],
      };
      return s;
    },
  ],
  [
    'tool_result_unmatched',
    'result answering an older turn',
    (b) => {
      // history[1] gets the tool use and history[2] answers it; the current message re-answers it.
      const h = cs(b).history;
      h[1].assistantResponseMessage.toolUses = [{ toolUseId: 'tooluse_old', name: 'get_weather', input: {} }];
      h[2].userInputMessage.userInputMessageContext = { toolResults: [{ toolUseId: 'tooluse_old', content: [{ text: 'ok' }] }] };
      ctx(b).toolResults.push({ toolUseId: 'tooluse_old', content: [{ text: 'again' }] });
      return b;
    },
  ],
  ['tool_use_unanswered', 'result missing', (b) => ((ctx(b).toolResults = []), b)],
  [
    'tool_use_unanswered',
    'second use unanswered',
    (b) => {
      histAssistant(b).toolUses.push({ toolUseId: 'tooluse_second', name: 'get_weather', input: { city: 'Rome' } });
      return b;
    },
  ],
  [
    'tool_use_undeclared',
    'history uses an undeclared tool',
    (b) => {
      histAssistant(b).toolUses[0].name = 'get_forecast';
      return b;
    },
  ],
  ['tool_use_undeclared', 'case differs', (b) => ((histAssistant(b).toolUses[0].name = 'Get_Weather'), b)],
];

describe('validateGenerateRequest', () => {
  test('accepts the complete §4.6 example', () => {
    assert.deepEqual(validate(exampleRequest()), { ok: true });
  });

  test('accepts a single-message request, history omitted or empty, and extra unknown keys', () => {
    assert.deepEqual(validate(simpleRequest('hi')), { ok: true });
    const b = simpleRequest('hi');
    b.conversationState.history = [];
    b.conversationState.currentMessage.userInputMessage.images = [];
    b.conversationState.currentMessage.userInputMessage.userInputMessageContext = {};
    b.conversationState.someFutureField = { x: 1 };
    b.extra = true;
    assert.deepEqual(validate(b), { ok: true });
  });

  test('accepts tolerated variants: isError on results, json result blocks, cachePoint tools, no modelId', () => {
    const b = exampleRequest();
    ctx(b).toolResults[0].isError = true;
    ctx(b).toolResults[0].content.push({ json: { temp: 21 } });
    ctx(b).tools.push({ cachePoint: { type: 'default' } });
    delete cur(b).modelId;
    assert.deepEqual(validate(b), { ok: true });
  });

  test('accepts an enterprise / Builder ID fallback ARN', () => {
    for (const arn of [
      'arn:aws:codewhisperer:us-east-1:638616132270:profile/AAAACCCCXXXX',
      'arn:aws:codewhisperer:eu-central-1:610548660232:profile/VNECVYCYYAWN',
    ]) {
      const b = exampleRequest();
      b.profileArn = arn;
      assert.deepEqual(validate(b), { ok: true });
    }
  });

  test('body size over the threshold is CONTENT_LENGTH_EXCEEDS_THRESHOLD, even when valid', () => {
    const r = validate(exampleRequest(), 700_000, 615_000);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.status, 400);
    assert.equal(r.rule, 'content_length_exceeded');
    assert.equal(r.errorType, 'ValidationException');
    assert.deepEqual(r.body, EXPECTED_BODY.content_length_exceeded);
    assert.deepEqual(validate(exampleRequest(), 615_000, 615_000), { ok: true });
  });

  for (const [rule, label, mutate] of CASES) {
    test(`${rule}: ${label}`, () => {
      const r = validate(mutate(exampleRequest()));
      assert.equal(r.ok, false, `expected rejection by ${rule}`);
      if (r.ok) return;
      assert.equal(r.rule, rule, r.detail);
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, EXPECTED_BODY[rule] ?? IMPROPER);
      assert.ok(r.detail.length > 0);
    });
  }

  test('every exported rule is exercised by a case', () => {
    const covered = new Set<string>([...CASES.map(([r]) => r), 'content_length_exceeded']);
    assert.deepEqual(
      VALIDATION_RULES.filter((r) => !covered.has(r)),
      [],
    );
  });

  test('is pure: the same input gives the same verdict and the body is not modified', () => {
    const b = exampleRequest();
    const before = JSON.stringify(b);
    assert.deepEqual(validate(b), validate(b));
    assert.equal(JSON.stringify(b), before);
  });
});
