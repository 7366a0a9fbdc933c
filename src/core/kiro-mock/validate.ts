// The mock's request validator: rejects every GenerateAssistantResponse body the real service is
// known to reject (kiro-protocol.md §4.4–4.6, §5.3–5.7, §8.1, §11.2), with Kiro's own status and
// body. Pure and synchronous so tests can call it without a server. Unknown extra keys are
// tolerated, as the real service does (KRS sends `isError`, CDL sends empty objects).
import { IMPROPERLY_FORMED, INPUT_TOO_LONG, INVALID_MODEL, PROFILE_ARN_REQUIRED, type KiroErrorBody } from './kiro-errors.ts';

/** Stable names of every rule, in the order they are checked. */
export const VALIDATION_RULES = [
  'content_length_exceeded',
  'body_not_object',
  'conversation_state_missing',
  'profile_arn_missing',
  'profile_arn_invalid',
  'chat_trigger_type_invalid',
  'current_message_invalid',
  'history_not_array',
  'history_entry_invalid',
  'history_first_not_user',
  'history_not_alternating',
  'history_last_not_assistant',
  'content_empty',
  'model_id_invalid',
  'image_invalid',
  'message_context_invalid',
  'tool_use_invalid',
  'tool_use_input_not_object',
  'tool_use_id_duplicate',
  'tool_result_invalid',
  'tool_result_id_duplicate',
  'tool_spec_invalid',
  'tool_name_invalid',
  'tool_name_duplicate',
  'tool_description_invalid',
  'tool_description_too_long',
  'tool_schema_invalid',
  'tool_results_without_tools',
  'tool_result_unmatched',
  'tool_use_unanswered',
  'tool_use_undeclared',
] as const;

export type ValidationRule = (typeof VALIDATION_RULES)[number];

export interface ValidateOptions {
  knownModels: readonly string[];
  maxBodyBytes: number;
  bodyBytes: number;
}

export type ValidationResult =
  | { ok: true }
  | {
      ok: false;
      status: number;
      body: KiroErrorBody;
      rule: ValidationRule;
      /** Smithy error shape, sent as `x-amzn-errortype`. */
      errorType: string;
      /** Where and why, for test failure messages; never sent to clients (Kiro does not explain). */
      detail: string;
    };

const MAX_TOOL_NAME = 64;
const MAX_TOOL_DESCRIPTION = 10_000;
const TOOL_NAME = /^[A-Za-z0-9_-]+$/;
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/**
 * Real profile ids are 12 upper-case alphanumerics (EHGA3GRVQMUK, AAAACCCCXXXX, VNECVYCYYAWN);
 * `…:000000000000:profile/default` is the bogus form peers saw rejected (§4.5).
 */
const PROFILE_ARN = /^arn:aws:codewhisperer:[a-z]{2}(-[a-z]+)+-\d:(\d{12}):profile\/[A-Z0-9]{12}$/;

