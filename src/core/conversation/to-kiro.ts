// Draft → KiroRequestBody. Runs after every rule, so it only maps shapes: the last turn is the
// current message (always a user turn by then), tools ride on it, empties are omitted.
import type { KiroChatMessage, KiroConversationState, KiroRequestBody, KiroToolResult, KiroToolSpecification, KiroUserInputMessage } from '../kiro/wire.ts';
import type { Draft, DraftTool, DraftTurn } from './draft.ts';

const ORIGIN = 'AI_EDITOR';

export interface ToKiroOptions {
  modelId: string;
  conversationId: string;
  agentContinuationId: string;
  additionalModelRequestFields?: Record<string, unknown> | undefined;
}

function toolSpec(t: DraftTool): KiroToolSpecification {
  return { toolSpecification: { name: t.name, description: t.description, inputSchema: { json: t.schema } } };
}

function userMessage(t: DraftTurn, modelId: string, tools: DraftTool[]): KiroUserInputMessage {
  const msg: KiroUserInputMessage = { content: t.text, modelId, origin: ORIGIN };
  if (t.images.length > 0) msg.images = t.images.map((img) => ({ format: img.format, source: { bytes: img.bytes } }));
  const toolResults: KiroToolResult[] = t.toolResults.map((r) => ({
    toolUseId: r.toolUseId,
    content: [{ text: r.text }],
    status: r.isError ? 'error' : 'success',
  }));
  if (toolResults.length > 0 || tools.length > 0) {
    msg.userInputMessageContext = {
      ...(toolResults.length > 0 ? { toolResults } : {}),
      ...(tools.length > 0 ? { tools: tools.map(toolSpec) } : {}),
    };
  }
  return msg;
}

function historyMessage(t: DraftTurn, modelId: string): KiroChatMessage {
  if (t.role === 'user') return { userInputMessage: userMessage(t, modelId, []) };
  return {
    assistantResponseMessage: {
      content: t.text,
      ...(t.toolUses.length > 0 ? { toolUses: t.toolUses.map((u) => ({ toolUseId: u.id, name: u.name, input: u.input as Record<string, unknown> })) } : {}),
    },
  };
}

export function toKiro(d: Draft, opts: ToKiroOptions): KiroRequestBody {
  const current = d.turns[d.turns.length - 1];
  if (!current || current.role !== 'user') throw new Error('normaliser invariant: the last turn must be a user turn');
  const history = d.turns.slice(0, -1).map((t) => historyMessage(t, opts.modelId));
  const conversationState: KiroConversationState = {
    conversationId: opts.conversationId,
    ...(history.length > 0 ? { history } : {}),
    currentMessage: { userInputMessage: userMessage(current, opts.modelId, d.tools) },
    chatTriggerType: 'MANUAL',
    agentContinuationId: opts.agentContinuationId,
    agentTaskType: 'vibe',
  };
  return {
    conversationState,
    ...(opts.additionalModelRequestFields ? { additionalModelRequestFields: opts.additionalModelRequestFields } : {}),
  };
}
