import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORPUS } from '../../fixtures/conversations/corpus.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { clientToolName } from '../../../src/core/conversation/tool-names.ts';
import { assertKiroAccepts, MODEL } from './strict-check.ts';

test('the corpus has at least 40 cases', () => {
  assert.ok(CORPUS.length >= 40, `only ${CORPUS.length} cases`);
});

for (const c of CORPUS) {
  test(`corpus: ${c.name}`, () => {
    const { body, toolNames, rules } = normalise(c.request, { modelId: MODEL, conversationId: 'conv-1' });
    assertKiroAccepts(body, c.name);
    for (const r of c.expectRules ?? []) assert.ok(rules.includes(r), `${c.name}: rule ${r} did not fire (fired: ${rules.join(', ')})`);
    // Every name Kiro may call maps back to a name the client knows.
    const known = new Set([
      ...c.request.tools.map((t) => t.name),
      ...c.request.messages.flatMap((m) => m.content.flatMap((b) => (b.type === 'tool_use' ? [b.name] : []))),
    ]);
    for (const spec of body.conversationState.currentMessage.userInputMessage.userInputMessageContext?.tools ?? []) {
      assert.ok(known.has(clientToolName(toolNames, spec.toolSpecification.name)), `${c.name}: ${spec.toolSpecification.name} maps to no client name`);
    }
    // Normalising is idempotent in effect: same input, same body (apart from the continuation id).
    const again = normalise(c.request, { modelId: MODEL, conversationId: 'conv-1', agentContinuationId: body.conversationState.agentContinuationId! });
    assert.deepEqual(again.body, body);
  });
}
