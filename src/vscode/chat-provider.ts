// Kiro's models in the editor's own chat model picker (Language Model Chat Provider API, 1.104+).
// Requests go through the local proxy's /v1/messages, so they use the same pool, normaliser,
// logs and quota as every other client.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle.ts';
import type { ProxyController } from './proxy-controller.ts';
import type { Logger } from '../core/proxy-types.ts';
import { readAnthropicStream } from './anthropic-stream.ts';

export const CHAT_VENDOR = 'kiro';

interface ModelsResponse {
  data?: { id?: unknown; display_name?: unknown; context_length?: unknown; max_output_tokens?: unknown }[];
}

type AnthropicContent =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: object }
  | { type: 'tool_result'; tool_use_id: string; content: string };

export class KiroChatProvider extends Disposable implements vscode.LanguageModelChatProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly controller: ProxyController;
  private readonly logger: Logger;

  constructor(controller: ProxyController, logger: Logger) {
    super();
    this.controller = controller;
    this.logger = logger;
    // Models appear when a proxy serves and go when none does.
    this._register(controller.onDidChangeState(() => this.changed.fire()));
  }

  async provideLanguageModelChatInformation(
    _options: vscode.PrepareLanguageModelChatModelOptions,
    token: vscode.CancellationToken,
  ): Promise<vscode.LanguageModelChatInformation[]> {
    const s = this.controller.state.kind;
    if (s !== 'running' && s !== 'other-window') return [];
    const abort = abortOn(token);
    try {
      const res = await fetch(`${this.controller.baseUrl()}/v1/models`, { headers: await this.headers(), signal: abort.signal });
      const body = (await res.json().catch(() => ({}))) as ModelsResponse;
      if (!res.ok) return [];
      return (body.data ?? [])
        .filter((m): m is { id: string } & typeof m => typeof m.id === 'string')
        .map((m) => ({
          id: m.id,
          name: typeof m.display_name === 'string' ? m.display_name : m.id,
          family: m.id.startsWith('claude') ? 'claude' : (m.id.split('-')[0] ?? 'kiro'),
          version: m.id,
          detail: 'Kiro Proxy',
          tooltip: `${m.id} via Kiro Proxy (${this.controller.baseUrl()})`,
          maxInputTokens: typeof m.context_length === 'number' ? m.context_length : 200_000,
          maxOutputTokens: typeof m.max_output_tokens === 'number' ? m.max_output_tokens : 32_000,
          capabilities: { toolCalling: true, imageInput: false },
        }));
    } catch (err) {
      this.logger.debug(`chat provider: cannot list models: ${(err as Error).message}`);
      return [];
    } finally {
      abort.dispose();
    }
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const body: Record<string, unknown> = {
      model: model.id,
      max_tokens: Math.min(model.maxOutputTokens, 32_000),
      stream: true,
      messages: toAnthropicMessages(messages),
    };
    if (options.tools?.length) {
      body['tools'] = options.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema ?? { type: 'object', properties: {} },
      }));
      if (options.toolMode === vscode.LanguageModelChatToolMode.Required) body['tool_choice'] = { type: 'any' };
    }
    const abort = abortOn(token);
    try {
      const res = await fetch(`${this.controller.baseUrl()}/v1/messages`, {
        method: 'POST',
        headers: { ...(await this.headers()), 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      if (!res.ok || !res.body) {
        const err = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        throw new Error(`Kiro Proxy: ${err?.error?.message ?? `HTTP ${res.status}`}`);
      }
      await readAnthropicStream(res.body, {
        text: (t) => progress.report(new vscode.LanguageModelTextPart(t)),
        toolCall: (id, name, input) => progress.report(new vscode.LanguageModelToolCallPart(id, name, input)),
      });
    } finally {
      abort.dispose();
    }
  }

  async provideTokenCount(_model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    // A cheap estimate (about 4 characters a token); the proxy's normaliser does the real accounting.
    const s = typeof text === 'string' ? text : JSON.stringify(toAnthropicMessages([text]));
    return Math.ceil(s.length / 4);
  }

  private async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.controller.apiKey()}` };
  }
}

function abortOn(token: vscode.CancellationToken): AbortController & { dispose(): void } {
  const ac = new AbortController();
  const sub = token.onCancellationRequested(() => ac.abort());
  if (token.isCancellationRequested) ac.abort();
  return Object.assign(ac, {
    dispose: () => {
      sub.dispose();
    },
  });
}

/** VS Code chat messages → Anthropic messages (consecutive same-role messages merged). */
function toAnthropicMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): { role: 'user' | 'assistant'; content: AnthropicContent[] }[] {
  const out: { role: 'user' | 'assistant'; content: AnthropicContent[] }[] = [];
  for (const m of messages) {
    const role = m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user';
    const content: AnthropicContent[] = [];
    for (const part of m.content) {
      if (part instanceof vscode.LanguageModelTextPart) {
        if (part.value) content.push({ type: 'text', text: part.value });
      } else if (part instanceof vscode.LanguageModelToolCallPart) {
        content.push({ type: 'tool_use', id: part.callId, name: part.name, input: part.input });
      } else if (part instanceof vscode.LanguageModelToolResultPart) {
        const text = part.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : JSON.stringify(c))).join('\n');
        content.push({ type: 'tool_result', tool_use_id: part.callId, content: text });
      }
    }
    if (content.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  }
  return out;
}
