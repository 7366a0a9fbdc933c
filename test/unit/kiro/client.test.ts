import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createKiroClient } from '../../../src/core/kiro/client.ts';
import { EventStreamError } from '../../../src/core/kiro/frame-decoder.ts';
import { encodeKiroEvent, encodeKiroException } from '../../../src/core/kiro/frame-encoder.ts';
import type { KiroEvent } from '../../../src/core/kiro/kiro-event.ts';
import { KiroUpstreamError, type KiroAccountContext, type KiroClient } from '../../../src/core/kiro/types.ts';
import type { KiroRequestBody } from '../../../src/core/kiro/wire.ts';

// A tiny loopback upstream: each test installs its own handler. Not the strict mock (that lives
// in src/core/kiro-mock/); this one only serves what a test scripts.

const TOKEN = 'aoa' + 'AAAAAGkClientTestAccessToken0123456789abcdefghijklmnopqrstuv';
const ARN = 'arn:aws:codewhisperer:eu-central-1:699475941385:profile/EHGA3GRVQMUK';
const account: KiroAccountContext = { accessToken: TOKEN, profileArn: ARN, machineId: 'f'.repeat(64), region: 'eu-central-1' };
const body: KiroRequestBody = {
  conversationState: {
    conversationId: '0b4445e1-f5be-49e1-87ce-62bbc28ad705',
    chatTriggerType: 'MANUAL',
    currentMessage: { userInputMessage: { content: 'hi', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
  },
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  closed: Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void | Promise<void>;

let server: Server;
let base: string;
let handler: Handler;
let seen: Seen[];

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Writes bytes in deliberately odd-sized pieces, yielding between them so they leave as separate chunks. */
async function writeOdd(res: ServerResponse, bytes: Uint8Array, sizes = [1, 7, 3, 13, 2, 29, 5]) {
  let off = 0;
  for (let i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    res.write(bytes.subarray(off, off + n));
    off += n;
    await tick();
  }
}

const concat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const streamHead = (res: ServerResponse, requestId = 'rid-200') =>
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });

async function collect(events: AsyncIterable<KiroEvent>): Promise<KiroEvent[]> {
  const out: KiroEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const s: Seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: '',
      closed: new Promise<void>((resolve) => req.socket.once('close', () => resolve())),
    };
    seen.push(s);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      s.body = Buffer.concat(chunks).toString('utf8');
      void handler(req, res, s);
    });
  });
  // Clients hanging up mid-body is what several tests provoke; the resets are expected.
  server.on('connection', (socket) => socket.on('error', () => {}));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{region}`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
});

beforeEach(async () => {
  seen = [];
  handler = (_req, res) => {
    res.end();
  };
});

function newClient(opts: Parameters<typeof createKiroClient>[0] = {}): KiroClient {
  return createKiroClient({ endpoints: { runtime: base }, ...opts });
}

describe('generateAssistantResponse', () => {
  test('streams frames written in odd-sized chunks: text, tool fragments, initial-response', async () => {
    const frames = concat(
      encodeKiroEvent('initial-response', { conversationId: '' }, 'application/x-amz-json-1.0'),
      encodeKiroEvent('assistantResponseEvent', { content: 'Let me ', modelId: 'claude-sonnet-4.5' }),
      encodeKiroEvent('assistantResponseEvent', { content: 'check. ✓', modelId: 'claude-sonnet-4.5' }),
      encodeKiroEvent('toolUseEvent', { name: 'read', toolUseId: 'tooluse_abc' }),
      encodeKiroEvent('toolUseEvent', { input: '{"path":', name: 'read', toolUseId: 'tooluse_abc' }),
      encodeKiroEvent('toolUseEvent', { input: '"a.ts"}', name: 'read', toolUseId: 'tooluse_abc' }),
      encodeKiroEvent('toolUseEvent', { name: 'read', stop: true, toolUseId: 'tooluse_abc' }),
      encodeKiroEvent('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.0273 }),
      encodeKiroEvent('contextUsageEvent', { contextUsagePercentage: 12.5 }),
    );
    handler = async (_req, res) => {
      streamHead(res);
      await writeOdd(res, frames);
      res.end();
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      assert.equal(r.requestId, 'rid-200');
      const events = await collect(r.events);
      assert.deepEqual(events, [
        { type: 'initialResponse' },
        { type: 'assistantResponse', content: 'Let me ', modelId: 'claude-sonnet-4.5' },
        { type: 'assistantResponse', content: 'check. ✓', modelId: 'claude-sonnet-4.5' },
        { type: 'toolUse', toolUseId: 'tooluse_abc', name: 'read' },
        { type: 'toolUse', toolUseId: 'tooluse_abc', name: 'read', input: '{"path":' },
        { type: 'toolUse', toolUseId: 'tooluse_abc', name: 'read', input: '"a.ts"}' },
        { type: 'toolUse', toolUseId: 'tooluse_abc', name: 'read', stop: true },
        { type: 'metering', usage: 0.0273, unit: 'credit', unitPlural: 'credits' },
        { type: 'contextUsage', contextUsagePercentage: 12.5 },
      ]);

      const s = seen[0]!;
      assert.equal(s.method, 'POST');
      assert.equal(s.url, '/eu-central-1/generateAssistantResponse');
      assert.equal(s.headers['content-type'], 'application/json');
      assert.equal(s.headers['authorization'], `Bearer ${TOKEN}`);
      assert.equal(s.headers['x-amzn-kiro-agent-mode'], 'vibe');
      assert.equal(s.headers['x-amz-target'], undefined);
      assert.match(String(s.headers['user-agent']), new RegExp(`KiroIDE-[\\d.]+-${'f'.repeat(64)}$`));
      const sent = JSON.parse(s.body) as KiroRequestBody;
      assert.equal(sent.profileArn, ARN);
      assert.deepEqual(sent.conversationState, body.conversationState);
    } finally {
      await c.close();
    }
  });

  test('awsJson style posts to / with the target header', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      res.end(encodeKiroEvent('assistantResponseEvent', { content: 'ok' }));
    };
    const c = newClient({ style: 'awsjson' });
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      assert.deepEqual(await collect(r.events), [{ type: 'assistantResponse', content: 'ok' }]);
      assert.equal(seen[0]!.url, '/eu-central-1/');
      assert.equal(seen[0]!.headers['content-type'], 'application/x-amz-json-1.0');
      assert.equal(seen[0]!.headers['x-amz-target'], 'AmazonCodeWhispererStreamingService.GenerateAssistantResponse');
    } finally {
      await c.close();
    }
  });

  test('the account profileArn replaces one already in the body', async () => {
    handler = (_req, res) => {
      streamHead(res);
      res.end();
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse({ ...body, profileArn: 'arn:stale' }, account, new AbortController().signal);
      assert.deepEqual(await collect(r.events), []);
      assert.equal((JSON.parse(seen[0]!.body) as KiroRequestBody).profileArn, ARN);
    } finally {
      await c.close();
    }
  });

  test('exception frames come through as events', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      await writeOdd(res, encodeKiroException('ThrottlingException', { message: 'Too many requests', reason: 'INSUFFICIENT_MODEL_CAPACITY' }));
      res.end();
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      assert.deepEqual(await collect(r.events), [
        { type: 'exception', exceptionType: 'ThrottlingException', message: 'Too many requests', reason: 'INSUFFICIENT_MODEL_CAPACITY' },
      ]);
    } finally {
      await c.close();
    }
  });

  describe('non-200 answers are classified', () => {
    const cases: { name: string; status: number; headers?: Record<string, string>; body: string; cls: string; retry?: number }[] = [
      {
        name: '403 bearer invalid',
        status: 403,
        body: '{"message":"The bearer token included in the request is invalid.","reason":null}',
        cls: 'auth_invalid',
      },
      { name: '402 quota', status: 402, body: '{"message":"You have reached the limit.","reason":"MONTHLY_REQUEST_COUNT"}', cls: 'quota_exhausted' },
      {
        name: '429 capacity with Retry-After',
        status: 429,
        headers: { 'retry-after': '4' },
        body: '{"__type":"com.amazon.aws.codewhisperer#ThrottlingException","message":"I am experiencing high traffic, please try again shortly.","reason":"INSUFFICIENT_MODEL_CAPACITY"}',
        cls: 'capacity',
        retry: 4,
      },
      { name: '400 too long', status: 400, body: '{"message":"Input is too long.","reason":"CONTENT_LENGTH_EXCEEDS_THRESHOLD"}', cls: 'content_too_long' },
      { name: '503 html', status: 503, body: '<html>unavailable</html>', cls: 'server' },
    ];
    for (const k of cases) {
      test(k.name, async () => {
        handler = (_req, res) => {
          res.writeHead(k.status, { 'content-type': 'application/json', 'x-amzn-requestid': 'rid-err', ...k.headers });
          res.end(k.body);
        };
        const c = newClient();
        try {
          await assert.rejects(c.generateAssistantResponse(body, account, new AbortController().signal), (e: unknown) => {
            assert.ok(e instanceof KiroUpstreamError);
            assert.equal(e.cls, k.cls);
            assert.equal(e.status, k.status);
            assert.equal(e.requestId, 'rid-err');
            if (k.retry !== undefined) assert.equal(e.retryAfterSeconds, k.retry);
            return true;
          });
        } finally {
          await c.close();
        }
      });
    }

    test('an echoed token is scrubbed from the error', async () => {
      handler = (req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `bad request, you sent ${String(req.headers['authorization'])} and raw ${TOKEN}` }));
      };
      const c = newClient();
      try {
        await assert.rejects(c.generateAssistantResponse(body, account, new AbortController().signal), (e: unknown) => {
          assert.ok(e instanceof KiroUpstreamError);
          assert.equal(e.cls, 'bad_request');
          assert.ok(!e.message.includes(TOKEN.slice(3, 30)), e.message);
          assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(TOKEN.slice(3, 30)));
          return true;
        });
      } finally {
        await c.close();
      }
    });

    test('a huge error body is read only up to the bound, then the connection is dropped', async () => {
      handler = (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        // Far more than the client's bound; the client must hang up rather than drain it.
        res.end(Buffer.alloc(8 * 1024 * 1024, 'x'));
      };
      const c = newClient({ maxErrorBodyBytes: 4096 });
      try {
        await assert.rejects(c.generateAssistantResponse(body, account, new AbortController().signal), (e: unknown) => {
          assert.ok(e instanceof KiroUpstreamError);
          assert.equal(e.cls, 'server');
          assert.ok(e.message.length <= 501);
          return true;
        });
        await seen[0]!.closed;
      } finally {
        await c.close();
      }
    });
  });

  test('aborting mid-stream ends iteration with the abort reason and closes the socket', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      await writeOdd(res, encodeKiroEvent('assistantResponseEvent', { content: 'first' }));
      // then hang: the client must be the one to hang up
    };
    const c = newClient();
    try {
      const ac = new AbortController();
      const r = await c.generateAssistantResponse(body, account, ac.signal);
      const got: KiroEvent[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of r.events) {
            got.push(e);
            ac.abort(new Error('client went away'));
          }
        })(),
        /client went away/,
      );
      assert.deepEqual(got, [{ type: 'assistantResponse', content: 'first' }]);
      await seen[0]!.closed;
    } finally {
      await c.close();
    }
  });

  test('a consumer breaking early closes the socket', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      await writeOdd(res, concat(encodeKiroEvent('assistantResponseEvent', { content: 'a' }), encodeKiroEvent('assistantResponseEvent', { content: 'b' })));
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      for await (const e of r.events) {
        assert.deepEqual(e, { type: 'assistantResponse', content: 'a' });
        break;
      }
      await seen[0]!.closed;
    } finally {
      await c.close();
    }
  });

  test('events are lazy and single-use; return() before reading still closes the socket', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      res.write(encodeKiroEvent('assistantResponseEvent', { content: 'never read' }));
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      const it = r.events[Symbol.asyncIterator]();
      assert.throws(() => r.events[Symbol.asyncIterator](), /only once/);
      await it.return?.();
      await seen[0]!.closed;
    } finally {
      await c.close();
    }
  });

  test('the server dropping the connection mid-stream is a network error', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      await writeOdd(res, encodeKiroEvent('assistantResponseEvent', { content: 'partial' }));
      await tick();
      res.socket?.destroy();
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      const got: KiroEvent[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of r.events) got.push(e);
        })(),
        (e: unknown) => e instanceof KiroUpstreamError && e.cls === 'network' && e.requestId === 'rid-200',
      );
      assert.equal(got.length, 1);
    } finally {
      await c.close();
    }
  });

  test('EOF inside a frame is an EventStreamError (truncated)', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      const frame = encodeKiroEvent('assistantResponseEvent', { content: 'cut off' });
      await writeOdd(res, frame.subarray(0, frame.length - 5));
      res.end();
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      await assert.rejects(collect(r.events), (e: unknown) => e instanceof EventStreamError && e.code === 'truncated');
    } finally {
      await c.close();
    }
  });

  test('a corrupted frame is an EventStreamError', async () => {
    handler = async (_req, res) => {
      streamHead(res);
      const frame = Buffer.from(encodeKiroEvent('assistantResponseEvent', { content: 'flip' }));
      const at = frame.length - 8;
      frame[at] = frame[at]! ^ 0xff;
      await writeOdd(res, frame);
      res.end();
    };
    const c = newClient();
    try {
      const r = await c.generateAssistantResponse(body, account, new AbortController().signal);
      await assert.rejects(collect(r.events), (e: unknown) => e instanceof EventStreamError && e.code === 'message_crc');
    } finally {
      await c.close();
    }
  });

  test('no response headers in time → timeout', async () => {
    handler = () => {
      /* never answer */
    };
    const c = newClient({ firstByteTimeoutMs: 150 });
    try {
      await assert.rejects(
        c.generateAssistantResponse(body, account, new AbortController().signal),
        (e: unknown) => e instanceof KiroUpstreamError && e.cls === 'timeout',
      );
    } finally {
      await c.close();
    }
  });

  test('connection refused → network, without the token in the message', async () => {
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const port = (dead.address() as AddressInfo).port;
    dead.close();
    await once(dead, 'close');
    const c = createKiroClient({ endpoints: { runtime: `http://127.0.0.1:${port}` } });
    try {
      await assert.rejects(c.generateAssistantResponse(body, account, new AbortController().signal), (e: unknown) => {
        assert.ok(e instanceof KiroUpstreamError);
        assert.equal(e.cls, 'network');
        assert.equal(e.status, 0);
        assert.ok(!e.message.includes(TOKEN.slice(0, 20)));
        return true;
      });
    } finally {
      await c.close();
    }
  });

  test('an already aborted signal rejects with its reason and sends nothing', async () => {
    const c = newClient();
    try {
      const ac = new AbortController();
      ac.abort(new Error('gone before start'));
      await assert.rejects(c.generateAssistantResponse(body, account, ac.signal), /gone before start/);
      assert.equal(seen.length, 0);
    } finally {
      await c.close();
    }
  });
});

