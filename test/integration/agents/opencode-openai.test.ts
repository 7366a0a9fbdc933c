// The real opencode CLI (`opencode run`) with its OpenAI-compatible provider (/v1/chat/completions) against the proxy and the
// strict mock Kiro: the common journey of helpers/agents/journey.ts, with opencode's `write` tool.
// One file per provider, so the two run side by side.
import { before, after } from 'node:test';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import { binaryUnavailable, PLATFORM, type Sandbox } from '../../helpers/agents/run.ts';
import { runOpencode, writeOpencodeConfig, type OpencodeProvider } from '../../helpers/agents/opencode.ts';
import { agentJourney } from '../../helpers/agents/journey.ts';

const API_KEY = 'test-key-for-opencode';
const skip = binaryUnavailable('opencode', { platformPackage: `opencode-${PLATFORM}`, linked: 'opencode-ai/bin/opencode.exe' });
if (skip) process.stderr.write(`\nSKIP opencode tests: ${skip}\n\n`);

let h: ProxyWithMock;
const sandboxes: Sandbox[] = [];
before(async () => {
  if (!skip) h = await startProxyWithMock({ config: { apiKey: API_KEY } });
});
after(async () => {
  await h?.close();
  for (const s of sandboxes) await rm(dirname(s.home), { recursive: true, force: true });
});

const c: { provider: OpencodeProvider; label: string; route: '/v1/chat/completions' | '/v1/messages' } = {
  provider: 'openai',
  label: 'OpenAI-compatible provider',
  route: '/v1/chat/completions',
};
{
  agentJourney(
    {
      name: `opencode (${c.label})`,
      id: `opencode-${c.provider}`,
      route: c.route,
      configure: async (s, baseUrl) => {
        sandboxes.push(s);
        await writeOpencodeConfig(s, baseUrl, c.provider);
      },
      turn: async (s, apiKey, prompt, o) => {
        const t = await runOpencode(s, apiKey, prompt, { ...(o.session ? { session: o.session } : {}), ...(o.image ? { image: o.image } : {}) });
        return { run: t.run, text: t.text, session: t.session, failed: t.failed };
      },
      writeFileDirective: (path, content) => `[[mock:tool write ${JSON.stringify({ filePath: path, content })}]]`,
    },
    () => h,
    API_KEY,
    skip,
  );
}
