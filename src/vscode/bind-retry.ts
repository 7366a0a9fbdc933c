// Binding the configured port when it may still be in the hands of a server that is going away
// (our own previous one, or another window's that is closing). EADDRINUSE is retried briefly;
// each time the port is probed first, so a Kiro proxy of another window is followed, and "used
// by another program" is concluded only when the port stays taken by something that is not us.
import { setTimeout as sleep } from 'node:timers/promises';
import { probeKiroProxy, type ProbeResult } from './health-probe.ts';

export type BindOutcome = { kind: 'bound' } | { kind: 'kiro'; url: string; instance?: string } | { kind: 'foreign'; reason: string };

export interface BindRetryDeps {
  bind(): Promise<void>;
  probe(): Promise<ProbeResult>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** How long EADDRINUSE may last before the port counts as taken (default 2 s). */
  budgetMs?: number;
}

const DELAYS_MS = [50, 100, 200, 400, 800];

export function isAddrInUse(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    if ((e as { code?: unknown }).code === 'EADDRINUSE') return true;
    if (e instanceof Error && /EADDRINUSE/.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Binds, retrying EADDRINUSE within the budget; other bind errors are thrown as they are. */
export async function bindWithRetry(deps: BindRetryDeps): Promise<BindOutcome> {
  const deadline = deps.now() + (deps.budgetMs ?? 2000);
  let lastReason = 'the port is in use';
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.bind();
      return { kind: 'bound' };
    } catch (err) {
      if (!isAddrInUse(err)) throw err;
    }
    const probe = await deps.probe();
    if (probe.kind === 'kiro') return probe;
    if (probe.kind === 'foreign') lastReason = probe.reason;
    if (deps.now() >= deadline) return { kind: 'foreign', reason: lastReason };
    await deps.sleep(Math.min(DELAYS_MS[Math.min(attempt, DELAYS_MS.length - 1)]!, Math.max(0, deadline - deps.now())));
  }
}

/** Starts a server on the configured port: port 0 (any free port) binds once, a fixed port with retries. */
export async function listenOnConfiguredPort(start: () => Promise<unknown>, host: string, port: number): Promise<BindOutcome> {
  if (port === 0) {
    await start();
    return { kind: 'bound' };
  }
  return bindWithRetry({
    bind: async () => void (await start()),
    probe: () => probeKiroProxy(host, port),
    sleep: (ms) => sleep(ms),
    now: () => Date.now(),
  });
}
