// Wire shapes of GenerateAssistantResponse (kiro-protocol.md §4.4; names from AWS's own
// generated client). Only what we send; the mock validates against the same shapes.

interface KiroImage {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  source: { bytes: string };
}

export interface KiroToolSpecification {
  toolSpecification: {
    name: string;
    description: string;
    inputSchema: { json: Record<string, unknown> };
  };
}

export interface KiroToolResult {
  toolUseId: string;
  content: ({ text: string } | { json: unknown })[];
  status?: 'success' | 'error';
}

export interface KiroUserInputMessage {
  content: string;
  modelId?: string;
  origin?: string;
  images?: KiroImage[];
  userInputMessageContext?: {
    toolResults?: KiroToolResult[];
    tools?: KiroToolSpecification[];
    envState?: Record<string, unknown>;
  };
}

interface KiroToolUse {
  toolUseId: string;
  name: string;
  input: Record<string, unknown>;
}

interface KiroAssistantResponseMessage {
  content: string;
  messageId?: string;
  toolUses?: KiroToolUse[];
}

export type KiroChatMessage = { userInputMessage: KiroUserInputMessage } | { assistantResponseMessage: KiroAssistantResponseMessage };

export interface KiroConversationState {
  conversationId: string;
  history?: KiroChatMessage[];
  currentMessage: { userInputMessage: KiroUserInputMessage };
  chatTriggerType: 'MANUAL';
  agentContinuationId?: string;
  agentTaskType?: 'vibe';
}

/** The body of generateAssistantResponse. `profileArn` is added per account at send time. */
export interface KiroRequestBody {
  conversationState: KiroConversationState;
  profileArn?: string;
  additionalModelRequestFields?: Record<string, unknown>;
}
