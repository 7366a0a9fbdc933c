// Low-level HTTP for security tests: node:http (fetch forbids setting Host) and raw sockets
// (to stall mid-body or send headers no client library would).
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { createProxy, type Proxy, type ProxyDeps } from '../../../src/core/proxy.ts';
import { defaultConfig } from '../../../src/core/config.ts';
import type { ProxyConfig } from '../../../src/core/proxy-types.ts';
import { captureLogger, memorySecretStore, type CapturedLogger } from '../../helpers/proxy.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

export function http(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function postJson(port: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return http(port, { method: 'POST', path, body: text, headers: { 'content-type': 'application/json', host: `127.0.0.1:${port}`, ...headers } });
}

/**
 * Writes `head` (request line + headers, CRLF-terminated, blank line included) and an optional
 * partial body, then keeps the socket open and returns whatever the server answers before it
 * closes (or `timeoutMs` passes).
 */
export function rawExchange(port: number, head: string, partialBody = '', timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    sock.on('connect', () => {
      sock.write(head);
      if (partialBody) sock.write(partialBody);
    });
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (err) => {
      clearTimeout(timer);
      if (chunks.length) resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

export const ANTHROPIC_BODY = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] };
export const OPENAI_BODY = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello' }] };

/** A mock-mode proxy with extra ProxyDeps (the shared helper does not take deps). */
export async function startWithDeps(
  overrides: Partial<ProxyConfig>,
  extra: Partial<ProxyDeps> = {},
): Promise<{ proxy: Proxy; port: number; url: string; logger: CapturedLogger; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kiro-proxy-sec-'));
  const logger = captureLogger();
  const config = defaultConfig({ port: 0, mock: true, home: join(dir, 'home'), ssoCache: join(dir, 'sso'), importSsoCacheOnStart: false, ...overrides });
  const proxy = createProxy(config, { logger, secrets: memorySecretStore(), ...extra });
  const started = await proxy.start();
  return {
    proxy,
    port: started.port,
    url: started.url,
    logger,
    async close() {
      await proxy.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
