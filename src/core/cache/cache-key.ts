// The response-cache key: sha256 of the canonical JSON of the normalised Kiro request, minus
// everything that changes between otherwise identical requests (conversation and continuation
// ids, assistant message ids, the per-account profileArn).
import { createHash } from 'node:crypto';
import type { KiroChatMessage, KiroRequestBody } from '../kiro/wire.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * `extra` holds whatever else shapes the answer the client sees but is not in the Kiro body:
 * proxy-enforced maxTokens / stopSequences, and the tool-name mapping back to client names.
 */
export function responseCacheKey(body: KiroRequestBody, extra?: Record<string, unknown>): string {
  const { conversationId: _c, agentContinuationId: _a, history, currentMessage, ...rest } = body.conversationState;
  const stable = {
    v: 1,
    conversationState: { ...rest, history: history?.map(stripMessageId), currentMessage },
    additionalModelRequestFields: body.additionalModelRequestFields,
    extra,
  };
  return createHash('sha256').update(canonicalJson(stable)).digest('hex');
}

function stripMessageId(m: KiroChatMessage): KiroChatMessage {
  if (!('assistantResponseMessage' in m)) return m;
  const { messageId: _id, ...msg } = m.assistantResponseMessage;
  return { assistantResponseMessage: msg };
}
