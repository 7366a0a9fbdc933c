// The quota service: asks Kiro for each account's usage figures (on demand and on a schedule),
// keeps them on the account's record, and lets upstream's own numbers overrule a deadline the
// pool guessed from a 402 (a plan change, a reset, overage turned on since).
import type { KiroAccountContext, KiroClient, UsageLimits } from '../../kiro/types.ts';
import { KiroUpstreamError } from '../../kiro/types.ts';
import type { AccountView } from '../../proxy-types.ts';
import { link } from '../pool/pool-attempt.ts';
import { authFailed, recordError, suspend } from '../pool/account-faults.ts';
import { deriveState, remainingQuota, type AccountRecord } from '../pool/pool-account.ts';
import type { RegistryCore } from '../pool/registry.ts';
import { startQuotaScheduler } from './quota-scheduler.ts';
import { quotaNumbersExhausted, servingOnOverage } from './quota-verdict.ts';

export interface QuotaService {
  refreshQuota(id: string, signal?: AbortSignal): Promise<AccountView>;
  refreshAllQuotas(signal?: AbortSignal): Promise<void>;
  dispose(): void;
}

export interface QuotaServiceOptions {
  registry: RegistryCore;
  client: KiroClient;
  /** Told about figures just fetched (team mode shares them). */
  onFetched?: (accountId: string, quota: UsageLimits) => void;
  /** Told when fresh figures lifted a quota-disable (team mode clears it for everyone). */
  onReenabled?: (accountId: string) => void;
}

/** Upstream's figures beat a guessed deadline: included credits left, or overage turned on since the 402. */
function adoptQuota(r: AccountRecord, quota: UsageLimits, now: number): boolean {
  r.quota = quota;
  const remaining = remainingQuota(quota);
  const overageTurnedOn = servingOnOverage(quota, now) && !r.disabledWithOverage;
  if (r.disabledUntil !== undefined && ((remaining !== undefined && remaining > 0) || overageTurnedOn) && !quotaNumbersExhausted(quota, now)) {
    r.disabledUntil = undefined;
    r.disabledReason = undefined;
    r.disabledWithOverage = undefined;
    return true;
  }
  return false;
}

export function createQuotaService(options: QuotaServiceOptions): QuotaService {
  const { registry, client } = options;
  const { clock, logger } = registry;

  async function fetchQuota(r: AccountRecord, ctx: Omit<KiroAccountContext, 'accessToken'>, signal: AbortSignal): Promise<UsageLimits> {
    let token = await r.account.tokens.getAccessToken({ signal });
    try {
      return await client.getUsageLimits({ ...ctx, accessToken: token }, signal);
    } catch (err) {
      if (!(err instanceof KiroUpstreamError) || err.cls !== 'auth_invalid') throw err;
      token = await r.account.tokens.getAccessToken({ signal, forceRefresh: true, rejectedToken: token });
      return client.getUsageLimits({ ...ctx, accessToken: token }, signal);
    }
  }

  async function refreshQuota(id: string, signal?: AbortSignal): Promise<AccountView> {
    const r = registry.mustGet(id);
    const ctl = new AbortController();
    const unlinks = [link(registry.lifetime, ctl), ...(signal ? [link(signal, ctl)] : [])];
    try {
      const quota = await fetchQuota(r, registry.contextFor(r), ctl.signal);
      // The token just worked.
      r.authFailedReason = undefined;
      const reenabled = adoptQuota(r, quota, clock.now());
      options.onFetched?.(r.account.id, quota);
      if (reenabled) options.onReenabled?.(r.account.id);
      registry.changed();
      return registry.view(r);
    } catch (err) {
      if (ctl.signal.aborted) throw ctl.signal.reason ?? err;
      if (err instanceof KiroUpstreamError) {
        recordError(r, clock.now(), `quota: ${err.message}`, err.cls, false);
        if (err.cls === 'auth_invalid') authFailed(r, err);
        else if (err.cls === 'suspended') suspend(r, err, logger);
        registry.changed();
        if (err.cls === 'suspended' || err.cls === 'auth_invalid') return registry.view(r);
      } else {
        recordError(r, clock.now(), `quota: ${err instanceof Error ? err.message : String(err)}`, 'token', false);
        registry.changed();
      }
      throw err;
    } finally {
      for (const u of unlinks) u();
    }
  }

  async function refreshAllQuotas(signal?: AbortSignal): Promise<void> {
    for (const r of [...registry.records()]) {
      if (registry.disposed || signal?.aborted) return;
      const state = deriveState(r, clock.now());
      // Asking about an account that cannot be used (user-disabled, suspended, needs login) only adds noise upstream.
      if (!r.enabled || r.suspendedReason || state.state === 'expired') continue;
      await refreshQuota(r.account.id, signal).catch((err: unknown) => {
        logger.debug(`[pool] quota refresh of ${r.account.label} failed: ${(err as Error)?.message ?? 'unknown error'}`);
      });
    }
  }

  const { tuning } = registry.settings;
  const scheduler = startQuotaScheduler({
    clock,
    logger,
    intervalMs: tuning.quotaRefreshIntervalMs,
    initialDelayMs: tuning.quotaInitialDelayMs,
    run: () => refreshAllQuotas(registry.lifetime),
  });

  return { refreshQuota, refreshAllQuotas, dispose: () => scheduler.dispose() };
}
