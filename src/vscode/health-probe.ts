// Who answers on the proxy port? A Kiro proxy (which instance), a foreign program, or nobody.
// Each probe opens its own connection and closes it (no keep-alive pool): a socket pooled from
// before a restart would be dead and make our own port look taken by "another program".
import { request } from 'node:http';

export type ProbeResult = { kind: 'kiro'; url: string; instance?: string } | { kind: 'foreign'; reason: string } | { kind: 'free' };

const PROBE_TIMEOUT_MS = 1500;
const MAX_BODY = 64 * 1024;

/** Loopback address to reach a listener bound to `host` (a wildcard bind is reachable on loopback). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === 'localhost') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** What a /health body says about who answered (pure, for tests). */
export function classifyHealth(status: number, body: string, url: string): ProbeResult {
  if (status !== 200) return { kind: 'foreign', reason: `GET /health answered HTTP ${status}` };
  try {
    const json = JSON.parse(body) as { service?: unknown; status?: unknown; instance?: unknown };
    if (json?.service === 'kiro-proxy' && (json.status === 'ok' || json.status === 'degraded')) {
      return { kind: 'kiro', url, ...(typeof json.instance === 'string' ? { instance: json.instance } : {}) };
    }
  } catch {
    // not JSON: not us
  }
  return { kind: 'foreign', reason: 'GET /health did not answer as Kiro Proxy' };
}

export function probeKiroProxy(host: string, port: number, signal?: AbortSignal): Promise<ProbeResult> {
  const hostname = probeHost(host);
  const url = `http://${hostname}:${port}`;
  return new Promise((resolve) => {
    const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    const sig = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req = request(
      {
        host: hostname.replace(/^\[|\]$/g, ''),
        port,
        path: '/health',
        method: 'GET',
        agent: false,
        headers: { accept: 'application/json', connection: 'close', host: `${hostname}:${port}` },
        signal: sig,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_BODY) res.destroy();
        });
        res.on('end', () => done(classifyHealth(res.statusCode ?? 0, body, url)));
        res.on('error', () => done({ kind: 'foreign', reason: 'the answer to GET /health broke off' }));
        res.on('close', () => done(classifyHealth(res.statusCode ?? 0, body, url)));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // Refused: nobody listens. Timeouts or resets on a fresh connection: something is there but not us.
      done(isRefused(err) ? { kind: 'free' } : { kind: 'foreign', reason: err.code ?? err.name ?? err.message });
    });
    req.end();
  });
}

function isRefused(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Codes of a connection that broke mid-way: a server that is closing or just starting, not a verdict. */
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ABORT_ERR', 'TimeoutError', 'AbortError']);

/**
 * A probe that does not take a port in transition (a server killed or closing right now resets
 * the connection) for "another program": a transient failure is probed again a few times.
 */
export async function probeSettled(host: string, port: number, attempts = 4, pauseMs = 300): Promise<ProbeResult> {
  let r = await probeKiroProxy(host, port);
  for (let i = 1; i < attempts && r.kind === 'foreign' && TRANSIENT.has(r.reason); i++) {
    await new Promise((ok) => setTimeout(ok, pauseMs));
    r = await probeKiroProxy(host, port);
  }
  return r;
}
