// The request log: a fixed-size ring of the latest RequestLogEntry values (what the dashboard and
// `logs()` show), listeners for live views, and an optional JSONL sink for a durable trail.
// Every entry is redacted once on the way in, so no consumer can leak a secret it carries.
import type { Disposable, RequestLogEntry } from '../proxy-types.ts';
import type { JsonlSink } from './jsonl-sink.ts';
import { redactSecrets, type SecretRegistry } from './redact.ts';

const DEFAULT_LOG_CAPACITY = 1000;

type StatusFilter = number | '2xx' | '3xx' | '4xx' | '5xx' | 'error';

export interface RequestLogFilter {
  /** Exact route, or a prefix when it ends with `*` (e.g. `/v1/*`). */
  route?: string;
  status?: StatusFilter;
  /** Matches the requested or the sent model. */
  model?: string;
  accountId?: string;
  /** Case-insensitive substring of id, route, models, account, error class/message, rules. */
  text?: string;
  /** Only entries with `time >= since` (epoch ms). */
  since?: number;
  /** At most this many, newest first. */
  limit?: number;
}

export interface RequestLogOptions {
  capacity?: number;
  /** Durable copy; the log closes it on `close()`. */
  sink?: JsonlSink;
  registry?: SecretRegistry;
  /** Listener failures must not break the request path; they are reported here. */
  onListenerError?: (err: unknown) => void;
}

export type RequestLogListener = (entry: RequestLogEntry) => void;

export class RequestLog {
  readonly capacity: number;
  readonly #ring: (RequestLogEntry | undefined)[];
  /** Index the next entry goes to. */
  #next = 0;
  #size = 0;
  readonly #listeners = new Set<RequestLogListener>();
  readonly #sink: JsonlSink | undefined;
  readonly #registry: SecretRegistry | undefined;
  readonly #onListenerError: (err: unknown) => void;

  constructor(options: RequestLogOptions = {}) {
    const capacity = Math.floor(options.capacity ?? DEFAULT_LOG_CAPACITY);
    if (!(capacity >= 1)) throw new RangeError(`request log capacity must be >= 1, got ${options.capacity}`);
    this.capacity = capacity;
    this.#ring = new Array<RequestLogEntry | undefined>(capacity);
    this.#sink = options.sink;
    this.#registry = options.registry;
    this.#onListenerError = options.onListenerError ?? (() => {});
  }

  get size(): number {
    return this.#size;
  }

  /** Records an entry (redacted copy), notifies listeners, queues it for the sink. Returns the stored copy. */
  add(entry: RequestLogEntry): RequestLogEntry {
    const stored = Object.freeze(this.#redact(entry));
    this.#ring[this.#next] = stored;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    this.#sink?.write(stored);
    for (const l of this.#listeners) {
      try {
        l(stored);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
    return stored;
  }

  /** Newest first, filtered. */
  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    const limit = filter.limit ?? Infinity;
    const out: RequestLogEntry[] = [];
    const text = filter.text?.toLowerCase();
    for (let i = 1; i <= this.#size && out.length < limit; i++) {
      const e = this.#ring[(this.#next - i + this.capacity) % this.capacity];
      if (e && matches(e, filter, text)) out.push(e);
    }
    return out;
  }

  get(id: string): RequestLogEntry | undefined {
    for (let i = 1; i <= this.#size; i++) {
      const e = this.#ring[(this.#next - i + this.capacity) % this.capacity];
      if (e?.id === id) return e;
    }
    return undefined;
  }

  /** Empties the ring (the JSONL file is a durable record and is left alone). */
  clear(): void {
    this.#ring.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }

  onEntry(listener: RequestLogListener): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => void this.#listeners.delete(listener) };
  }

  /** Drops listeners and flushes/closes the sink. */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#sink?.close();
  }

  #redact(entry: RequestLogEntry): RequestLogEntry {
    const r = this.#registry;
    const copy: RequestLogEntry = { ...entry };
    if (entry.rules) copy.rules = [...entry.rules];
    if (entry.errorMessage !== undefined) copy.errorMessage = redactSecrets(entry.errorMessage, r);
    if (entry.requestBody !== undefined) copy.requestBody = redactSecrets(entry.requestBody, r);
    if (entry.responseBody !== undefined) copy.responseBody = redactSecrets(entry.responseBody, r);
    return copy;
  }
}

function matchesStatus(status: number, f: StatusFilter): boolean {
  if (typeof f === 'number') return status === f;
  if (f === 'error') return status >= 400;
  const base = Number(f[0]) * 100;
  return status >= base && status < base + 100;
}

function matches(e: RequestLogEntry, f: RequestLogFilter, text: string | undefined): boolean {
  if (f.route !== undefined) {
    if (f.route.endsWith('*') ? !e.route.startsWith(f.route.slice(0, -1)) : e.route !== f.route) return false;
  }
  if (f.status !== undefined && !matchesStatus(e.status, f.status)) return false;
  if (f.model !== undefined && e.modelRequested !== f.model && e.modelSent !== f.model) return false;
  if (f.accountId !== undefined && e.accountId !== f.accountId) return false;
  if (f.since !== undefined && e.time < f.since) return false;
  if (text) {
    const hay = [
      e.id,
      e.method,
      e.route,
      e.dialect,
      e.modelRequested,
      e.modelSent,
      e.accountId,
      e.errorClass,
      e.errorMessage,
      String(e.status),
      ...(e.rules ?? []),
    ]
      .filter((s): s is string => typeof s === 'string')
      .join('\n')
      .toLowerCase();
    if (!hay.includes(text)) return false;
  }
  return true;
}
