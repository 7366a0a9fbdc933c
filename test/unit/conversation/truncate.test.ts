import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDrop, dropUnits, truncateForRetry, turnStarts } from '../../../src/core/conversation/truncate.ts';
import { createConversationFitter, tooLongError } from '../../../src/core/conversation/truncate-strategies.ts';
import { normalise } from '../../../src/core/conversation/normalise.ts';
import { ProxyError } from '../../../src/core/errors.ts';
import type { NeutralMessage, NeutralRequest } from '../../../src/core/conversation/types.ts';
import type { AccountPool, UpstreamRequest } from '../../../src/core/accounts/pool/pool-types.ts';
import { KiroUpstreamError } from '../../../src/core/kiro/types.ts';
import { poolCompleteText } from '../../../src/core/pipeline/complete-text.ts';
import type { TruncationConfig } from '../../../src/core/proxy-types.ts';
import { assistant, captureLogger, request, result, tool, use, user } from './helpers.ts';

/** `turns` turns of: user ask, assistant tool use, user result, assistant text; then the current message. */
function history(turns: number, size = 2_000): NeutralMessage[] {
  const out: NeutralMessage[] = [];
  for (let i = 0; i < turns; i++) {
    out.push(
      user(`ask ${i}`),
      assistant(`reading ${i}`, use(`t${i}`, 'Read', { path: `/f${i}` })),
      user(result(`t${i}`, 'y'.repeat(size))),
      assistant(`done ${i}`),
    );
  }
  out.push(user('current question'));
  return out;
}

/** One long agentic turn: the task, then `n` tool exchanges, the last answered by the current message. */
function agentic(n: number): NeutralMessage[] {
  const out: NeutralMessage[] = [user('the task')];
  for (let i = 0; i < n; i++) out.push(assistant(use(`a${i}`, 'Bash', { cmd: `step ${i}` })), user(result(`a${i}`, 'z'.repeat(1_000))));
  return out;
}

function toolPairsIntact(messages: NeutralMessage[]): boolean {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const results = m.content.flatMap((b) => (b.type === 'tool_result' ? [b.toolUseId] : []));
    const prevUses = (messages[i - 1]?.content ?? []).flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    if (results.some((r) => !prevUses.includes(r))) return false;
    const uses = m.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
    const nextResults = (messages[i + 1]?.content ?? []).flatMap((b) => (b.type === 'tool_result' ? [b.toolUseId] : []));
    if (uses.some((u) => !nextResults.includes(u))) return false;
  }
  return true;
}

const cfg = (over: Partial<TruncationConfig> = {}): TruncationConfig => ({
  errorRetry: true,
  autoTruncate: false,
  preEstimate: false,
  summarise: false,
  maxRequestBytes: 600_000,
  ...over,
});
// As the pool throws it: the client-facing error made from the classified upstream error (its cause).
const tooLong = () =>
  new ProxyError('invalid_request', 'Input is too long.', {
    code: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD',
    cause: new KiroUpstreamError({ cls: 'content_too_long', status: 400, message: 'Input is too long.', reason: 'CONTENT_LENGTH_EXCEEDS_THRESHOLD' }),
  });
const noPool: AccountPool = { execute: () => Promise.reject(new Error('no pool in this test')) };

function fitter(req: NeutralRequest, over: Partial<TruncationConfig> = {}, extra: Partial<Parameters<typeof createConversationFitter>[0]> = {}) {
  const logger = captureLogger();
  const f = createConversationFitter({
    request: req,
    config: cfg(over),
    contextWindow: 200_000,
    normalise: (r) => normalise(r, { modelId: 'claude-sonnet-4.5', conversationId: '00000000-0000-4000-8000-000000000000', agentContinuationId: 'x' }),
    logger,
    completeText: poolCompleteText(noPool),
    stickyKey: 's:test',
    signal: new AbortController().signal,
    ...extra,
  });
  return { f, logger };
}

test('units: whole turns oldest first, then tool exchanges of the last turn; never the last exchange', () => {
  const msgs = history(3);
  assert.deepEqual(turnStarts(msgs), [0, 4, 8, 12]);
  const units = dropUnits(msgs);
  assert.deepEqual(
    units.map((u) => [u.kind, u.from, u.to]),
    [
      ['turn', 0, 4],
      ['turn', 4, 8],
      ['turn', 8, 12],
    ],
  );
  const long = dropUnits(agentic(4));
  assert.deepEqual(
    long.map((u) => [u.kind, u.from, u.to]),
    [
      ['exchange', 1, 3],
      ['exchange', 3, 5],
      ['exchange', 5, 7],
    ],
  );
  assert.deepEqual(dropUnits([user('only')]), []);
});

