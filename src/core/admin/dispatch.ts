// The one implementation of the admin methods; HTTP (/api/*) and the VS Code webview host call it.
import type { ProxyConfig, ProxyHandle } from '../proxy-types.ts';
import { AdminError, adminParamSchemas, describeZodError, isAdminMethod, type AdminMethod, type ConfigPatch } from './protocol.ts';
import { publicConfig, publicLogEntry } from './public-view.ts';
import { monitorSeries } from './monitor-series.ts';
import { truncationSwitches } from './truncation-strategy.ts';
import { ADMIN_KEYS } from '../config/surfaces.ts';

/** What the admin API needs of a proxy: the handle plus its current config. */
export type AdminTarget = ProxyHandle & { getConfig(): ProxyConfig };

/**
 * Validates `params` for `method` and runs it. Throws AdminError (stable code) for unknown
 * methods, bad params and unknown accounts; other errors from the core pass through.
 */
export async function dispatchAdmin(method: string, params: unknown, proxy: AdminTarget, now: () => number = Date.now): Promise<unknown> {
  if (!isAdminMethod(method)) throw new AdminError('unknown_method', `unknown admin method: ${method}`);
  const parsed = adminParamSchemas[method].safeParse(params ?? undefined);
  if (!parsed.success) throw new AdminError('invalid_params', `${method}: ${describeZodError(parsed.error)}`);
  return run(method, parsed.data, proxy, now);
}

function knownAccount(proxy: AdminTarget, id: string): void {
  if (!proxy.accounts.list().some((a) => a.id === id)) throw new AdminError('not_found', `no account with id ${id}`);
}

async function run(method: AdminMethod, p: Record<string, unknown> | undefined, proxy: AdminTarget, now: () => number): Promise<unknown> {
  const params = p ?? {};
  const idParam = params['id'] as string;
  switch (method) {
    case 'status':
      return proxy.status();
    case 'accounts.list':
      return proxy.accounts.list();
    case 'accounts.refresh':
      knownAccount(proxy, idParam);
      return proxy.accounts.refresh(idParam);
    case 'accounts.refreshQuota':
      knownAccount(proxy, idParam);
      return proxy.accounts.refreshQuota(idParam);
    case 'accounts.remove':
      knownAccount(proxy, idParam);
      await proxy.accounts.remove(idParam);
      return null;
    case 'accounts.setEnabled':
      knownAccount(proxy, idParam);
      await proxy.accounts.setEnabled(idParam, params['enabled'] as boolean);
      return null;
    case 'accounts.setLabel':
      knownAccount(proxy, idParam);
      await proxy.accounts.setLabel(idParam, params['label'] as string);
      return null;
    case 'accounts.import':
      return proxy.accounts.importJson(params['json'] as string, (params['source'] as string | undefined) ?? 'dashboard import');
    case 'accounts.scanSso':
      return proxy.accounts.scanSsoCache();
    case 'accounts.importSso': {
      // Only files the scan itself found: an admin caller must not make us read arbitrary paths.
      const path = params['path'] as string;
      const found = await proxy.accounts.scanSsoCache();
      if (!found.some((f) => f.path === path)) throw new AdminError('not_found', 'not a token file of the SSO cache');
      return proxy.accounts.importSsoFile(path);
    }
    case 'logs.list': {
      const logBodies = proxy.getConfig().logBodies;
      const since = params['sinceTime'] as number | undefined;
      const limit = (params['limit'] as number | undefined) ?? 500;
      const all = proxy.logs().filter((e) => since === undefined || e.time > since);
      return all.slice(-limit).map((e) => publicLogEntry(e, logBodies));
    }
    case 'monitor.series':
      return monitorSeries(proxy.logs(), now(), params['minutes'] as number | undefined, params['bucketSeconds'] as number | undefined);
    case 'config.get':
      return publicConfig(proxy.getConfig());
    case 'config.update':
      await proxy.applyConfig(configPatchToProxy(params, proxy.getConfig()));
      return publicConfig(proxy.getConfig());
  }
}

/** Maps a dashboard patch onto the core's config shape. */
function configPatchToProxy(patch: ConfigPatch, current: ProxyConfig): Partial<ProxyConfig> {
  const out: Record<string, unknown> = {};
  for (const key of ADMIN_KEYS) if (patch[key] !== undefined) out[key] = patch[key];
  if (patch.fallbackModel !== undefined) out['fallbackModel'] = patch.fallbackModel.trim() || undefined;
  if (patch.truncationStrategy !== undefined || patch.maxRequestBytes !== undefined) {
    out['truncation'] = {
      ...current.truncation,
      ...(patch.truncationStrategy !== undefined ? truncationSwitches(patch.truncationStrategy) : {}),
      ...(patch.maxRequestBytes !== undefined ? { maxRequestBytes: patch.maxRequestBytes } : {}),
    };
  }
  return out;
}
