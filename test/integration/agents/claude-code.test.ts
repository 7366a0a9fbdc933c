// The real Claude Code CLI (`claude -p`) through the common agent journey of
// helpers/agents/journey.ts (test/integration/claude-code covers its models and failure modes):
// plain, a long stream, three turns resumed with --resume, and its Write tool. Print mode attaches
// no image from the command line: that step runs without one and says so.
import { before, after } from 'node:test';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startProxyWithMock, type ProxyWithMock } from '../../helpers/proxy.ts';
import type { Sandbox } from '../../helpers/agents/run.ts';
import { claudeUnavailable, runClaude } from '../../helpers/claude-code.ts';
import { agentJourney } from '../../helpers/agents/journey.ts';

const API_KEY = 'test-key-for-claude-code-journey';
const skip = claudeUnavailable();
if (skip) process.stderr.write(`\nSKIP Claude Code journey: ${skip}\n\n`);

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
    name: 'Claude Code',
    id: 'claude-code',
    route: '/v1/messages',
    configure: async (s) => {
      sandboxes.push(s);
    },
    turn: async (s, apiKey, prompt, o) => {
      const r = await runClaude({ baseUrl: h.url, apiKey, prompt, cwd: s.work, home: s.home, timeoutMs: 180_000, ...(o.session ? { resume: o.session } : {}) });
      const json = r.json ?? {};
      return {
        run: { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: 0 },
        text: typeof json['result'] === 'string' ? json['result'] : '',
        session: typeof json['session_id'] === 'string' ? json['session_id'] : undefined,
        failed: json['is_error'] === true ? JSON.stringify(json).slice(0, 2000) : undefined,
      };
    },
    writeFileDirective: (path, content) => `[[mock:tool Write ${JSON.stringify({ file_path: path, content })}]]`,
    noImage: 'Claude Code attaches no image to a prompt given on the command line',
  },
  () => h,
  API_KEY,
  skip,
);
