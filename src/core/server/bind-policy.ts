// Where the proxy may listen. Loopback needs nothing; anything reachable from the network (a LAN
// IP, 0.0.0.0, ::, a host name) exposes the user's Kiro accounts, so it needs both an API key and
// an explicit list of Host names clients will use (the guard's DNS-rebinding allow-list).
import { isIP } from 'node:net';

/** Lowercased host without brackets or a trailing dot (`[::1]` → `::1`, `localhost.` → `localhost`). */
export function normaliseHostname(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** localhost, 127.0.0.0/8, ::1 and the IPv4-mapped ::ffff:127.x form. */
export function isLoopbackHost(host: string): boolean {
  const h = normaliseHostname(host);
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export type BindPolicyResult = { ok: true; loopback: boolean } | { ok: false; message: string };

export function checkBindPolicy(host: string, apiKey: string | undefined, allowedHosts: readonly string[]): BindPolicyResult {
  if (isLoopbackHost(host)) return { ok: true, loopback: true };
  const shown = host.trim() === '' ? '(all interfaces)' : host;
  const missing: string[] = [];
  if (!apiKey || apiKey.trim() === '') missing.push('an API key (--api-key or KIRO_PROXY_API_KEY)');
  const explicit = allowedHosts.map((h) => h.trim()).filter((h) => h !== '' && h !== '*');
  if (explicit.length === 0 || explicit.length !== allowedHosts.length) {
    missing.push('an explicit allowedHosts list naming the host names clients connect with (no "*")');
  }
  if (missing.length === 0) return { ok: true, loopback: false };
  return {
    ok: false,
    message:
      `Refusing to listen on ${shown}: it is not a loopback address, so anyone on the network could use your Kiro accounts. ` +
      `Either listen on 127.0.0.1 (the default) or set ${missing.join(' and ')}.`,
  };
}
