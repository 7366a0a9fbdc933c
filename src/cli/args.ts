// argv + env → ProxyConfig, exactly the contract of design §3 (every flag has an env var; flags win
// over env). The flag table is core/config/cli-flags.ts; types, bounds and defaults come from the
// schema (core/config/schema.ts). Pure: no I/O, so it is unit-tested directly.
import type * as z from 'zod/mini';
import { defaultConfig } from '../core/config.ts';
import type { ProxyConfig } from '../core/proxy-types.ts';
import { CLI_FLAGS, ENV_ONLY, type CliFlag, type ConfigPath } from '../core/config/cli-flags.ts';
import { configShape, endpointsShape, facts, truncationShape, unwrap, type ValueFacts } from '../core/config/schema.ts';

export interface CliOptions {
  config: ProxyConfig;
  help: boolean;
  version: boolean;
  logLevel: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** True when --mock/KIRO_MOCK_MODE was given explicitly (vs. chosen because no credentials exist). */
  mockExplicit: boolean;
  /** Top-level config keys set by a flag or env var (they win over KIRO_PROXY_HOME/config.json). */
  explicit: Set<string>;
  /** --api-key-file / KIRO_PROXY_API_KEY_FILE: main reads the key from it (api-key-file.ts). */
  apiKeyFile?: string;
  /** The key was given as `--api-key K` in argv, where `ps` shows it (main warns once). */
  apiKeyInArgv?: boolean;
}

/** A view of `config` that records which top-level keys a flag wrote (nested writes included). */
function recording(config: ProxyConfig, explicit: Set<string>): ProxyConfig {
  return new Proxy(config, {
    set(target, key, value) {
      explicit.add(String(key));
      (target as unknown as Record<string | symbol, unknown>)[key] = value;
      return true;
    },
    get(target, key) {
      const v = (target as unknown as Record<string | symbol, unknown>)[key];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return new Proxy(v, {
          set(inner, k, value) {
            explicit.add(String(key));
            (inner as Record<string | symbol, unknown>)[k] = value;
            return true;
          },
        });
      }
      return v;
    },
  });
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

type Kind = 'string' | 'int' | 'bool' | 'list';
type Value = string | number | boolean | string[] | undefined;

interface FlagSpec extends CliFlag {
  kind: Kind;
  /** The field's schema: type, bounds, choices, default (none for flags that set no field). */
  field?: { schema: z.ZodMiniType; facts: ValueFacts };
  apply(c: ProxyConfig, v: Value, o: CliOptions): void;
}

const truthy = (v: string) => ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());

/** The flags whose effect is more than setting their one field. */
const SPECIAL: Record<string, FlagSpec['apply']> = {
  '--api-key': (c, v, o) => {
    c.apiKey = (v as string) || undefined;
    delete o.apiKeyFile;
  },
  '--api-key-file': (c, v, o) => {
    c.apiKey = undefined;
    if (v) o.apiKeyFile = v as string;
    else delete o.apiKeyFile;
  },
  '--model-provider': (_c, v) => checkModelProvider(v as string),
  '--mock': (c, v, o) => {
    c.mock = v as boolean;
    o.mockExplicit = true;
  },
  '--truncation': (c, v) => (c.truncation = { ...c.truncation, ...truncationFlags(v as string[]) }),
};

function fieldOf(path: ConfigPath): FlagSpec['field'] {
  const [top, sub] = path.split('.') as [keyof typeof configShape, string | undefined];
  const nested: Record<string, Record<string, z.ZodMiniType>> = { truncation: truncationShape, endpoints: endpointsShape };
  const wrapped = sub === undefined ? configShape[top] : nested[top]![sub]!;
  return { schema: unwrap(wrapped), facts: facts(wrapped) };
}

function kindOf(f: ValueFacts): Kind {
  return f.type === 'integer' ? 'int' : f.type === 'boolean' ? 'bool' : f.type === 'array' ? 'list' : 'string';
}

function setField(path: ConfigPath): FlagSpec['apply'] {
  const [top, sub] = path.split('.') as [string, string | undefined];
  return (c, v) => {
    const target = c as unknown as Record<string, Record<string, unknown>>;
    if (sub === undefined) (target as Record<string, unknown>)[top] = v;
    else target[top]![sub] = v;
  };
}

const FLAGS: FlagSpec[] = CLI_FLAGS.map((f) => {
  const field = f.key !== undefined && f.special !== 'list' ? fieldOf(f.key) : undefined;
  const special = SPECIAL[f.flag];
  if (f.special && !special) throw new Error(`${f.flag}: special flag without its code`);
  const kind: Kind = f.special ?? (field ? kindOf(field.facts) : 'string');
  return { ...f, kind, ...(field ? { field } : {}), apply: special ?? setField(f.key!) };
});

/** Seed 004 (and AIClient-2-API) users name the provider; this proxy serves Kiro only. */
const KIRO_PROVIDER_NAMES = ['kiro-api', 'claude-kiro-oauth', 'kiro'];

function checkModelProvider(value: string): void {
  const v = value.trim().toLowerCase();
  if (v === '' || KIRO_PROVIDER_NAMES.includes(v)) return;
  throw new CliUsageError(`--model-provider "${value}" is not supported: this proxy serves Kiro only; use --model-provider kiro-api (or leave it out)`);
}

const TRUNCATION_NAMES = { 'on-error': 'errorRetry', auto: 'autoTruncate', 'pre-estimate': 'preEstimate', summarise: 'summarise' } as const;

