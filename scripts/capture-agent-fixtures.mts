// Captures one real request of each agent configuration into test/fixtures/agents/ (see its
// README). Each agent runs its tool round trip (the mock model calls its file-writing tool) against
// a recording endpoint in front of the proxy and the strict mock Kiro; the request that carries
// the tool result back (the richest one: every tool, the first turn, the call and its result) is
// kept, with secrets and machine-specific paths scrubbed.
//
//   node_modules/node/bin/node scripts/capture-agent-fixtures.mts [agent-id …]
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { startProxyWithMock } from '../test/helpers/proxy.ts';
import { sandbox, type Sandbox } from '../test/helpers/agents/run.ts';
import { runCodex, writeCodexConfig } from '../test/helpers/agents/codex.ts';
import { runOpencode, writeOpencodeConfig } from '../test/helpers/agents/opencode.ts';
import { runCline, writeClineConfig } from '../test/helpers/agents/cline.ts';
import { runContinue, writeContinueConfig } from '../test/helpers/agents/continue.ts';
import { runClaude } from '../test/helpers/claude-code.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'test', 'fixtures', 'agents');
const KEY = 'PROXY_API_KEY';

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Capture {
  id: string;
  agent: string;
  package: string;
  run(s: Sandbox, baseUrl: string, prompt: string): Promise<unknown>;
  directive(path: string, content: string): string;
}

const version = async (pkg: string) => (JSON.parse(await readFile(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

const CAPTURES: Capture[] = [
  {
    id: 'codex',
    agent: 'Codex (custom provider, wire_api = "responses", model claude-sonnet-4.5)',
    package: '@openai/codex',
    run: async (s, url, prompt) => {
      await writeCodexConfig(s, { baseUrl: url, model: 'claude-sonnet-4.5' });
      return runCodex(s, KEY, prompt);
    },
    directive: (path, content) => `[[mock:tool exec_command ${JSON.stringify({ cmd: `printf %s '${content}' > '${path}'` })}]]`,
  },
  {
    id: 'codex-default-model',
    agent: "Codex (custom provider, Codex's own default model)",
    package: '@openai/codex',
    run: async (s, url, prompt) => {
      await writeCodexConfig(s, { baseUrl: url });
      return runCodex(s, KEY, prompt);
    },
    directive: () => '[[mock:text done]]',
  },
  ...(['openai', 'anthropic'] as const).flatMap((p): Capture[] => [
    {
      id: `opencode-${p}`,
      agent: `opencode (${p === 'openai' ? '@ai-sdk/openai-compatible' : '@ai-sdk/anthropic'} provider)`,
      package: 'opencode-ai',
      run: async (s, url, prompt) => {
        await writeOpencodeConfig(s, url, p);
        return runOpencode(s, KEY, prompt);
      },
      directive: (path, content) => `[[mock:tool write ${JSON.stringify({ filePath: path, content })}]]`,
    },
    {
      id: `cline-${p}`,
      agent: `Cline CLI (${p === 'openai' ? 'openai-compatible' : 'anthropic'} provider)`,
      package: 'cline',
      run: async (s, url, prompt) => {
        await writeClineConfig(s, url, KEY, p);
        return runCline(s, prompt);
      },
      directive: (path, content) => `[[mock:tool editor ${JSON.stringify({ path, new_text: content })}]]`,
    },
    {
      id: `continue-${p}`,
      agent: `Continue cn (${p} provider)`,
      package: '@continuedev/cli',
      run: async (s, url, prompt) => {
        await writeContinueConfig(s, url, KEY, p);
        return runContinue(s, prompt);
      },
      directive: (path, content) => `[[mock:tool Write ${JSON.stringify({ filepath: path, content })}]]`,
    },
  ]),
  {
    id: 'claude-code',
    agent: 'Claude Code (print mode, default model)',
    package: '@anthropic-ai/claude-code',
    run: (s, url, prompt) => runClaude({ baseUrl: url, apiKey: KEY, prompt, cwd: s.work, home: s.home, timeoutMs: 180_000 }),
    directive: (path, content) => `[[mock:tool Write ${JSON.stringify({ file_path: path, content })}]]`,
  },
];

/** A recording reverse proxy: every request is kept, then forwarded unchanged. */
async function recorder(target: string): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const t = new URL(target);
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body: body.toString('utf8') });
      const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

// Headers worth keeping: what tells the dialect, the client and its session apart. Never auth.
const KEEP_HEADERS = new Set(['content-type', 'accept', 'user-agent', 'anthropic-version', 'anthropic-beta', 'x-stainless-lang', 'originator', 'openai-beta']);

function scrub(text: string, s: Sandbox): string {
  const root = dirname(s.home);
  return text
    .replaceAll(s.work, '/home/user/project')
    .replaceAll(s.home, '/home/user')
    .replaceAll(root, '/home/user')
    .replaceAll(REPO, '/path/to/kiro-proxy')
    .replaceAll(KEY, '<proxy-api-key>');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const h = await startProxyWithMock({ config: { apiKey: KEY } });
  const rec = await recorder(h.url);
  await mkdir(OUT, { recursive: true });
  try {
    for (const c of CAPTURES) {
      if (wanted.length && !wanted.includes(c.id)) continue;
      const s = await sandbox(`capture-${c.id}`);
      const before = rec.requests.length;
      const path = join(s.work, 'hello.txt');
      await c.run(s, rec.url, `Create the file. ${c.directive(path, `hello from ${c.id}`)}`);
      const mine = rec.requests.slice(before).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/') && !r.path.includes('count_tokens'));
      const pick = mine.at(-1);
      if (!pick) {
        process.stderr.write(`${c.id}: no request recorded\n`);
        continue;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(pick.headers)) if (KEEP_HEADERS.has(k)) headers[k] = scrub(v, s);
      const fixture = {
        agent: c.agent,
        package: `${c.package}@${await version(c.package)}`,
        captured: new Date().toISOString().slice(0, 10),
        note: `request ${mine.indexOf(pick) + 1} of ${mine.length} of one tool round trip; paths and the API key scrubbed`,
        method: pick.method,
        path: pick.path,
        headers,
        body: JSON.parse(scrub(pick.body, s)) as unknown,
      };
      await writeFile(join(OUT, `${c.id}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
      process.stdout.write(`${c.id}: ${pick.path} ${pick.body.length} bytes (${mine.length} requests)\n`);
      await rm(dirname(s.home), { recursive: true, force: true });
    }
  } finally {
    await rec.close();
    await h.close();
  }
}

await main();
