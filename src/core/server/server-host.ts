// What the HTTP surface needs from the running proxy beyond the pipeline's CompletionDeps: a
// narrow interface the composition root implements (proxy.ts / runtime.ts), so the router owns
// routing, guarding, body reading and JSON shapes itself.
import type { AccountView, RequestLogEntry } from '../proxy-types.ts';
import type { AdminTarget } from '../admin/dispatch.ts';
import type { HealthFacts } from './health.ts';

export interface ServerHost {
  /** The port the server listens on (the guard checks Host against it). */
  port(): number;
  health(): HealthFacts;
  /** Scrubbed account views (/loadbalancer/instances). */
  accounts(): AccountView[];
  /** Prometheus exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** The proxy the admin API (/api/*) acts on. */
  admin: AdminTarget;
  /** Folder with the built dashboard (webview.js, dashboard.css). */
  dashboardDir: string;
  /** Slow-client limits of the request body reader (defaults in body.ts); tests shorten them. */
  bodyTimeouts?: { idleMs?: number; totalMs?: number };
  /** A completion or count_tokens request began (requests in flight). */
  requestStarted(): void;
  /** …and ended: its log entry, complete (status, account, usage). */
  requestFinished(entry: RequestLogEntry): void;
}
