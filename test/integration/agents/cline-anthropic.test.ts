// The real Cline CLI (`cline --json`) with its Anthropic provider (/v1/messages) against the proxy and the
// strict mock Kiro: the common journey of helpers/agents/journey.ts, with Cline's `editor` tool.
// Cline's Anthropic provider always declares the server tool web_search_20250305: it must be
// dropped (and named in x-kiro-proxy-ignored-tools), not refused.
// Cline resumes a session (--id) only in its interactive TUI and attaches no image from the
// command line: those steps run as fresh sessions / without an image and say so.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import { binaryUnavailable, PLATFORM, type Sandbox } from '../../helpers/agents/run.ts';
import { runCline, writeClineConfig } from '../../helpers/agents/cline.ts';
import { agentJourney } from '../../helpers/agents/journey.ts';

const API_KEY = 'test-key-for-cline';
const skip = binaryUnavailable('cline', { platformPackage: `@cline/cli-${PLATFORM}` });
if (skip) process.stderr.write(`\nSKIP Cline tests: ${skip}\n\n`);

let h: ProxyWithMock;
const sandboxes: Sandbox[] = [];
before(async () => {
  if (!skip) h = await startProxyWithMock({ config: { apiKey: API_KEY } });
});
after(async () => {
  await h?.close();
  for (const s of sandboxes) await rm(dirname(s.home), { recursive: true, force: true });
});

agentJourney(
  {
    name: 'Cline (Anthropic provider)',
    id: 'cline-anthropic',
    route: '/v1/messages',
    configure: async (s, baseUrl, apiKey) => {
      sandboxes.push(s);
      await writeClineConfig(s, baseUrl, apiKey, 'anthropic');
    },
    turn: async (s, _apiKey, prompt) => {
      const t = await runCline(s, prompt);
      return { run: t.run, text: t.text, session: undefined, failed: t.failed };
    },
    writeFileDirective: (path, content) => `[[mock:tool editor ${JSON.stringify({ path, new_text: content })}]]`,
    noResume: 'Cline resumes a session (--id) only in its interactive TUI',
    noImage: 'the Cline CLI has no way to attach an image to a prompt',
  },
  () => h,
  API_KEY,
  skip,
);

test('Cline (Anthropic provider): web_search_20250305 was dropped and named, never sent to Kiro', { skip }, () => {
  const mine = h.logs().filter((e) => e.route === '/v1/messages');
  assert.ok(mine.length > 0);
  for (const e of mine) assert.deepEqual(e.ignoredTools, ['web_search (web_search_20250305)']);
  for (const c of h.chats()) {
    const tools =
      (
        c.body as {
          conversationState: { currentMessage: { userInputMessage: { userInputMessageContext?: { tools?: { toolSpecification: { name: string } }[] } } } };
        }
      ).conversationState.currentMessage.userInputMessage.userInputMessageContext?.tools ?? [];
    assert.ok(!tools.some((t) => t.toolSpecification.name === 'web_search'));
  }
});
