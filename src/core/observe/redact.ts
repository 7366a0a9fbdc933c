// Secret scrubbing for everything that leaves the process as text: logs, the request log and its
// JSONL file, error messages, exports, the webview. Two layers: shape-based patterns (bearer
// headers, Kiro `aoa…`/`aor…` tokens, `ksk_` keys, JWTs, `"accessToken": …` pairs) and a
// registry of the exact secret values the proxy has loaded, so formats we do not know yet are
// scrubbed as well.

export const REDACTED = '[REDACTED]';

/** Registered values shorter than this are ignored: scrubbing "abc" everywhere would shred logs. */
const MIN_SECRET_LENGTH = 8;

/**
 * The exact secret values this proxy holds (access/refresh tokens, client secrets, API keys).
 * The composition root feeds it every secret it loads; redaction then removes them verbatim.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();
  /** Sorted longest first so a secret that contains another is removed whole. */
  #sorted: string[] | undefined;

  add(value: string | undefined | null): void {
    if (typeof value !== 'string') return;
    const v = value.trim();
    if (v.length < MIN_SECRET_LENGTH || this.#values.has(v)) return;
    this.#values.add(v);
    this.#sorted = undefined;
  }

  delete(value: string): void {
    if (this.#values.delete(value.trim())) this.#sorted = undefined;
  }

  clear(): void {
    this.#values.clear();
    this.#sorted = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  /** Full redaction of free text: every known secret shape plus every registered value. */
  scrub(text: string): string {
    return redactSecrets(text, this);
  }

  /** Full redaction of a value (deep copy); see redactObject. */
  scrubObject<T>(value: T): T {
    return redactObject(value, this);
  }

  /** Replaces only the registered values (raw and URL-encoded) by the marker. */
  replaceRegistered(text: string): string {
    if (this.#values.size === 0) return text;
    this.#sorted ??= [...this.#values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.#sorted) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
      const enc = encodeURIComponent(v);
      if (enc !== v && out.includes(enc)) out = out.split(enc).join(REDACTED);
    }
    return out;
  }
}

export function createSecretRegistry(): SecretRegistry {
  return new SecretRegistry();
}

// Keys whose values are secrets wherever they appear (compared lowercase without '-' and '_').
const SECRET_KEYS = new Set([
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'bearertoken',
  'clientsecret',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'secret',
  'token',
  'cookie',
  'setcookie',
  'credsbase64',
]);

/** True when a property of this name holds a secret (accessToken, client_secret, x-api-key…). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

// `key: value` / `key=value` / `"key": "value"` in free text (headers, query strings, JSON,
// JSON-inside-a-JSON-string). Keys that are ordinary words in prose ("token", "secret") only
// count when quoted, so "refresh token: invalid_grant" stays readable.
const KEY_NAMES_ANY =
  'access[_-]?token|refresh[_-]?token|id[_-]?token|session[_-]?token|client[_-]?secret|x[_-]?api[_-]?key|api[_-]?key|proxy[_-]authorization|authorization|password|creds[_-]?base64';
const KEY_NAMES_QUOTED = 'token|secret|cookie|set-cookie';
const VALUE =
  // JSON string (escapes allowed) | string in escaped JSON | single-quoted | bare (with an auth scheme)
  String.raw`"(?:[^"\\]|\\.)*"|\\"(?:[^"\\]|\\(?!"))*\\"|'[^']*'|(?:(?:Bearer|Basic|Token|Digest)\s+)?[^\s,;&}\]"'\\]+`;
const KV_ANY = new RegExp(String.raw`(\\?["']?)\b(${KEY_NAMES_ANY})\b\1(\s*[:=]\s*)(${VALUE})`, 'gi');
const KV_QUOTED = new RegExp(String.raw`(\\?["'])(${KEY_NAMES_QUOTED})\1(\s*:\s*)(${VALUE})`, 'gi');

const PATTERNS: { re: RegExp; replace: string }[] = [
  // Authorization scheme values anywhere (log lines that print a header).
  { re: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]{6,}/gi, replace: `$1 ${REDACTED}` },
  // JWTs (OIDC id/access tokens): three base64url segments, first one a JSON header.
  { re: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // Kiro social/IdC access (aoa…) and refresh (aor…) tokens; long enough not to hit words.
  { re: /\bao[ar][A-Za-z0-9._~+/=:-]{16,}/g, replace: REDACTED },
  // Kiro API keys.
  { re: /\bksk_[A-Za-z0-9._~+/=:-]{8,}/g, replace: REDACTED },
];

// Our own messages name a field and then say what is wrong with it ("creds.json: refreshToken:
// must be a string", "… refreshToken: required"): a bare prose word there is not a secret value.
const PROSE_VALUE = /^(?:required|must|missing|expected|unknown|invalid|is|not|has|should|empty|null|undefined)$/i;

function redactValue(value: string): string {
  if (value.startsWith('\\"')) return `\\"${REDACTED}\\"`;
  const q = value[0];
  if (q === '"' || q === "'") return `${q}${REDACTED}${q}`;
  return REDACTED;
}

/** Removes every secret form we know of from free text. */
export function redactSecrets(text: string, registry?: SecretRegistry): string {
  // Registered values first: patterns could otherwise cut a known secret in half.
  let out = registry ? registry.replaceRegistered(text) : text;
  out = out.replace(KV_ANY, (m, q: string, key: string, sep: string, value: string) =>
    PROSE_VALUE.test(value) ? m : `${q}${key}${q}${sep}${redactValue(value)}`,
  );
  out = out.replace(KV_QUOTED, (_m, q: string, key: string, sep: string, value: string) => `${q}${key}${q}${sep}${redactValue(value)}`);
  for (const { re, replace } of PATTERNS) out = out.replace(re, replace);
  return out;
}

/**
 * A redacted deep copy: values under secret keys become the marker, every string is scrubbed.
 * Errors become plain `{name, message, stack, code?}` objects; cycles become "[Circular]".
 */
export function redactObject<T>(value: T, registry?: SecretRegistry): T {
  return walk(value, registry, new WeakSet()) as T;
}

function walk(value: unknown, registry: SecretRegistry | undefined, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactSecrets(value, registry);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, registry, seen));
    if (value instanceof Error) {
      const out: Record<string, unknown> = { name: value.name, message: redactSecrets(value.message, registry) };
      if (value.stack) out['stack'] = redactSecrets(value.stack, registry);
      const code = (value as { code?: unknown }).code;
      if (code !== undefined) out['code'] = walk(code, registry, seen);
      if (value.cause !== undefined) out['cause'] = walk(value.cause, registry, seen);
      return out;
    }
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof Map) {
      return new Map([...value].map(([k, v]) => [k, typeof k === 'string' && isSecretKey(k) ? REDACTED : walk(v, registry, seen)]));
    }
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, registry, seen);
    }
    return out;
  } finally {
    // Siblings may legitimately share an object; only true ancestors are cycles.
    seen.delete(value);
  }
}