function bodyFor(rule: ValidationRule): { status: number; body: KiroErrorBody } {
  switch (rule) {
    case 'content_length_exceeded':
      return { status: 400, body: { message: INPUT_TOO_LONG, reason: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' } };
    case 'profile_arn_missing':
      return { status: 400, body: { message: PROFILE_ARN_REQUIRED, reason: null } };
    case 'profile_arn_invalid':
      return { status: 400, body: { message: IMPROPERLY_FORMED, reason: 'REQUEST_BODY_INVALID' } };
    case 'model_id_invalid':
      return { status: 400, body: { message: INVALID_MODEL, reason: 'INVALID_MODEL_ID' } };
    default:
      return { status: 400, body: { message: IMPROPERLY_FORMED, reason: null } };
  }
}

/** Thrown internally to stop at the first broken rule; never escapes validateGenerateRequest. */
class RuleFailure {
  readonly rule: ValidationRule;
  readonly detail: string;
  constructor(rule: ValidationRule, detail: string) {
    this.rule = rule;
    this.detail = detail;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (rule: ValidationRule, detail: string): never => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a control-flow signal caught below, never seen outside; no stack needed
  throw new RuleFailure(rule, detail);
};

interface Turn {
  role: 'user' | 'assistant';
  msg: Obj;
  where: string;
}

export function validateGenerateRequest(body: unknown, opts: ValidateOptions): ValidationResult {
  try {
    check(body, opts);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof RuleFailure)) throw err;
    const { status, body: errBody } = bodyFor(err.rule);
    return { ok: false, status, body: errBody, rule: err.rule, errorType: 'ValidationException', detail: err.detail };
  }
}

function check(body: unknown, opts: ValidateOptions): void {
  if (opts.bodyBytes > opts.maxBodyBytes) {
    fail('content_length_exceeded', `body of ${opts.bodyBytes} bytes exceeds ${opts.maxBodyBytes}`);
  }
  if (!isObj(body)) return fail('body_not_object', 'body is not a JSON object');
  const cs = body['conversationState'];
  if (!isObj(cs)) return fail('conversation_state_missing', 'conversationState missing or not an object');
  checkProfileArn(body['profileArn']);
  if (cs['chatTriggerType'] !== 'MANUAL') {
    fail('chat_trigger_type_invalid', `chatTriggerType ${JSON.stringify(cs['chatTriggerType'])} (only MANUAL is accepted)`);
  }
  const turns = collectTurns(cs);
  for (const t of turns) checkMessage(t, opts);
  const current = turns[turns.length - 1]!;
  const declared = checkTools(current.msg);
  checkToolPairing(turns, declared);
}

function checkProfileArn(arn: unknown): void {
  if (arn === undefined || arn === null) fail('profile_arn_missing', 'profileArn is missing at the root');
  if (typeof arn !== 'string') return fail('profile_arn_invalid', 'profileArn is not a string');
  const m = PROFILE_ARN.exec(arn);
  if (!m || m[2] === '000000000000') fail('profile_arn_invalid', `profileArn ${JSON.stringify(arn)} is not a CodeWhisperer profile ARN`);
}

/** History + current message as one ordered list, after checking their shapes and order. */
function collectTurns(cs: Obj): Turn[] {
  const cm = cs['currentMessage'];
  if (!isObj(cm) || !isObj(cm['userInputMessage']) || 'assistantResponseMessage' in cm) {
    fail('current_message_invalid', 'currentMessage must be { userInputMessage }');
  }
  const turns: Turn[] = [];
  const history = cs['history'];
  if (history !== undefined) {
    if (!Array.isArray(history)) fail('history_not_array', 'history is not an array');
    (history as unknown[]).forEach((entry, i) => {
      const where = `history[${i}]`;
      if (!isObj(entry)) return fail('history_entry_invalid', `${where} is not an object`);
      const u = entry['userInputMessage'];
      const a = entry['assistantResponseMessage'];
      if (isObj(u) && a === undefined) turns.push({ role: 'user', msg: u, where });
      else if (isObj(a) && u === undefined) turns.push({ role: 'assistant', msg: a, where });
      else fail('history_entry_invalid', `${where} must hold exactly one of userInputMessage / assistantResponseMessage`);
    });
    if (turns.length > 0) {
      if (turns[0]!.role !== 'user') fail('history_first_not_user', 'history[0] is not a userInputMessage');
      for (let i = 1; i < turns.length; i++) {
        if (turns[i]!.role === turns[i - 1]!.role) {
          fail('history_not_alternating', `history[${i - 1}] and history[${i}] are both ${turns[i]!.role} messages`);
        }
      }
      if (turns[turns.length - 1]!.role !== 'assistant') {
        fail('history_last_not_assistant', 'history must end with an assistantResponseMessage');
      }
    }
  }
  turns.push({ role: 'user', msg: (cm as Obj)['userInputMessage'] as Obj, where: 'currentMessage' });
  return turns;
}

function checkMessage(t: Turn, opts: ValidateOptions): void {
  const content = t.msg['content'];
  if (typeof content !== 'string' || content.trim() === '') fail('content_empty', `${t.where}.content is empty or missing`);
  if (t.role === 'assistant') return checkToolUses(t);
  const modelId = t.msg['modelId'];
  if (modelId !== undefined && (typeof modelId !== 'string' || !opts.knownModels.includes(modelId))) {
    fail('model_id_invalid', `${t.where}.modelId ${JSON.stringify(modelId)} is not a known model`);
  }
  checkImages(t);
  const ctx = t.msg['userInputMessageContext'];
  if (ctx !== undefined && !isObj(ctx)) fail('message_context_invalid', `${t.where}.userInputMessageContext is not an object`);
  checkToolResults(t);
}

function checkImages(t: Turn): void {
  const images = t.msg['images'];
  if (images === undefined) return;
  if (!Array.isArray(images)) return fail('image_invalid', `${t.where}.images is not an array`);
  images.forEach((img: unknown, i) => {
    const where = `${t.where}.images[${i}]`;
    if (!isObj(img)) return fail('image_invalid', `${where} is not an object`);
    const format = img['format'];
    if (typeof format !== 'string' || !IMAGE_FORMATS.has(format)) {
      fail('image_invalid', `${where}.format ${JSON.stringify(format)} is not png/jpeg/gif/webp`);
    }
    const source = img['source'];
    const bytes = isObj(source) ? source['bytes'] : undefined;
    if (typeof bytes !== 'string' || bytes.length % 4 !== 0 || !BASE64.test(bytes)) {
      fail('image_invalid', `${where}.source.bytes is not valid base64`);
    }
  });
}

function toolResultsOf(msg: Obj): unknown[] | undefined {
  const ctx = msg['userInputMessageContext'];
  if (!isObj(ctx) || ctx['toolResults'] === undefined) return undefined;
  return ctx['toolResults'] as unknown[];
}

function checkToolResults(t: Turn): void {
  const results = toolResultsOf(t.msg);
  if (results === undefined) return;
  if (!Array.isArray(results)) return fail('tool_result_invalid', `${t.where} toolResults is not an array`);
  const seen = new Set<string>();
  results.forEach((r: unknown, i) => {
    const where = `${t.where}.toolResults[${i}]`;
    if (!isObj(r)) return fail('tool_result_invalid', `${where} is not an object`);
    const id = r['toolUseId'];
    if (typeof id !== 'string' || id === '') return fail('tool_result_invalid', `${where}.toolUseId missing`);
    const content = r['content'];
    const blocksOk = Array.isArray(content) && content.every((b: unknown) => isObj(b) && (typeof b['text'] === 'string' || 'json' in b));
    if (!blocksOk) fail('tool_result_invalid', `${where}.content must be an array of {text} / {json} blocks`);
    const status = r['status'];
    if (status !== undefined && status !== 'success' && status !== 'error') {
      fail('tool_result_invalid', `${where}.status ${JSON.stringify(status)} is not success/error`);
    }
    if (seen.has(id)) fail('tool_result_id_duplicate', `${where}.toolUseId ${id} appears twice`);
    seen.add(id);
  });
}

function toolUsesOf(msg: Obj): Obj[] {
  const uses = msg['toolUses'];
  return Array.isArray(uses) ? (uses as Obj[]) : [];
}

function checkToolUses(t: Turn): void {
  const uses = t.msg['toolUses'];
  if (uses === undefined) return;
  if (!Array.isArray(uses)) return fail('tool_use_invalid', `${t.where}.toolUses is not an array`);
  const seen = new Set<string>();
  uses.forEach((u: unknown, i) => {
    const where = `${t.where}.toolUses[${i}]`;
    if (!isObj(u)) return fail('tool_use_invalid', `${where} is not an object`);
    const id = u['toolUseId'];
    if (typeof id !== 'string' || id === '') return fail('tool_use_invalid', `${where}.toolUseId missing`);
    const name = u['name'];
    if (typeof name !== 'string' || name === '') fail('tool_use_invalid', `${where}.name missing`);
    if (!isObj(u['input'])) fail('tool_use_input_not_object', `${where}.input is not a JSON object`);
    if (seen.has(id)) fail('tool_use_id_duplicate', `${where}.toolUseId ${id} appears twice`);
    seen.add(id);
  });
}

/** Checks the current message's tool declarations; returns the declared names. */
function checkTools(current: Obj): Set<string> {
  const declared = new Set<string>();
  const ctx = current['userInputMessageContext'];
  if (!isObj(ctx) || ctx['tools'] === undefined) return declared;
  const tools = ctx['tools'];
  if (!Array.isArray(tools)) return fail('tool_spec_invalid', 'currentMessage tools is not an array');
  tools.forEach((tool: unknown, i) => {
    const where = `tools[${i}]`;
    if (isObj(tool) && isObj(tool['cachePoint']) && tool['toolSpecification'] === undefined) return;
    const spec = isObj(tool) ? tool['toolSpecification'] : undefined;
    if (!isObj(spec)) return fail('tool_spec_invalid', `${where} is neither {toolSpecification} nor {cachePoint}`);
    const name = spec['name'];
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TOOL_NAME || !TOOL_NAME.test(name)) {
      return fail('tool_name_invalid', `${where}.name ${JSON.stringify(name)} must be 1-${MAX_TOOL_NAME} chars of [A-Za-z0-9_-]`);
    }
    if (declared.has(name)) fail('tool_name_duplicate', `${where}.name ${name} is declared twice`);
    declared.add(name);
    const description = spec['description'];
    if (description !== undefined && (typeof description !== 'string' || description.trim() === '')) {
      fail('tool_description_invalid', `${where}.description is empty or not a string`);
    }
    if (typeof description === 'string' && description.length > MAX_TOOL_DESCRIPTION) {
      fail('tool_description_too_long', `${where}.description has ${description.length} chars (max ${MAX_TOOL_DESCRIPTION})`);
    }
    const schema = spec['inputSchema'];
    const json = isObj(schema) ? schema['json'] : undefined;
    if (!isObj(json) || json['type'] !== 'object') {
      fail('tool_schema_invalid', `${where}.inputSchema.json must be an object schema with root type "object"`);
    }
  });
  return declared;
}