/** `--truncation auto,summarise`: exactly the named strategies on (`off`: none). */
function truncationFlags(names: string[]): Pick<ProxyConfig['truncation'], 'errorRetry' | 'autoTruncate' | 'preEstimate' | 'summarise'> {
  const out = { errorRetry: false, autoTruncate: false, preEstimate: false, summarise: false };
  for (const n of names) {
    if (n === 'off') continue;
    const key = TRUNCATION_NAMES[n as keyof typeof TRUNCATION_NAMES];
    if (!key) throw new CliUsageError(`--truncation takes on-error, auto, pre-estimate, summarise or off, got "${n}"`);
    out[key] = true;
  }
  return out;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

/** The raw text of a flag or env var → the field's value: typed, scaled, checked against the schema. */
function convert(spec: FlagSpec, raw: string, from: string): Value {
  if (spec.kind === 'bool') return spec.invert ? !truthy(raw) : truthy(raw);
  if (spec.kind === 'list') {
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const text = spec.trim ? raw.trim() : raw;
  if (spec.kind === 'string') {
    if (!spec.field) return text;
    if (text === '' && spec.field.facts.optional) return undefined;
    return checked(spec, text, from, text);
  }
  if (!/^\d+$/.test(raw.trim())) throw new CliUsageError(`${from} must be a non-negative integer, got "${raw}"`);
  const n = Number(raw);
  const scale = spec.scale ?? 1;
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = spec.field?.facts ?? {};
  if (n * scale < min || n * scale > max) throw new CliUsageError(`${from} must be ${min / scale}..${max / scale}, got ${n}`);
  return checked(spec, n * scale, from, raw);
}

function checked(spec: FlagSpec, value: string | number, from: string, raw: string): string | number {
  const r = spec.field!.schema.safeParse(value);
  // A URL's user:password (a Redis URL may hold one) never reaches the error, hence stderr.
  if (!r.success) throw new CliUsageError(`${from} ${r.error.issues[0]?.message ?? 'is invalid'}, got "${raw.replace(/\/\/[^/@]*@/, '//***@')}"`);
  return value;
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): CliOptions {
  const config = defaultConfig();
  const explicit = new Set<string>();
  const opts: CliOptions = { config, help: false, version: false, logLevel: 'info', mockExplicit: false, explicit };
  const target = recording(config, explicit);
  if (env['KIRO_PROXY_API_KEY'] && env['KIRO_PROXY_API_KEY_FILE']) {
    throw new CliUsageError('KIRO_PROXY_API_KEY and KIRO_PROXY_API_KEY_FILE are both set; keep one');
  }
  for (const spec of FLAGS) {
    const v = spec.env ? env[spec.env] : undefined;
    if (v !== undefined && v !== '') spec.apply(target, convert(spec, v, spec.env!), opts);
  }
  const envLevel = env['KIRO_PROXY_LOG_LEVEL'];
  if (envLevel) opts.logLevel = checkLevel(envLevel, 'KIRO_PROXY_LOG_LEVEL');

  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') {
      opts.help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      opts.version = true;
      continue;
    }
    if (arg === '--verbose') {
      opts.logLevel = 'debug';
      continue;
    }
    if (arg === '--log-level') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliUsageError('--log-level needs a value');
      opts.logLevel = checkLevel(v, '--log-level');
      continue;
    }
    const spec = FLAGS.find((f) => f.flag === arg);
    if (!spec) throw new CliUsageError(`unknown option "${arg}" (see --help)`);
    if (spec.flag === '--api-key' || spec.flag === '--api-key-file') {
      const other = spec.flag === '--api-key' ? '--api-key-file' : '--api-key';
      if (argv.some((a) => a === other || a.startsWith(`${other}=`))) throw new CliUsageError('give either --api-key or --api-key-file, not both');
      opts.apiKeyInArgv = spec.flag === '--api-key';
    }
    let raw: string;
    if (spec.kind === 'bool') raw = inline ?? 'true';
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliUsageError(`${arg} needs a value`);
      raw = v;
    }
    spec.apply(target, convert(spec, raw, arg), opts);
  }
  return opts;
}

function checkLevel(v: string, from: string): CliOptions['logLevel'] {
  const l = v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(l)) throw new CliUsageError(`${from} must be one of ${LOG_LEVELS.join(', ')}`);
  return l as CliOptions['logLevel'];
}

/** What --help shows after a flag's text: its default (from the schema) and its note. */
function helpText(spec: FlagSpec): string {
  let shown = '';
  if (spec.shownDefault !== undefined) shown = spec.shownDefault || '';
  else if (spec.field) {
    const d = spec.field.facts.default;
    if (typeof d === 'boolean') shown = d ? 'on' : 'off';
    else if (typeof d === 'number') shown = String(d / (spec.scale ?? 1));
    else if (typeof d === 'string') shown = d;
  }
  const extra = [shown && `default ${shown}`, spec.note].filter(Boolean).join('; ');
  return extra ? `${spec.help} (${extra})` : spec.help;
}

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = `  ${f.flag}${f.kind === 'bool' ? '' : ' <value>'}`;
    return `${left.padEnd(32)} ${helpText(f)}${f.env ? `  [${f.env}]` : ''}`;
  });
  return [
    'kiro-proxy — a local OpenAI- and Anthropic-compatible proxy for your Kiro accounts',
    '',
    'Usage: kiro-proxy [options]',
    '       kiro-proxy login google|github|builder-id|idc [--start-url URL --region R] [options]',
    '',
    ...rows,
    `  ${'--log-level <level>'.padEnd(30)} error, warn, info (default), debug, trace  [KIRO_PROXY_LOG_LEVEL]`,
    `  ${'--verbose'.padEnd(30)} same as --log-level debug`,
    '  --help, --version',
    '',
    ...ENV_ONLY.map((e) => `Environment only: ${e.env} (${e.help})`),
    'Without credentials (SSO cache, --creds-file, --creds-base64, --provider-pools-file) it starts with the built-in mock upstream.',
  ].join('\n');
}