test('truncateForRetry: drops at least 30% of the weight in whole turns; keeps system, tools and the current message', () => {
  const req = request(history(10), { system: 'SYS', tools: [tool('Read')] });
  const r = truncateForRetry(req)!;
  assert.ok(r.droppedTurns >= 3 && r.droppedTurns < 10, String(r.droppedTurns));
  assert.equal(r.request.system, 'SYS');
  assert.deepEqual(r.request.tools, req.tools);
  assert.deepEqual(r.request.messages.at(-1), user('current question'));
  assert.equal(r.request.messages[0]!.role, 'user');
  assert.ok(toolPairsIntact(r.request.messages));
  assert.equal(truncateForRetry(request([user('alone')])), undefined);
});

test('property: any drop count keeps tool pairs whole, the first message a user turn and the current message last', () => {
  const block = fc.constantFrom('text', 'tool');
  fc.assert(
    fc.property(fc.array(fc.tuple(block, fc.nat(3)), { minLength: 1, maxLength: 25 }), fc.nat(40), (shape, k) => {
      const msgs: NeutralMessage[] = [user('start')];
      shape.forEach(([kind, n], i) => {
        if (kind === 'tool')
          msgs.push(
            assistant(...Array.from({ length: n + 1 }, (_, j) => use(`u${i}_${j}`, 'T'))),
            user(...Array.from({ length: n + 1 }, (_, j) => result(`u${i}_${j}`))),
          );
        else msgs.push(assistant(`a${i}`), user(`q${i}`));
      });
      const units = dropUnits(msgs);
      const r = applyDrop(request(msgs), units, Math.min(k, units.length));
      assert.ok(toolPairsIntact(r.request.messages));
      assert.equal(r.request.messages.at(-1), msgs.at(-1));
      assert.equal(r.request.messages[0]!.role, 'user');
      assert.equal(r.droppedMessages + r.request.messages.length, msgs.length);
    }),
    { numRuns: 300 },
  );
});

test('error retry converges geometrically on a 200-turn history (few round trips, not one per turn)', async () => {
  const req = request(history(200, 1_500), { system: 'S'.repeat(2_000) });
  const { f, logger } = fitter(req);
  let a = await f.initial();
  const full = JSON.stringify(a.norm.body).length;
  const limit = full / 5;
  let rounds = 0;
  while (JSON.stringify(a.norm.body).length > limit) {
    a = (await f.afterError(tooLong()))!;
    rounds++;
  }
  assert.ok(rounds <= 6, `${rounds} retries`);
  assert.ok(f.droppedTurns() > 100 && f.droppedTurns() < 200, String(f.droppedTurns()));
  assert.ok(toolPairsIntact(a.request.messages));
  assert.equal(a.request.system, req.system);
  assert.deepEqual(a.request.messages.at(-1), user('current question'));
  assert.ok(logger.lines.some((l) => /truncation \(error retry\): dropped \d+ oldest turn/.test(l.msg)));
});

test('error retry falls back to tool exchanges inside one long agentic turn, keeping the task and the last exchange', async () => {
  const req = request(agentic(30));
  const { f } = fitter(req);
  let a = await f.initial();
  for (let i = 0; i < 3; i++) a = (await f.afterError(tooLong()))!;
  assert.deepEqual(a.request.messages[0], user('the task'));
  assert.deepEqual(a.request.messages.slice(-2), req.messages.slice(-2));
  assert.ok(a.request.messages.length < req.messages.length);
  assert.ok(toolPairsIntact(a.request.messages));
});

test('nothing left to drop: a clear 400 (CONTENT_LENGTH_EXCEEDS_THRESHOLD) naming the dropped turns and /compact', async () => {
  const { f } = fitter(request(history(2)));
  await f.initial();
  let err: unknown;
  try {
    for (let i = 0; i < 10; i++) await f.afterError(tooLong());
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ProxyError);
  assert.equal(err.status, 400);
  assert.equal(err.code, 'CONTENT_LENGTH_EXCEEDS_THRESHOLD');
  assert.match(err.message, /even after dropping its 2 oldest turn\(s\).*\/compact or \/clear/);
  assert.equal(f.droppedTurns(), 2);
  assert.match(tooLongError(0).message, /^The conversation is too long for Kiro: /);
});

