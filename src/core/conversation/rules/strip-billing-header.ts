// Rule strip-billing-header: Claude Code's first system block is an
// `x-anthropic-billing-header: …` pseudo-header (seen in every request of Claude Code 2.1.197,
// the first of its three system blocks). It means nothing to the model
// and changes between requests, which would defeat Kiro's prompt caching.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

const BILLING_LINE = /^x-anthropic-billing-header:.*(?:\r?\n|$)/gim;

export function stripBillingHeader(d: Draft, log: RuleLog): Draft {
  if (!/^x-anthropic-billing-header:/im.test(d.system)) return d;
  log.fire('strip-billing-header', 'removed the x-anthropic-billing-header line from the system text');
  return { ...d, system: d.system.replace(BILLING_LINE, '').trim() };
}
