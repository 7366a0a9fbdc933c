// The "ask Kiro" step of quota-verdict.ts on an account's record: a request about to go to an
// account whose usage numbers say "used up" checks with Kiro. Nobody else uses the account
// meanwhile, and the next check waits a full interval.
import type { Logger } from '../../proxy-types.ts';
import { deriveState, type AccountRecord } from '../pool/pool-account.ts';
import { describeExhaustion } from './quota-verdict.ts';

/** True when this attempt is a probe (`again`: the same request retries its probe, e.g. after a refresh). */
export function beginQuotaProbe(r: AccountRecord, again: boolean, now: number, intervalMs: number, logger: Logger): boolean {
  if (!again && !deriveState(r, now).quotaProbe) return false;
  r.quotaProbe = { ...r.quotaProbe, inFlight: true, nextAt: now + intervalMs };
  if (!again) logger.info(`[pool] ${r.account.label}: ${describeExhaustion(r.quota!)} by the usage numbers; asking Kiro with this request`);
  return true;
}

export function endQuotaProbe(r: AccountRecord, served: boolean, logger: Logger): void {
  const probe = r.quotaProbe;
  if (!probe?.inFlight) return;
  probe.inFlight = false;
  if (served && r.quota) {
    probe.overruledFetchedAt = r.quota.fetchedAt;
    logger.info(`[pool] ${r.account.label}: Kiro still serves it although the usage numbers said ${describeExhaustion(r.quota)}; back in rotation`);
  }
}
