// The real Continue CLI (`cn -p`) with its Anthropic provider (/v1/messages) against the proxy and the strict
// mock Kiro: the common journey of helpers/agents/journey.ts, with Continue's `Write` tool. `cn`
// attaches no image from the command line: that step runs without one and says so.
import { before, after } from 'node:test';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import { binaryUnavailable, type Sandbox } from '../../helpers/agents/run.ts';
import { runContinue, writeContinueConfig } from '../../helpers/agents/continue.ts';
import { agentJourney } from '../../helpers/agents/journey.ts';

const API_KEY = 'test-key-for-continue';
const skip = binaryUnavailable('cn');
if (skip) process.stderr.write(`\nSKIP Continue tests: ${skip}\n\n`);

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
    name: 'Continue cn (Anthropic provider)',
    id: 'continue-anthropic',
    route: '/v1/messages',
    configure: async (s, baseUrl, apiKey) => {
      sandboxes.push(s);
      await writeContinueConfig(s, baseUrl, apiKey, 'anthropic');
    },
    turn: async (s, _apiKey, prompt, o) => {
      const t = await runContinue(s, prompt, { resume: o.session !== undefined });
      // cn prints no session id: --resume continues the newest session of this HOME.
      return { run: t.run, text: t.text, session: 'last' };
    },
    writeFileDirective: (path, content) => `[[mock:tool Write ${JSON.stringify({ filepath: path, content })}]]`,
    noImage: 'the Continue CLI has no way to attach an image to a prompt',
  },
  () => h,
  API_KEY,
  skip,
);
