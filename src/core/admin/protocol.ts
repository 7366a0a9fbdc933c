// The dashboard's admin protocol, in one place for every transport:
//   HTTP   POST /api/<method> {params} → {result} | {error}; GET /api/events → SSE of ProxyEvent
//   VS Code webview postMessage {kind:'request', id, method, params} → {kind:'response', id, result | error}
// Browser-safe: no node imports (the dashboard bundle imports this file).
// zod/mini: the full `zod` entry adds ~450 KB to the browser bundle; mini is ~13 KB.
import * as z from 'zod/mini';
import type { AccountView, ProxyConfig, ProxyEvent, ProxyStatus, RequestLogEntry } from '../proxy-types.ts';
import { TRUNCATION_STRATEGIES, type TruncationStrategy } from './truncation-strategy.ts';
import { truncationShape, unwrap, valueSchema, valueShape } from '../config/schema.ts';
import { ADMIN_KEYS } from '../config/surfaces.ts';

export { SELECTION_STRATEGIES } from '../config/schema.ts';

const str = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const id = str(1, 200);
const empty = z.optional(z.strictObject({}));

/**
 * The config a dashboard may see: what it may change (ADMIN_KEYS and the three views), plus where
 * the proxy listens. Never the API key or credentials: only whether a key is required.
 */
export type PublicConfig = Pick<ProxyConfig, (typeof ADMIN_KEYS)[number] | 'port' | 'host' | 'mock' | 'ssoCache'> & {
  apiKeyRequired: boolean;
  truncationStrategy: TruncationStrategy;
  maxRequestBytes: number;
  /** '' when unset (unknown model names get 404). */
  fallbackModel: string;
};

/**
 * What a dashboard may change: the fields of config/surfaces.ts ADMIN_KEYS with the schema's bounds,
 * and three views of the config (truncationStrategy, maxRequestBytes, fallbackModel '' = none).
 * Network settings (host, port, API key, CORS) are deliberately absent: a page must never be able
 * to rebind the proxy or drop its authentication.
 */
export const configPatchSchema = z.partial(
  z.strictObject({
    ...valueShape(ADMIN_KEYS),
    truncationStrategy: z.enum(TRUNCATION_STRATEGIES),
    maxRequestBytes: unwrap(truncationShape.maxRequestBytes),
    fallbackModel: valueSchema('fallbackModel'),
  }),
);
export type ConfigPatch = z.infer<typeof configPatchSchema>;

interface SsoTokenFile {
  path: string;
  label: string;
  alreadyImported: boolean;
}

export interface MonitorBucket {
  /** Bucket start, epoch ms. */
  start: number;
  requests: number;
  /** 4xx/5xx answers (observe/request-outcome.ts); client aborts are not errors. */
  errors: number;
  /** Requests the client gave up on (499). */
  aborted: number;
  p50Ms: number | null;
  p95Ms: number | null;
  tokensIn: number;
  tokensOut: number;
}

export interface MonitorSeries {
  bucketMs: number;
  buckets: MonitorBucket[];
  totals: { requests: number; errors: number; aborted: number; p50Ms: number | null; p95Ms: number | null };
}

export const adminParamSchemas = {
  status: empty,
  'accounts.list': empty,
  'accounts.refresh': z.strictObject({ id }),
  'accounts.refreshQuota': z.strictObject({ id }),
  'accounts.remove': z.strictObject({ id }),
  'accounts.setEnabled': z.strictObject({ id, enabled: z.boolean() }),
  'accounts.setLabel': z.strictObject({ id, label: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)) }),
  'accounts.import': z.strictObject({ json: str(2, 1_000_000), source: z.optional(str(0, 200)) }),
  'accounts.scanSso': empty,
  'accounts.importSso': z.strictObject({ path: str(1, 4096) }),
  'logs.list': z.optional(z.strictObject({ limit: z.optional(int(1, 5000)), sinceTime: z.optional(z.number()) })),
  'monitor.series': z.optional(z.strictObject({ minutes: z.optional(int(1, 24 * 60)), bucketSeconds: z.optional(int(5, 3600)) })),
  'config.get': empty,
  'config.update': configPatchSchema,
} satisfies Record<string, z.ZodMiniType>;

