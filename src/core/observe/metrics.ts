// Prometheus metrics behind a small typed facade, so callers never touch prom-client. Each
// ProxyMetrics owns its own Registry: two proxies in one process (tests, several windows) must
// not share or collide on the global default registry.
import { createHash } from 'node:crypto';
// prom-client's classes file by file: its index also loads the cluster aggregator, default
// process metrics, the push gateway and @opentelemetry/api (~1.2 MiB of idle RSS, 54 KB of
// bundle) that we never use. The classes are the ones the index re-exports (types: prom-client-files.d.ts).
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';
import type { AccountState, AccountView } from '../proxy-types.ts';
import type { TokenRefreshOutcome } from '../accounts/tokens/token-refresh.ts';

const ACCOUNT_STATES: readonly AccountState[] = ['active', 'cooldown', 'disabled', 'expired', 'error'];

/** Distinct client-supplied model names tracked before folding the rest into "other". */
const DEFAULT_MAX_MODEL_LABELS = 64;

export interface RequestSample {
  /** Route template (`/v1/messages`), never a raw URL: labels must stay low-cardinality. */
  route: string;
  model?: string | undefined;
  status: number;
  durationMs: number;
  firstTokenMs?: number | undefined;
}

export interface MetricsOptions {
  /** Prefix for every series. Default `kiro_proxy_`. */
  prefix?: string;
  maxModelLabels?: number;
}

export class ProxyMetrics {
  readonly registry: Registry;
  readonly #maxModels: number;
  readonly #models = new Set<string>();
  readonly #requests: Counter<'route' | 'model' | 'status'>;
  readonly #upstreamErrors: Counter<'reason'>;
  readonly #cooldowns: Counter<'account'>;
  readonly #refreshes: Counter<'outcome'>;
  readonly #duration: Histogram<'route'>;
  readonly #ttft: Histogram<'route'>;
  readonly #inflight: Gauge;
  readonly #cacheHits: Counter;
  readonly #cacheMisses: Counter;
  readonly #cacheEntries: Gauge;
  readonly #cacheBytes: Gauge;
  readonly #truncations: Counter;
  readonly #rules: Counter<'rule'>;
  /** The latest account snapshot; the account gauges are filled from it when scraped. */
  #accounts: readonly AccountView[] = [];