/** Every result answers a use of the turn just before; every use is answered in the turn after. */
function checkToolPairing(turns: Turn[], declared: Set<string>): void {
  const anyResults = turns.some((t) => t.role === 'user' && (toolResultsOf(t.msg)?.length ?? 0) > 0);
  if (anyResults && declared.size === 0) {
    fail('tool_results_without_tools', 'toolResults are present but currentMessage declares no tools');
  }
  turns.forEach((t, k) => {
    if (t.role === 'assistant') {
      const next = turns[k + 1];
      const answered = new Set(((next && toolResultsOf(next.msg)) ?? []).map((r) => (r as Obj)['toolUseId']));
      for (const use of toolUsesOf(t.msg)) {
        const name = use['name'] as string;
        if (!declared.has(name)) fail('tool_use_undeclared', `${t.where} uses tool ${JSON.stringify(name)} not declared in tools`);
        if (!answered.has(use['toolUseId'])) {
          fail('tool_use_unanswered', `${t.where} toolUse ${String(use['toolUseId'])} has no toolResult in the next message`);
        }
      }
      return;
    }
    const results = toolResultsOf(t.msg) ?? [];
    if (results.length === 0) return;
    const prev = turns[k - 1];
    const uses = new Set(prev ? toolUsesOf(prev.msg).map((u) => u['toolUseId']) : []);
    for (const r of results) {
      const id = (r as Obj)['toolUseId'];
      if (!uses.has(id)) fail('tool_result_unmatched', `${t.where} toolResult ${String(id)} matches no toolUse in the previous assistant message`);
    }
  });
}
