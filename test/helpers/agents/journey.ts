// The same user journey for every agent configuration, against a real proxy on port 0 and the
// strict mock Kiro (driven by directives in the prompt): a plain answer; a long answer streamed
// in many events; a third turn in the same, resumed session (with an image where the agent can
// attach one); and a tool round trip in which the mock model calls the agent's own file-writing
// tool and the file ends up on disk. Every request must pass the mock's validation and be
// answered 200.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProxyWithMock } from '../proxy.ts';
import type { AgentRun, Sandbox } from './run.ts';
import { sandbox } from './run.ts';

interface TurnResult {
  run: AgentRun;
  /** The agent's final answer text as it printed it. */
  text: string;
  /** What resumes this session in the next turn. */
  session: string | undefined;
  /** Why the agent reports failure, if it does. */
  failed?: string | undefined;
}

export interface AgentUnderTest {
  /** e.g. `opencode (OpenAI-compatible provider)`. */
  name: string;
  /** Short and file-name safe. */
  id: string;
  route: '/v1/chat/completions' | '/v1/responses' | '/v1/messages';
  /** Writes the agent's configuration into the throwaway HOME. */
  configure(s: Sandbox, baseUrl: string, apiKey: string): Promise<void>;
  turn(s: Sandbox, apiKey: string, prompt: string, o: { session?: string | undefined; image?: string | undefined }): Promise<TurnResult>;
  /** The directive that makes the model call the agent's file-writing (or shell) tool. */
  writeFileDirective(path: string, content: string): string;
  /** Set when the agent's CLI cannot attach an image: the image step says so instead of running. */
  noImage?: string;
  /** Set when the agent's CLI cannot resume a session non-interactively: later turns start new sessions, and say so. */
  noResume?: string;
}

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const STREAM_EVENTS = 120;
const STREAM_WORD = 'streamed-chunk ';

interface KiroBody {
  conversationState: {
    currentMessage: { userInputMessage: { content: string; images?: unknown[]; userInputMessageContext?: { toolResults?: unknown[] } } };
    history?: { userInputMessage?: { content: string }; assistantResponseMessage?: { content: string } }[];
  };
}