export type AdminMethod = keyof typeof adminParamSchemas;

export type AdminParams<M extends AdminMethod> = z.input<(typeof adminParamSchemas)[M]>;

/** The typed method map: method → result. */
interface AdminResults {
  status: ProxyStatus;
  'accounts.list': AccountView[];
  'accounts.refresh': AccountView;
  'accounts.refreshQuota': AccountView;
  'accounts.remove': null;
  'accounts.setEnabled': null;
  'accounts.setLabel': null;
  'accounts.import': AccountView[];
  'accounts.scanSso': SsoTokenFile[];
  'accounts.importSso': AccountView;
  'logs.list': RequestLogEntry[];
  'monitor.series': MonitorSeries;
  'config.get': PublicConfig;
  'config.update': PublicConfig;
}
export type AdminResult<M extends AdminMethod> = AdminResults[M];

export function isAdminMethod(name: string): name is AdminMethod {
  return Object.hasOwn(adminParamSchemas, name);
}

export type AdminErrorCode = 'unknown_method' | 'invalid_params' | 'not_found' | 'not_running' | 'failed';

export interface AdminErrorBody {
  code: AdminErrorCode;
  message: string;
}

/** An admin failure with a stable code; HTTP maps the code to a status. */
export class AdminError extends Error {
  readonly code: AdminErrorCode;
  constructor(code: AdminErrorCode, message: string) {
    super(message);
    this.name = 'AdminError';
    this.code = code;
  }
}

export const ADMIN_ERROR_STATUS: Record<AdminErrorCode, number> = {
  unknown_method: 404,
  invalid_params: 400,
  not_found: 404,
  not_running: 503,
  failed: 500,
};

/** A one-line summary of a zod error (paths and messages, never the values). */
export function describeZodError(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`)
    .join('; ');
}

// ---- webview ⇄ host envelope (postMessage) ----

export const webviewToHostSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({ kind: z.literal('request'), id: int(0, Number.MAX_SAFE_INTEGER), method: str(1, 100), params: z.optional(z.unknown()) }),
  /** Host-side commands the dashboard can trigger (VS Code only: e.g. open settings, run a palette command). */
  z.strictObject({ kind: z.literal('command'), command: z.enum(['start', 'stop', 'restart', 'openSettings', 'addAccount', 'scanTokens', 'configureClient']) }),
]);

export interface HostInfo {
  /** 'vscode' in the editor, 'http' for the browser dashboard. */
  host: 'vscode' | 'http';
  /** VS Code: which window serves (this one, another one, none). */
  serving?: 'this-window' | 'other-window' | 'stopped' | 'starting' | 'error';
  message?: string;
}

const hostInfoSchema = z.object({ host: z.enum(['vscode', 'http']), serving: z.optional(z.string()), message: z.optional(z.string()) });
export const hostToWebviewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), info: hostInfoSchema }),
  z.object({
    kind: z.literal('response'),
    id: z.number(),
    result: z.optional(z.unknown()),
    error: z.optional(z.object({ code: z.string(), message: z.string() })),
  }),
  z.object({ kind: z.literal('event'), event: z.looseObject({ type: z.enum(['status', 'request', 'accounts']) }) }),
  z.object({ kind: z.literal('hostInfo'), info: hostInfoSchema }),
]);
export type HostToWebview =
  | { kind: 'hello'; info: HostInfo }
  | { kind: 'response'; id: number; result?: unknown; error?: AdminErrorBody }
  | { kind: 'event'; event: ProxyEvent }
  | { kind: 'hostInfo'; info: HostInfo };