test('error retry off, or another error: the fitter hands the error back', async () => {
  const off = fitter(request(history(5)), { errorRetry: false }).f;
  await off.initial();
  assert.equal(await off.afterError(tooLong()), undefined);
  const on = fitter(request(history(5))).f;
  await on.initial();
  assert.equal(await on.afterError(new ProxyError('rate_limit', 'slow down')), undefined);
});

test('auto truncate: the normalised body ends under maxRequestBytes before sending', async () => {
  const req = request(history(60, 2_000));
  const { f, logger } = fitter(req, { autoTruncate: true, maxRequestBytes: 50_000 });
  const a = await f.initial();
  const bytes = Buffer.byteLength(JSON.stringify(a.norm.body));
  assert.ok(bytes <= 50_000, String(bytes));
  assert.ok(bytes > 25_000, `kept most of what fits (${bytes})`);
  assert.ok(f.droppedTurns() > 0);
  assert.ok(toolPairsIntact(a.request.messages));
  assert.ok(logger.lines.some((l) => /truncation \(auto\)/.test(l.msg)));
  // The estimate clients see is of the whole conversation, not of what was sent.
  const small = fitter(request(history(1)), { autoTruncate: true, maxRequestBytes: 50_000 }).f;
  await small.initial();
  assert.ok(f.estimatedInputTokens() > 20 * small.estimatedInputTokens());
  assert.equal(small.droppedTurns(), 0);
});

test('pre-estimate: the tokenizer is consulted only near the window, then the request fits the window minus the output reserve', async () => {
  let counted = 0;
  const tokenizer = {
    count: async () => 0,
    countKiroBody: async () => {
      counted++;
      return 150_000; // pretend the real tokenizer sees more than the fast estimate
    },
  };
  const small = fitter(request(history(3)), { preEstimate: true }, { tokenizer }).f;
  await small.initial();
  assert.equal(counted, 0);
  const big = fitter(request(history(40, 2_000), { maxTokens: 4_000 }), { preEstimate: true }, { tokenizer, contextWindow: 20_000 });
  const a = await big.f.initial();
  assert.equal(counted, 1);
  assert.ok(big.f.droppedTurns() > 0);
  assert.ok(toolPairsIntact(a.request.messages));
  assert.ok(big.logger.lines.some((l) => /truncation \(pre-estimate\)/.test(l.msg)));
});

test('summarise: the summary replaces dropped turns, comes from the pool with a cheap model, is cached; a failure falls back to dropping', async () => {
  const calls: UpstreamRequest[] = [];
  const pool: AccountPool = {
    async execute(req) {
      calls.push(req);
      return {
        accountId: 'a',
        accountLabel: 'a',
        requestId: undefined,
        attempts: 1,
        events: (async function* () {
          yield { type: 'assistantResponse' as const, content: 'They read files 0 to 9.' };
        })(),
        release() {},
      };
    },
  };
  const { SummaryCache } = await import('../../../src/core/conversation/summarise.ts');
  const cache = new SummaryCache(2);
  const req = request(history(20));
  const run = async (p: AccountPool) => {
    const { f } = fitter(req, { summarise: true }, { completeText: poolCompleteText(p), summaryCache: cache });
    await f.initial();
    return (await f.afterError(tooLong()))!;
  };
  const a = await run(pool);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.modelId, 'claude-haiku-4.5');
  const first = a.request.messages[0]!;
  assert.equal(first.role, 'user');
  assert.match(first.content[0]!.type === 'text' ? first.content[0]!.text : '', /Summary of earlier conversation[\s\S]*They read files 0 to 9\./);
  await run(pool);
  assert.equal(calls.length, 1, 'second identical drop is served from the cache');
  const failing: AccountPool = { execute: () => Promise.reject(new Error('boom')) };
  const cold = new SummaryCache();
  const { f } = fitter(request(history(20, 100)), { summarise: true }, { completeText: poolCompleteText(failing), summaryCache: cold });
  await f.initial();
  const b = (await f.afterError(tooLong()))!;
  assert.ok(!JSON.stringify(b.request.messages).includes('Summary of earlier conversation'));
  assert.ok(f.droppedTurns() > 0);
});