/** Registers the journey's tests for one agent configuration (they run in order and share one session). */
export function agentJourney(agent: AgentUnderTest, h: () => ProxyWithMock, apiKey: string, skip: string | undefined): void {
  let s: Sandbox;
  let session: string | undefined;
  const timeout = 240_000;

  const turn = async (prompt: string, o: { resume: boolean; image?: string }) => {
    const px = h();
    const logsBefore = px.logs().length;
    const chatsBefore = px.chats().length;
    const r = await agent.turn(s, apiKey, prompt, { session: o.resume ? session : undefined, image: o.image });
    const diag = () =>
      `${agent.name}: exit ${r.run.code} ${r.run.signal ?? ''} in ${r.run.ms} ms${r.failed ? `\nagent failure: ${r.failed}` : ''}\n` +
      `text: ${r.text.slice(0, 500)}\nstdout: ${r.run.stdout.slice(-2500)}\nstderr: ${r.run.stderr.slice(-2500)}\n` +
      `proxy log: ${JSON.stringify(
        px
          .logs()
          .slice(logsBefore)
          .map((e) => ({ route: e.route, status: e.status, model: e.modelRequested, sent: e.modelSent, err: e.errorMessage, ignored: e.ignoredTools })),
      )}\n` +
      `mock rejected: ${JSON.stringify(px.rejected().map((x) => x.validation))}\n${px.logger.text('warn')}`;
    assert.equal(r.run.code, 0, diag());
    assert.equal(r.failed, undefined, diag());
    const mine = px
      .logs()
      .slice(logsBefore)
      .filter((e) => e.route === agent.route);
    assert.ok(mine.length >= 1, `no ${agent.route} request reached the proxy\n${diag()}`);
    for (const e of px.logs().slice(logsBefore)) assert.ok(e.status < 400, `${e.route} answered ${e.status}\n${diag()}`);
    const chats = px.chats().slice(chatsBefore);
    assert.ok(chats.length >= 1, diag());
    for (const c of chats) assert.deepEqual(c.validation, { ok: true }, diag());
    assert.deepEqual(px.rejected(), [], diag());
    if (r.session) session = r.session;
    return { r, chats: chats.map((c) => c.body as KiroBody), logs: mine, diag };
  };

  test(`${agent.name}: plain answer`, { skip, timeout }, async () => {
    s = await sandbox(agent.id);
    await agent.configure(s, h().url, apiKey);
    const { r, diag } = await turn(`Say hello. [[mock:text Hello from Kiro via ${agent.id}]]`, { resume: false });
    assert.match(r.text, new RegExp(`Hello from Kiro via ${agent.id}`), diag());
    if (!agent.noResume) assert.ok(r.session, `the agent reported no session to resume\n${diag()}`);
  });

  const resumed = agent.noResume ? '' : ', in the resumed session';
  test(`${agent.name}: a long answer streamed in ${STREAM_EVENTS} events${resumed}`, { skip, timeout }, async (t) => {
    assert.ok(s && (session || agent.noResume), 'needs the first turn');
    if (agent.noResume) t.diagnostic(`not resumed: ${agent.noResume}`);
    const { r, chats, logs, diag } = await turn(`Stream it. [[mock:text-events ${STREAM_EVENTS} ${STREAM_WORD}]]`, { resume: true });
    assert.equal(r.text.split(STREAM_WORD.trim()).length - 1, STREAM_EVENTS, `every streamed event arrived, in one answer\n${diag()}`);
    assert.ok(
      logs.some((e) => e.stream),
      `${agent.name} streamed\n${diag()}`,
    );
    if (agent.noResume) return;
    const history = chats.at(-1)!.conversationState.history ?? [];
    assert.ok(
      history.some((m) => m.assistantResponseMessage?.content.includes(`Hello from Kiro via ${agent.id}`)),
      `turn 1 is in the history\n${diag()}`,
    );
  });

  test(`${agent.name}: a third turn${agent.noResume ? '' : ' in the same session'}${agent.noImage ? '' : ', with an image'}`, { skip, timeout }, async (t) => {
    assert.ok(s && (session || agent.noResume), 'needs the first turns');
    if (agent.noResume) t.diagnostic(`not resumed: ${agent.noResume}`);
    let image: string | undefined;
    if (agent.noImage) t.diagnostic(`no image: ${agent.noImage}`);
    else {
      image = join(s.work, 'pixel.png');
      await writeFile(image, PNG);
    }
    const { r, chats, diag } = await turn(`${image ? 'What is in this picture? ' : 'Third question. '}[[mock:text third turn answered]]`, {
      resume: true,
      image,
    });
    assert.match(r.text, /third turn answered/, diag());
    const last = chats.at(-1)!.conversationState;
    if (image) assert.equal(last.currentMessage.userInputMessage.images?.length, 1, `the image reached Kiro\n${diag()}`);
    if (agent.noResume) return;
    const history = last.history ?? [];
    assert.ok(
      history.some((m) => m.assistantResponseMessage?.content.includes(`Hello from Kiro via ${agent.id}`)),
      `turn 1 is in the history\n${diag()}`,
    );
    assert.ok(
      history.some((m) => m.assistantResponseMessage?.content.includes(STREAM_WORD.trim())),
      `turn 2 is in the history\n${diag()}`,
    );
  });

  test(`${agent.name}: the model calls the agent's own tool, which writes the file`, { skip, timeout }, async () => {
    assert.ok(s, 'needs the sandbox');
    const path = join(s.work, `written-by-${agent.id}.txt`);
    const content = `hello from ${agent.id} via kiro-proxy`;
    const { chats, diag } = await turn(`Create the file. ${agent.writeFileDirective(path, content)}`, { resume: false });
    assert.equal(await readFile(path, 'utf8').catch(() => '(missing)'), content, diag());
    assert.ok(
      chats.some((c) => (c.conversationState.currentMessage.userInputMessage.userInputMessageContext?.toolResults ?? []).length > 0),
      `the tool result went back to Kiro\n${diag()}`,
    );
  });
}
