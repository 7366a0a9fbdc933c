// A minimal OpenAI-compatible upstream for bench/gateways.ts: third-party gateways cannot talk to
// Kiro, so they are measured in front of this instead. It does as little as a server can, so the
// figures measure the gateway in front of it and not the mock:
//   POST /v1/chat/completions, "stream": false → one fixed chat.completion JSON (one write).
//   POST /v1/chat/completions, "stream": true  → SSE: the first content chunk at once, the second
//        3 ms later (as the Kiro mock's ttft prompt does), then the finish chunk and [DONE].
//   GET  /__mock/stats → {"completions": n, "last": {headers, body}}: proves a gateway really
//        forwarded (the count moves) and shows what it sent. Not on the measured path.
//
//   node bench/lib/openai-mock.ts [--port 0]
// Prints one JSON line {"url": "http://127.0.0.1:PORT"} when listening; stops on SIGTERM/SIGINT.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const MODEL = 'gpt-4o-mini';
const CREATED = 1_700_000_000;

/** Answer bodies are built once: per request the mock only reads, checks and writes. */
const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: CREATED,
  model: MODEL,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, benchmark! This is a short fixed reply.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
});

function sseChunk(delta: Record<string, string>, finish: string | null): string {
  const chunk = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Only content-bearing chunks contain `"content":"`: that is the marker the load generator counts. */
const FIRST = sseChunk({ role: 'assistant', content: 'Hello' }, null);
const SECOND = sseChunk({ content: ', benchmark!' }, null);
const TAIL = sseChunk({}, 'stop') + 'data: [DONE]\n\n';
const SECOND_DELAY_MS = 3;

let completions = 0;
let last: { headers: IncomingMessage['headers']; body: string } | undefined;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function streamAnswer(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(FIRST);
  setTimeout(() => {
    res.write(SECOND);
    res.end(TAIL);
  }, SECOND_DELAY_MS);
}

async function completion(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  let parsed: { stream?: unknown; messages?: unknown };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    return sendJson(res, 400, JSON.stringify({ error: { message: 'body is not JSON', type: 'invalid_request_error' } }));
  }
  // A gateway that mangled the request must fail loudly, not be timed on an error path.
  if (!Array.isArray(parsed.messages)) return sendJson(res, 400, JSON.stringify({ error: { message: 'messages is required', type: 'invalid_request_error' } }));
  completions++;
  last = { headers: req.headers, body: raw };
  if (parsed.stream === true) streamAnswer(res);
  else sendJson(res, 200, COMPLETION);
}

// Nagle off (a 3 ms SSE gap must not wait for an ACK) and keep-alive longer than any client's.
const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    completion(req, res).catch(() => res.destroy());
  } else if (req.method === 'GET' && path === '/__mock/stats') {
    sendJson(res, 200, JSON.stringify({ completions, last }));
  } else {
    req.resume();
    sendJson(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'not_found' } }));
  }
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const addr = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${addr.port}` })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
