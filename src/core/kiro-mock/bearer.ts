// The runtime's bearer check: unknown, missing and expired tokens all get Kiro's 403
// AccessDeniedException (kiro-protocol.md §8.1), which is what makes the proxy refresh.
import type { MockAccount } from './accounts.ts';
import type { RouteCall } from './context.ts';
import { sendKiroError } from './http-io.ts';
import { BEARER_INVALID, namespacedType } from './kiro-errors.ts';

export function requireBearer({ req, res, ctx, rec }: RouteCall): MockAccount | undefined {
  const check = ctx.accounts.checkBearer(req.headers.authorization);
  if (check.ok) {
    rec.accountId = check.account.id;
    return check.account;
  }
  sendKiroError(res, 403, { message: BEARER_INVALID, reason: null, __type: namespacedType('AccessDeniedException') }, 'AccessDeniedException');
  return undefined;
}