  constructor(options: MetricsOptions = {}) {
    const p = options.prefix ?? 'kiro_proxy_';
    this.#maxModels = options.maxModelLabels ?? DEFAULT_MAX_MODEL_LABELS;
    const registers = [(this.registry = new Registry())];
    this.#requests = new Counter({
      name: `${p}requests_total`,
      help: 'Client requests by route, model and HTTP status.',
      labelNames: ['route', 'model', 'status'],
      registers,
    });
    this.#upstreamErrors = new Counter({
      name: `${p}upstream_errors_total`,
      help: 'Kiro upstream failures by classified reason.',
      labelNames: ['reason'],
      registers,
    });
    // Counters count what this instance did or was told by Kiro itself, never what it learned from
    // the other instances of a team: summed over the instances they give the team's total.
    this.#cooldowns = new Counter({
      name: `${p}cooldowns_total`,
      help: 'Cooldowns this instance started after Kiro rate-limited or throttled an account (not those learned from the team).',
      labelNames: ['account'],
      registers,
    });
    this.#refreshes = new Counter({
      name: `${p}token_refreshes_total`,
      help: 'Calls this instance made to the token endpoint, by outcome: success, failure (try again later), rejected (log in again). Tokens adopted from the team are not counted.',
      labelNames: ['outcome'],
      registers,
    });
    // Account gauges are computed when scraped, not on every pool change: the pool changes twice
    // per request, and labelled gauge updates (key sorting, hashing) were ~10 KiB of garbage each.
    // prom-client calls collect() with the gauge as `this`; the metrics object is needed there.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    new Gauge({
      name: `${p}account_state`,
      help: '1 for the current state of each account, 0 for the others.',
      labelNames: ['account', 'state'],
      registers,
      collect() {
        this.reset();
        for (const a of metrics.#accounts) {
          const account = accountLabel(a.id);
          for (const state of ACCOUNT_STATES) this.set({ account, state }, a.state === state ? 1 : 0);
        }
      },
    });
    const quotaGauge = (name: string, help: string, value: (q: NonNullable<AccountView['quota']>) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['account'],
        registers,
        collect() {
          this.reset();
          for (const a of metrics.#accounts) if (a.quota) this.set({ account: accountLabel(a.id) }, value(a.quota));
        },
      });
    quotaGauge(`${p}quota_used`, 'Kiro usage consumed in the current period.', (q) => q.used);
    quotaGauge(`${p}quota_limit`, 'Kiro usage limit of the current period.', (q) => q.limit);
    this.#duration = new Histogram({
      name: `${p}request_duration_seconds`,
      help: 'Time from request received to response finished.',
      labelNames: ['route'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.#ttft = new Histogram({
      name: `${p}time_to_first_token_seconds`,
      help: 'Time from request received to the first token sent.',
      labelNames: ['route'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60],
      registers,
    });
    this.#inflight = new Gauge({ name: `${p}inflight_streams`, help: 'Streaming responses currently open.', registers });
    this.#cacheHits = new Counter({ name: `${p}cache_hits_total`, help: 'Response cache hits.', registers });
    this.#cacheMisses = new Counter({ name: `${p}cache_misses_total`, help: 'Response cache misses.', registers });
    this.#cacheEntries = new Gauge({ name: `${p}cache_entries`, help: 'Entries held by the response cache.', registers });
    this.#cacheBytes = new Gauge({ name: `${p}cache_bytes`, help: 'Approximate bytes held by the response cache.', registers });
    this.#truncations = new Counter({ name: `${p}truncations_total`, help: 'Requests whose conversation was truncated to fit.', registers });
    this.#rules = new Counter({ name: `${p}normaliser_rules_total`, help: 'Conversation normaliser repairs by rule.', labelNames: ['rule'], registers });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text exposition of every series. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  recordRequest(s: RequestSample): void {
    this.#requests.inc({ route: s.route, model: this.#modelLabel(s.model), status: String(s.status) });
    if (Number.isFinite(s.durationMs)) this.#duration.observe({ route: s.route }, Math.max(0, s.durationMs) / 1000);
    if (s.firstTokenMs !== undefined && Number.isFinite(s.firstTokenMs)) this.#ttft.observe({ route: s.route }, Math.max(0, s.firstTokenMs) / 1000);
  }

  upstreamError(reason: string): void {
    this.#upstreamErrors.inc({ reason });
  }

  cooldown(accountId: string): void {
    this.#cooldowns.inc({ account: accountLabel(accountId) });
  }

  tokenRefresh(outcome: TokenRefreshOutcome): void {
    this.#refreshes.inc({ outcome });
  }

  /**
   * Replaces the account gauges with this snapshot (removed accounts disappear). Cheap: the
   * snapshot is kept and turned into series only when /metrics is scraped.
   */
  setAccounts(accounts: readonly AccountView[]): void {
    this.#accounts = accounts;
  }

  /** Counts an open stream; call the returned function once when it ends (extra calls are ignored). */
  streamStarted(): () => void {
    this.#inflight.inc();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inflight.dec();
    };
  }

  cacheHit(): void {
    this.#cacheHits.inc();
  }

  cacheMiss(): void {
    this.#cacheMisses.inc();
  }

  setCacheSize(entries: number, bytes: number): void {
    this.#cacheEntries.set(entries);
    this.#cacheBytes.set(bytes);
  }

  truncation(): void {
    this.#truncations.inc();
  }

  normaliserRules(rules: readonly string[]): void {
    for (const rule of rules) this.#rules.inc({ rule });
  }

  #modelLabel(model: string | undefined): string {
    if (!model) return 'none';
    if (this.#models.has(model)) return model;
    // Model names come from clients; an unbounded label set would grow memory without end.
    if (this.#models.size >= this.#maxModels) return 'other';
    this.#models.add(model);
    return model;
  }
}

/**
 * The account label: the stable account id. Ids are meant to be opaque already; this is the
 * backstop if one ever looks like an email or a token (it is replaced by a short hash).
 */
export function accountLabel(accountId: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(accountId) && !/^(ao[ar]|ksk_|eyJ)/.test(accountId)) return accountId;
  return 'acct-' + createHash('sha256').update(accountId).digest('hex').slice(0, 12);
}
