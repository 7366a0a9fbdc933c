// Who answers on the proxy port? Another window's Kiro proxy, a foreign program, or nobody.
export type ProbeResult = { kind: 'kiro'; url: string } | { kind: 'foreign' } | { kind: 'free' };

/** Loopback address to reach a listener bound to `host` (a wildcard bind is reachable on loopback). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === 'localhost') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function probeKiroProxy(host: string, port: number, signal?: AbortSignal): Promise<ProbeResult> {
  const base = `http://${probeHost(host)}:${port}`;
  const timeout = AbortSignal.timeout(1500);
  const sig = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(`${base}/`, { signal: sig, headers: { accept: 'application/json' } });
  } catch (err) {
    // Refused: nobody listens. Timeouts or resets: something is there but it is not us.
    return isRefused(err) ? { kind: 'free' } : { kind: 'foreign' };
  }
  try {
    const body = (await res.json()) as { name?: unknown; status?: unknown };
    return res.ok && body?.name === 'kiro-proxy' && body?.status === 'ok' ? { kind: 'kiro', url: base } : { kind: 'foreign' };
  } catch {
    return { kind: 'foreign' };
  }
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
