// The floor: the thinnest proxy Node can be — node:http in, undici out, the upstream body piped
// back unchanged, no parsing, no translation. Its added latency is what the platform (two more
// loopback hops, Node's HTTP server and client) costs before any of kiro-proxy's own work.
//   node bench/floor-proxy.ts <upstream-url> <headers-json>
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const [target, headersJson] = process.argv.slice(2);
if (!target || !headersJson) throw new Error('usage: floor-proxy.ts <upstream-url> <headers-json>');
const headers = JSON.parse(headersJson) as Record<string, string>;
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const up = await request(target, { method: 'POST', headers, body: Buffer.concat(chunks), dispatcher: agent });
    res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/octet-stream') });
    for await (const c of up.body) res.write(c);
    res.end();
  })().catch(() => res.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address() as { port: number };
  process.stdout.write(`floor proxy listening on http://127.0.0.1:${addr.port}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
