// Validates a normalised body twice: with the strict mock's own validator (what the mock upstream
// enforces, mirroring real Kiro) and with the extra invariants the normaliser promises.
import assert from 'node:assert/strict';
import type { KiroRequestBody } from '../../../src/core/kiro/wire.ts';
import { validateGenerateRequest } from '../../../src/core/kiro-mock/validate.ts';

const PROFILE_ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';
export const MODEL = 'claude-sonnet-4.5';

export function assertKiroAccepts(body: KiroRequestBody, label = ''): void {
  const withArn = { ...body, profileArn: PROFILE_ARN };
  const json = JSON.stringify(withArn);
  const res = validateGenerateRequest(JSON.parse(json), { knownModels: [MODEL], maxBodyBytes: 50_000_000, bodyBytes: Buffer.byteLength(json) });
  assert.ok(res.ok, `${label}: mock validator rejected: ${res.ok ? '' : `${res.rule}: ${res.detail}`}`);
  assertInvariants(body, label);
}

/** What the normaliser guarantees beyond the mock validator. */
function assertInvariants(body: KiroRequestBody, label = ''): void {
  const cs = body.conversationState;
  assert.equal(cs.chatTriggerType, 'MANUAL', label);
  assert.equal(cs.agentTaskType, 'vibe', label);
  assert.ok(cs.agentContinuationId, `${label}: agentContinuationId`);
  assert.ok(cs.history === undefined || cs.history.length > 0, `${label}: empty history must be omitted`);
  const turns = [...(cs.history ?? []), cs.currentMessage];
  const ids = new Set<string>();
  for (const [i, t] of turns.entries()) {
    if ('userInputMessage' in t) {
      const u = t.userInputMessage;
      assert.ok(u.content.trim() !== '', `${label}: user ${i} empty`);
      assert.equal(u.origin, 'AI_EDITOR', `${label}: origin on user ${i}`);
      assert.equal(u.modelId, MODEL, `${label}: modelId on user ${i}`);
      for (const r of u.userInputMessageContext?.toolResults ?? []) {
        for (const c of r.content) if ('text' in c) assert.ok(c.text.trim() !== '', `${label}: empty tool result ${r.toolUseId}`);
      }
      if (t !== cs.currentMessage) assert.equal(u.userInputMessageContext?.tools, undefined, `${label}: tools only on currentMessage`);
    } else {
      const a = t.assistantResponseMessage;
      assert.ok(a.content.trim() !== '', `${label}: assistant ${i} empty`);
      for (const u of a.toolUses ?? []) {
        assert.ok(!ids.has(u.toolUseId), `${label}: toolUseId ${u.toolUseId} repeated across the conversation`);
        ids.add(u.toolUseId);
      }
    }
  }
  for (const spec of cs.currentMessage.userInputMessage.userInputMessageContext?.tools ?? []) {
    const s = spec.toolSpecification;
    assert.match(s.name, /^[A-Za-z0-9_-]{1,64}$/, `${label}: tool name`);
    assert.ok(s.description.trim() !== '' && s.description.length <= 10_000, `${label}: description of ${s.name}`);
    assert.equal(s.inputSchema.json['type'], 'object', `${label}: schema root of ${s.name}`);
    assert.ok(!JSON.stringify(s.inputSchema.json).includes('"$schema"'), `${label}: $schema left in ${s.name}`);
  }
}
