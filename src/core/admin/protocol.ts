// The dashboard's admin protocol, in one place for every transport:
//   HTTP   POST /api/<method> {params} → {result} | {error}; GET /api/events → SSE of ProxyEvent
//   VS Code webview postMessage {kind:'request', id, method, params} → {kind:'response', id, result | error}
// Browser-safe: no node imports (the dashboard bundle imports this file).
import { z } from 'zod';
import type { AccountView, ProxyEvent, ProxyStatus, RequestLogEntry, SelectionStrategy } from '../proxy-types.ts';
import { TRUNCATION_STRATEGIES, type TruncationStrategy } from './truncation-strategy.ts';

export const SELECTION_STRATEGIES = ['least-used', 'round-robin', 'most-quota'] as const satisfies readonly SelectionStrategy[];

const id = z.string().min(1).max(200);
const empty = z.object({}).strict().optional();

/** The config a dashboard may see. Never the API key or credentials: only whether a key is required. */
export interface PublicConfig {
  port: number;
  host: string;
  apiKeyRequired: boolean;
  mock: boolean;
  ssoCache: string;
  selectionStrategy: SelectionStrategy;
  cooldownSeconds: number;
  accountConcurrency: number;
  truncationStrategy: TruncationStrategy;
  maxRequestBytes: number;
  modelMap: Record<string, string>;
  logBodies: boolean;
  requestTimeoutMs: number;
  firstTokenTimeoutMs: number;
  cacheEnabled: boolean;
}

/**
 * What a dashboard may change. Network settings (host, port, API key, CORS) are deliberately absent:
 * a page must never be able to rebind the proxy or drop its authentication.
 */
export const configPatchSchema = z
  .object({
    selectionStrategy: z.enum(SELECTION_STRATEGIES),
    cooldownSeconds: z.number().int().min(0).max(86_400),
    accountConcurrency: z.number().int().min(1).max(64),
    truncationStrategy: z.enum(TRUNCATION_STRATEGIES),
    maxRequestBytes: z.number().int().min(10_000).max(50_000_000),
    modelMap: z.record(z.string().min(1).max(200), z.string().min(1).max(200)),
    logBodies: z.boolean(),
    requestTimeoutMs: z.number().int().min(0).max(3_600_000),
    firstTokenTimeoutMs: z.number().int().min(0).max(3_600_000),
    cacheEnabled: z.boolean(),
  })
  .partial()
  .strict();
export type ConfigPatch = z.infer<typeof configPatchSchema>;

export interface SsoTokenFile {
  path: string;
  label: string;
  alreadyImported: boolean;
}

export interface MonitorBucket {
  /** Bucket start, epoch ms. */
  start: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  tokensIn: number;
  tokensOut: number;
}

export interface MonitorSeries {
  bucketMs: number;
  buckets: MonitorBucket[];
  totals: { requests: number; errors: number; p50Ms: number | null; p95Ms: number | null };
}

export const adminParamSchemas = {
  status: empty,
  'accounts.list': empty,
  'accounts.refresh': z.object({ id }).strict(),
  'accounts.refreshQuota': z.object({ id }).strict(),
  'accounts.remove': z.object({ id }).strict(),
  'accounts.setEnabled': z.object({ id, enabled: z.boolean() }).strict(),
  'accounts.setLabel': z.object({ id, label: z.string().trim().min(1).max(120) }).strict(),
  'accounts.import': z.object({ json: z.string().min(2).max(1_000_000), source: z.string().max(200).optional() }).strict(),
  'accounts.scanSso': empty,
  'accounts.importSso': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'logs.list': z.object({ limit: z.number().int().min(1).max(5000).optional(), sinceTime: z.number().optional() }).strict().optional(),
  'monitor.series': z
    .object({ minutes: z.number().int().min(1).max(24 * 60).optional(), bucketSeconds: z.number().int().min(5).max(3600).optional() })
    .strict()
    .optional(),
  'config.get': empty,
  'config.update': configPatchSchema,
} satisfies Record<string, z.ZodType>;

export type AdminMethod = keyof typeof adminParamSchemas;
export const ADMIN_METHODS = Object.keys(adminParamSchemas) as AdminMethod[];

export type AdminParams<M extends AdminMethod> = z.input<(typeof adminParamSchemas)[M]>;

/** The typed method map: method → result. */
export interface AdminResults {
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
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`)
    .join('; ');
}

// ---- webview ⇄ host envelope (postMessage) ----

export const webviewToHostSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }).strict(),
  z.object({ kind: z.literal('request'), id: z.number().int().nonnegative(), method: z.string().max(100), params: z.unknown().optional() }).strict(),
  /** Host-side commands the dashboard can trigger (VS Code only: e.g. open settings, run a palette command). */
  z.object({ kind: z.literal('command'), command: z.enum(['start', 'stop', 'restart', 'openSettings', 'addAccount', 'scanTokens', 'configureClaude']) }).strict(),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;

export interface HostInfo {
  /** 'vscode' in the editor, 'http' for the browser dashboard. */
  host: 'vscode' | 'http';
  /** VS Code: which window serves (this one, another one, none). */
  serving?: 'this-window' | 'other-window' | 'stopped' | 'starting' | 'error';
  message?: string;
}

export const hostToWebviewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), info: z.object({ host: z.enum(['vscode', 'http']), serving: z.string().optional(), message: z.string().optional() }) }),
  z.object({ kind: z.literal('response'), id: z.number(), result: z.unknown().optional(), error: z.object({ code: z.string(), message: z.string() }).optional() }),
  z.object({ kind: z.literal('event'), event: z.object({ type: z.enum(['status', 'request', 'accounts']) }).loose() }),
  z.object({ kind: z.literal('hostInfo'), info: z.object({ host: z.enum(['vscode', 'http']), serving: z.string().optional(), message: z.string().optional() }) }),
]);
export type HostToWebview =
  | { kind: 'hello'; info: HostInfo }
  | { kind: 'response'; id: number; result?: unknown; error?: AdminErrorBody }
  | { kind: 'event'; event: ProxyEvent }
  | { kind: 'hostInfo'; info: HostInfo };
