// Out-of-process control of a running mock (benchmarks, `kiro-proxy --mock`): the only routes
// under /__mock, kept apart from anything that imitates Kiro.
import type { RouteCall, RouteHandler } from './context.ts';
import { bodyObject, sendJson } from './http-io.ts';
import { checkStepShape, type MockStep } from './script.ts';

export interface MockControl {
  enqueue(...steps: MockStep[]): void;
  enqueueFor(accountIdOrRefreshToken: string, ...steps: MockStep[]): void;
  reset(): void;
  state(): unknown;
  readonly requests: readonly unknown[];
  /** Token refreshes with the time each answer was sent (crash tests). */
  readonly refreshLog: readonly unknown[];
  setRefreshDelay(ms: number): void;
}

/**
 * POST /__mock/script — body: a step, an array of steps, or `{steps, account?}`.
 * Bad steps are refused whole so a benchmark never runs on a half-applied script.
 */
function scriptRoute(control: MockControl): RouteHandler {
  return ({ res, body }: RouteCall) => {
    const p = body.parsed;
    const obj = bodyObject(p);
    const steps: unknown[] = Array.isArray(p) ? p : Array.isArray(obj['steps']) ? (obj['steps'] as unknown[]) : [p];
    const problems = steps.map(checkStepShape).filter((x): x is string => x !== undefined);
    if (body.malformed || problems.length > 0) {
      sendJson(res, 400, { error: 'bad_script', problems: body.malformed ? ['body is not JSON'] : problems });
      return;
    }
    const account = obj['account'];
    try {
      if (typeof account === 'string') control.enqueueFor(account, ...(steps as MockStep[]));
      else control.enqueue(...(steps as MockStep[]));
    } catch (err) {
      sendJson(res, 404, { error: 'unknown_account', message: (err as Error).message });
      return;
    }
    sendJson(res, 200, { queued: steps.length });
  };
}

export function controlRoutes(control: MockControl): Record<string, RouteHandler> {
  return {
    'POST /__mock/script': scriptRoute(control),
    'GET /__mock/requests': ({ res }) => sendJson(res, 200, control.requests),
    'POST /__mock/reset': ({ res }) => {
      control.reset();
      sendJson(res, 200, { reset: true });
    },
    'GET /__mock/state': ({ res }) => sendJson(res, 200, control.state()),
    'GET /__mock/refreshes': ({ res }) => sendJson(res, 200, control.refreshLog),
    'POST /__mock/refresh-delay': ({ res, body }) => {
      const ms = bodyObject(body.parsed)['ms'];
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        sendJson(res, 400, { error: 'bad_delay', problems: ['ms must be a non-negative number'] });
        return;
      }
      control.setRefreshDelay(ms);
      sendJson(res, 200, { delayMs: ms });
    },
  };
}