describe('getUsageLimits and listAvailableModels', () => {
  test('getUsageLimits sends the documented query and parses the answer', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          subscriptionInfo: { subscriptionTitle: 'KIRO PRO', type: 'Q_DEVELOPER_STANDALONE_PRO' },
          usageBreakdownList: [{ resourceType: 'CREDIT', usageLimitWithPrecision: 1000, currentUsageWithPrecision: 12.25, nextDateReset: 1_780_000_000 }],
        }),
      );
    };
    const c = newClient({ now: () => 99 });
    try {
      const u = await c.getUsageLimits(account, new AbortController().signal);
      assert.deepEqual(u, {
        plan: 'KIRO PRO',
        planType: 'Q_DEVELOPER_STANDALONE_PRO',
        used: 12.25,
        limit: 1000,
        bonusUsed: 0,
        bonusLimit: 0,
        freeTrialUsed: 0,
        freeTrialLimit: 0,
        nextResetAt: 1_780_000_000_000,
        fetchedAt: 99,
      });
      const url = new URL(seen[0]!.url, 'http://x');
      assert.equal(seen[0]!.method, 'GET');
      assert.equal(url.pathname, '/eu-central-1/getUsageLimits');
      assert.equal(url.searchParams.get('origin'), 'AI_EDITOR');
      assert.equal(url.searchParams.get('resourceType'), 'AGENTIC_REQUEST');
      assert.equal(url.searchParams.get('isEmailRequired'), 'true');
      assert.equal(url.searchParams.get('profileArn'), ARN);
      assert.equal(seen[0]!.headers['authorization'], `Bearer ${TOKEN}`);
    } finally {
      await c.close();
    }
  });

  test('getUsageLimits errors are classified (403 suspended)', async () => {
    handler = (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end('{"message":"Your account temporarily is suspended.","reason":"TEMPORARILY_SUSPENDED"}');
    };
    const c = newClient();
    try {
      await assert.rejects(c.getUsageLimits(account, new AbortController().signal), (e: unknown) => e instanceof KiroUpstreamError && e.cls === 'suspended');
    } finally {
      await c.close();
    }
  });

  test('a non-JSON 200 is a server error', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    };
    const c = newClient();
    try {
      await assert.rejects(c.getUsageLimits(account, new AbortController().signal), (e: unknown) => e instanceof KiroUpstreamError && e.cls === 'server');
    } finally {
      await c.close();
    }
  });

  test('listAvailableModels follows nextToken', async () => {
    handler = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const token = url.searchParams.get('nextToken');
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!token)
        res.end(
          JSON.stringify({
            defaultModel: { modelId: 'auto' },
            models: [{ modelId: 'auto' }, { modelId: 'claude-sonnet-4.5', tokenLimits: { maxInputTokens: 200000 } }],
            nextToken: 'p2',
          }),
        );
      else if (token === 'p2') res.end(JSON.stringify({ models: [{ modelId: 'claude-opus-4.8', supportedInputTypes: ['TEXT', 'IMAGE'] }], nextToken: 'p3' }));
      else res.end(JSON.stringify({ models: [{ modelId: 'glm-5' }] }));
    };
    const c = newClient();
    try {
      const models = await c.listAvailableModels(account, new AbortController().signal);
      assert.deepEqual(models, [
        { modelId: 'auto' },
        { modelId: 'claude-sonnet-4.5', maxInputTokens: 200000 },
        { modelId: 'claude-opus-4.8', supportsImages: true },
        { modelId: 'glm-5' },
      ]);
      assert.equal(seen.length, 3);
      const first = new URL(seen[0]!.url, 'http://x');
      assert.equal(first.pathname, '/eu-central-1/ListAvailableModels');
      assert.equal(first.searchParams.get('origin'), 'AI_EDITOR');
      assert.equal(first.searchParams.get('maxResults'), '50');
      assert.equal(first.searchParams.get('profileArn'), ARN);
      assert.equal(new URL(seen[1]!.url, 'http://x').searchParams.get('nextToken'), 'p2');
      assert.equal(seen[0]!.headers['x-amzn-kiro-profile-arn'], ARN);
    } finally {
      await c.close();
    }
  });

  test('a repeating nextToken does not loop forever', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ models: [{ modelId: 'auto' }], nextToken: 'same' }));
    };
    const c = newClient();
    try {
      const models = await c.listAvailableModels(account, new AbortController().signal);
      assert.equal(models.length, 2);
      assert.equal(seen.length, 2);
    } finally {
      await c.close();
    }
  });
});
