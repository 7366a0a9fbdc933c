// The complete request of kiro-protocol.md §4.6 (KRS-style conversion of a multi-turn Anthropic
// request with a system prompt, a tool use + result and an image). A fresh deep copy per call so
// tests can mutate it.
const EXAMPLE_PROFILE_ARN = 'arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK';

// A 1x1 PNG, as in the spec example.
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export function exampleRequest(): any {
  return {
    conversationState: {
      agentContinuationId: '7d1c2f9e-3a51-4c1e-9a0b-5f3b2d8e6c11',
      agentTaskType: 'vibe',
      chatTriggerType: 'MANUAL',
      conversationId: '0b4445e1-f5be-49e1-87ce-62bbc28ad705',
      history: [
        {
          userInputMessage: {
            content: 'You are a concise weather assistant. Always use tools for live data.',
            modelId: 'claude-sonnet-4.5',
            origin: 'AI_EDITOR',
          },
        },
        { assistantResponseMessage: { content: 'I will follow these instructions.' } },
        {
          userInputMessage: {
            content: "What's the weather in Paris right now?",
            modelId: 'claude-sonnet-4.5',
            origin: 'AI_EDITOR',
          },
        },
        {
          assistantResponseMessage: {
            content: 'Let me check the current conditions.',
            toolUses: [{ toolUseId: 'tooluse_mQXanWWGxJijK8Ht2V8js1', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } }],
          },
        },
      ],
      currentMessage: {
        userInputMessage: {
          content: 'Here is also a photo of the sky from my window. Does it match?',
          modelId: 'claude-sonnet-4.5',
          origin: 'AI_EDITOR',
          images: [{ format: 'png', source: { bytes: PNG_1X1 } }],
          userInputMessageContext: {
            toolResults: [
              {
                toolUseId: 'tooluse_mQXanWWGxJijK8Ht2V8js1',
                content: [{ text: '{"temp":21,"sky":"overcast"}' }],
                status: 'success',
              },
            ],
            tools: [
              {
                toolSpecification: {
                  name: 'get_weather',
                  description: 'Get current weather for a city.',
                  inputSchema: {
                    json: {
                      type: 'object',
                      properties: {
                        city: { type: 'string' },
                        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
                      },
                      required: ['city'],
                    },
                  },
                },
              },
            ],
          },
        },
      },
    },
    profileArn: EXAMPLE_PROFILE_ARN,
  };
}

/** The smallest valid request: one user message. */
export function simpleRequest(content: string, modelId = 'claude-sonnet-4.5'): any {
  return {
    conversationState: {
      chatTriggerType: 'MANUAL',
      conversationId: '11111111-2222-4333-8444-555555555555',
      currentMessage: { userInputMessage: { content, modelId, origin: 'AI_EDITOR' } },
    },
    profileArn: EXAMPLE_PROFILE_ARN,
  };
}
