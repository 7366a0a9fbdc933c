// An in-memory AdminTarget for admin protocol tests (no network, no upstream).
import type { AccountView, ProxyConfig, ProxyEvent, RequestLogEntry } from '../../../src/core/proxy-types.ts';
import type { AdminTarget } from '../../../src/core/admin/dispatch.ts';
import { defaultConfig } from '../../../src/core/config.ts';

export function account(id: string, over: Partial<AccountView> = {}): AccountView {
  return {
    id,
    label: `Account ${id}`,
    state: 'active',
    authMethod: 'social',
    source: 'test',
    enabled: true,
    counters: { requests: 0, errors: 0, inFlight: 0, tokensIn: 0, tokensOut: 0, credits: 0 },
    ...over,
  };
}

export function fakeProxy(opts: { accounts?: AccountView[]; logs?: RequestLogEntry[]; config?: Partial<ProxyConfig> } = {}) {
  let config = defaultConfig({ apiKey: 'kp-secret-key', ...opts.config });
  const accounts = [...(opts.accounts ?? [])];
  const logs = [...(opts.logs ?? [])];
  const listeners = new Set<(ev: ProxyEvent) => void>();
  const calls: string[] = [];
  const target: AdminTarget = {
    start: async () => ({ url: 'http://127.0.0.1:1', port: 1 }),
    stop: async () => undefined,
    applyConfig: async (patch) => {
      calls.push(`applyConfig ${Object.keys(patch).join(',')}`);
      config = { ...config, ...patch };
    },
    status: () => ({ running: true, mode: 'mock', requests: logs.length, inFlight: 0, url: 'http://127.0.0.1:1', port: 1 }),
    onEvent: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    accounts: {
      list: () => accounts,
      refresh: async (id) => accounts.find((a) => a.id === id)!,
      refreshQuota: async (id) => accounts.find((a) => a.id === id)!,
      remove: async (id) => {
        calls.push(`remove ${id}`);
        accounts.splice(
          accounts.findIndex((a) => a.id === id),
          1,
        );
      },
      setEnabled: async (id, enabled) => void calls.push(`setEnabled ${id} ${enabled}`),
      setLabel: async (id, label) => void calls.push(`setLabel ${id} ${label}`),
      importJson: async (_json, source) => {
        const a = account(`imported-${accounts.length}`, { source });
        accounts.push(a);
        return [a];
      },
      scanSsoCache: async () => [{ path: '/sso/kiro-auth-token.json', label: 'Google (kiro-auth-token.json)', alreadyImported: false }],
      importSsoFile: async (path) => {
        calls.push(`importSso ${path}`);
        return account('sso');
      },
      loginSocial: async () => {
        throw new Error('not in tests');
      },
      startDeviceLogin: async () => {
        throw new Error('not in tests');
      },
      exportJson: async () => '[]',
    },
    logs: () => logs,
    getConfig: () => config,
  };
  return { target, calls, emit: (ev: ProxyEvent) => listeners.forEach((l) => l(ev)), listenerCount: () => listeners.size };
}

export function logEntry(over: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return { id: `r${Math.random()}`, time: Date.now(), method: 'POST', route: '/v1/messages', status: 200, durationMs: 120, stream: true, ...over };
}
