// The admin protocol (the methods the dashboard and the commands use) as this window answers it
// from its own core: the target the shared dispatcher drives while the server runs, and what is
// answered while it does not (the read-only views empty, as a stopped core holds no accounts;
// anything else from another window's proxy, or "not running").
import type { ProxyConfig, ProxyHandle } from '../core/proxy-types.ts';
import { AdminError, type AdminMethod, type AdminParams, type AdminResult } from '../core/admin/protocol.ts';
import type { AdminTarget } from '../core/admin/dispatch.ts';
import { monitorSeries } from '../core/admin/monitor-series.ts';
import { publicConfig } from '../core/admin/public-view.ts';
import { probeKiroProxy } from './health-probe.ts';
import { callRemoteAdmin, type RemoteEndpoint } from './remote-admin.ts';
import type { KiroSettings } from './settings-to-config.ts';

/** Read-only methods answered without creating the core while nothing runs. */
const IDLE_ANSWERS = new Set<AdminMethod>(['status', 'accounts.list', 'logs.list', 'monitor.series']);

/** The running core, as the admin dispatcher drives it. */
export function adminTargetOf(p: ProxyHandle & { getConfig?(): ProxyConfig }, config: () => ProxyConfig): AdminTarget {
  return {
    start: () => p.start(),
    stop: () => p.stop(),
    applyConfig: (patch) => p.applyConfig(patch),
    status: () => p.status(),
    onEvent: (l) => p.onEvent(l),
    accounts: p.accounts,
    logs: () => p.logs(),
    getConfig: () => p.getConfig?.() ?? config(),
  };
}

/** What an idle window answers for one of IDLE_ANSWERS: nothing runs, nothing is listed. */
function idleAnswer<M extends AdminMethod>(method: M, mock: boolean): AdminResult<M> {
  const answers: Partial<{ [K in AdminMethod]: AdminResult<K> }> = {
    status: { running: false, mode: mock ? 'mock' : 'real', requests: 0, inFlight: 0 },
    'accounts.list': [],
    'logs.list': [],
    'monitor.series': monitorSeries([], Date.now()),
  };
  return answers[method] as AdminResult<M>;
}

interface StoppedContext {
  /** This window's core, if it was created (it knows its own status even while stopped). */
  proxy: ProxyHandle | undefined;
  config(): Promise<ProxyConfig>;
  settings: KiroSettings;
  /** KIRO_MOCK_MODE=true in the environment. */
  mockEnv: boolean;
  endpoint(url: string): Promise<RemoteEndpoint>;
}

/**
 * An admin call while this window's server does not run and it follows nobody: the config and
 * the read-only views are answered here; anything else goes to a Kiro proxy that serves the port
 * (another window that started meanwhile), or fails with "not running".
 */
export async function answerWhileStopped<M extends AdminMethod>(method: M, params: AdminParams<M> | undefined, ctx: StoppedContext): Promise<AdminResult<M>> {
  if (method === 'config.get') return publicConfig(await ctx.config()) as AdminResult<M>;
  if (IDLE_ANSWERS.has(method)) {
    if (method === 'status' && ctx.proxy) return ctx.proxy.status() as AdminResult<M>;
    return idleAnswer(method, ctx.settings.mockMode || ctx.mockEnv);
  }
  const s = ctx.settings;
  const probe = s.port !== 0 ? await probeKiroProxy(s.host, s.port) : { kind: 'free' as const };
  if (probe.kind === 'kiro') return (await callRemoteAdmin(await ctx.endpoint(probe.url), method, params)) as AdminResult<M>;
  throw new AdminError('not_running', 'The proxy is not running. Start it with "Kiro: Start Proxy".');
}
