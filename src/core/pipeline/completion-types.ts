// What a completion needs from the running proxy (CompletionDeps, injected by the composition
// root through the router) and what the server tells it about the request (CompletionContext).
import type { AccountPool } from '../accounts/pool/pool-types.ts';
import type { Logger, ProxyConfig, RequestLogEntry } from '../proxy-types.ts';
import type { ModelInfo } from '../kiro/types.ts';
import type { CompleteText } from '../conversation/summarise.ts';
import type { CompletionCache } from './cache.ts';

export interface CompletionDeps {
  pool: AccountPool;
  /** Short text completions for truncation summaries (pipeline/complete-text.ts); one per start, its summary cache with it. */
  completeText: CompleteText;
  config(): ProxyConfig;
  logger: Logger;
  /** Models the accounts reported (ListAvailableModels), if known. */
  availableModels(): ModelInfo[] | undefined;
  /** Settles when the start-up ListAvailableModels call is done (bounded); model ids resolve against its answer. */
  modelsReady?(): Promise<void>;
  now(): number;
  /** The response cache (pipeline/cache.ts); absent or turned off: every request goes upstream. */
  cache?: CompletionCache;
  /** Scrubs known secrets from error text a client will see (upstream messages may echo them). */
  redact?(text: string): string;
  /** Counts an open SSE response (in-flight streams gauge); returns the function ending it. */
  streamStarted?: () => () => void;
  /** Sets of dropped tools already named at info level (each is named once; later requests log at debug). */
  ignoredToolsSeen?: Set<string>;
}

export interface CompletionContext {
  requestId: string;
  route: string;
  startedAt: number;
  /** Filled in as the request goes; the server logs it when the response ends. */
  log: RequestLogEntry;
}
