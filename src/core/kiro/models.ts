// Client model names → Kiro wire ids (kiro-protocol.md §6). Clients send whatever their SDK
// knows (dated Anthropic names, OpenAI names, Claude Code's newest aliases); Kiro accepts only
// its own ids and answers INVALID_MODEL_ID otherwise, so every name is resolved to an id the
// account can use.
//
// A name in a known family whose version or family the account lacks goes to DEFAULT_MODEL_ID
// (claude-sonnet-4.5), not to `auto`: `auto` lets the server pick a model whose cost and behaviour
// the user cannot see, while a fixed default is predictable and is shown in the request log as
// mappedBy 'default'. A name in no family at all is 'unknown': the pipeline answers 404
// model_not_found unless the user set a fallback model (it still carries the default id, for
// callers that only estimate, such as count_tokens).
import type { ModelInfo } from './types.ts';
import { DEFAULT_CONTEXT_WINDOW, DEFAULT_MODEL_ID, MODEL_ALIASES, STATIC_MODELS } from './model-catalogue.ts';

type MappedBy =
  | 'user-map' // the user's kiroProxy model map
  | 'exact' // already a Kiro id the account has
  | 'alias' // the built-in alias table (OpenAI names, bare family names)
  | 'normalized' // dashed/dated Claude name rewritten to the dotted Kiro id
  | 'nearest' // that version is not offered; nearest one of the same family
  | 'default' // a known family the account does not offer
  | 'fallback' // an unknown name, served by the user's fallback model
  | 'unknown'; // no family recognisable (→ 404 unless a fallback model is set)

export interface ResolvedModel {
  modelId: string;
  /** The name asked for thinking (`-thinking` suffix). */
  thinking: boolean;
  contextWindow: number;
  mappedBy: MappedBy;
}

export interface ResolveOptions {
  /** From ListAvailableModels; when absent or empty the static catalogue stands in. */
  available?: ModelInfo[] | undefined;
  /** Client name → Kiro id (or any name this resolver understands). Keys match case-insensitively. */
  userMap?: Record<string, string> | undefined;
  /** What serves a name in no family (any name this resolver understands); unset: such names are 'unknown'. */
  fallbackModel?: string | undefined;
}

type Family = 'sonnet' | 'opus' | 'haiku';

interface ClaudeName {
  family: Family;
  major: number;
  minor: number | undefined;
  oneM: boolean;
}

// claude-<family>-<major>[(.|-)<minor>][-YYYYMMDD][-1m]
const MODERN = /^claude-(sonnet|opus|haiku)-(\d+)(?:[.-](\d{1,2}))?(?:-\d{8})?(-1m)?$/;
// claude-<major>[(.|-)<minor>]-<family>[-YYYYMMDD][-effort]   (claude-3-7-sonnet, claude-4.5-opus-high)
const LEGACY = /^claude-(\d+)(?:[.-](\d{1,2}))?-(sonnet|opus|haiku)(?:-\d{8})?(?:-(?:low|medium|high|max))?$/;

function parseClaude(name: string): ClaudeName | undefined {
  const m = MODERN.exec(name);
  if (m) return { family: m[1] as Family, major: Number(m[2]), minor: m[3] === undefined ? undefined : Number(m[3]), oneM: m[4] !== undefined };
  const l = LEGACY.exec(name);
  if (l) return { family: l[3] as Family, major: Number(l[1]), minor: l[2] === undefined ? undefined : Number(l[2]), oneM: false };
  return undefined;
}

// OpenAI's agent models (Codex's defaults: gpt-5-codex, gpt-5.5, gpt-6.2-sol…): gpt-<major>[.<minor>][-variant].
const GPT = /^gpt-(\d+)(?:\.(\d{1,2}))?(?:-([a-z]+(?:-[a-z]+)*))?$/;
/** Kiro's own GPT tiers: a request for one goes to the nearest version of the same tier. */
const GPT_TIERS = new Set(['sol', 'terra', 'luna']);
/** Small OpenAI variants go to the small Claude, the rest to the default. */
const GPT_SMALL = new Set(['mini', 'nano', 'codex-mini']);

/** A Kiro GPT tier id for `gpt-N.M-<tier>`: the highest offered version ≤ the asked one, else the closest. */
function nearestGptTier(u: Universe, major: number, minor: number | undefined, tier: string): string | undefined {
  const target = versionKey(major, minor);
  let below: { id: string; key: number } | undefined;
  let closest: { id: string; dist: number; key: number } | undefined;
  for (const id of u.order) {
    const g = GPT.exec(id);
    if (!g || g[3] !== tier) continue;
    const key = versionKey(Number(g[1]), g[2] === undefined ? undefined : Number(g[2]));
    if (key <= target && (!below || key > below.key)) below = { id, key };
    const dist = Math.abs(key - target);
    if (!closest || dist < closest.dist || (dist === closest.dist && key > closest.key)) closest = { id, dist, key };
  }
  return below?.id ?? closest?.id;
}

/** gpt-5 and newer (what coding agents send by default) → a Kiro GPT of the same tier, else a Claude. */
function gptFamily(u: Universe, name: string): { modelId: string; mappedBy: MappedBy } | undefined {
  const g = GPT.exec(name);
  if (!g || Number(g[1]) < 5) return undefined;
  const variant = g[3];
  if (variant && GPT_TIERS.has(variant)) {
    const id = nearestGptTier(u, Number(g[1]), g[2] === undefined ? undefined : Number(g[2]), variant);
    if (id) return { modelId: id, mappedBy: 'nearest' };
  }
  const target = variant && GPT_SMALL.has(variant) ? 'claude-haiku-4.5' : DEFAULT_MODEL_ID;
  const s = settle(u, target);
  return { modelId: s?.id ?? defaultModel(u), mappedBy: s ? 'alias' : 'default' };
}

const kiroIdOf = (c: ClaudeName) => `claude-${c.family}-${c.major}${c.minor === undefined ? '' : `.${c.minor}`}${c.oneM ? '-1m' : ''}`;
const versionKey = (major: number, minor: number | undefined) => major * 100 + (minor ?? 0);

interface Cleaned {
  name: string;
  thinking: boolean;
}

/** Lowercase and strip decorations that never reach Kiro. */
function clean(requested: string): Cleaned {
  let name = requested.trim().toLowerCase();
  let thinking = false;
  name = name.replace(/\[[^\]]*\]$/, ''); // Claude Code's [1m] / [200k]
  name = name.slice(name.lastIndexOf('/') + 1); // anthropic/claude-… (OpenRouter style)
  name = name.replace(/^(?:[a-z]{2}\.)?anthropic\./, '').replace(/-v\d+(?::\d+)?$/, ''); // Bedrock ids
  for (let changed = true; changed;) {
    const before = name;
    name = name.replace(/^(?:kiro|amazonq)-/, '').replace(/-(?:latest|agentic)$/, '');
    if (name.endsWith('-thinking')) {
      thinking = true;
      name = name.slice(0, -'-thinking'.length);
    }
    changed = name !== before;
  }
  return { name, thinking };
}

interface Universe {
  ids: Set<string>;
  order: string[];
  info: Map<string, ModelInfo>;
}

function universeOf(available: ModelInfo[] | undefined): Universe {
  const list = available && available.length > 0 ? available.map((m) => m.modelId) : STATIC_MODELS.map((m) => m.modelId);
  return { ids: new Set(list), order: list, info: new Map((available ?? []).map((m) => [m.modelId, m])) };
}

/** Highest version ≤ the requested one; if none, the closest (ties go to the newer). */
function nearestInFamily(u: Universe, want: ClaudeName): string | undefined {
  const target = versionKey(want.major, want.minor);
  let below: { id: string; key: number } | undefined;
  let closest: { id: string; dist: number; key: number } | undefined;
  for (const id of u.order) {
    const c = MODERN.exec(id);
    // Only plain ids: a 1M variant is an explicit choice, never a fallback.
    if (!c || c[1] !== want.family || c[4] !== undefined || !/^claude-[a-z]+-\d+(?:\.\d{1,2})?$/.test(id)) continue;
    const key = versionKey(Number(c[2]), c[3] === undefined ? undefined : Number(c[3]));
    if (key <= target && (!below || key > below.key)) below = { id, key };
    const dist = Math.abs(key - target);
    if (!closest || dist < closest.dist || (dist === closest.dist && key > closest.key)) closest = { id, dist, key };
  }
  return below?.id ?? closest?.id;
}

/** A wire id the account has: the candidate itself, or the nearest of its family. */
function settle(u: Universe, candidate: string): { id: string; nearest: boolean } | undefined {
  if (u.ids.has(candidate)) return { id: candidate, nearest: false };
  const parsed = parseClaude(candidate);
  if (!parsed) return undefined;
  if (parsed.oneM) {
    const plain = settle(u, kiroIdOf({ ...parsed, oneM: false }));
    if (plain) return { id: plain.id, nearest: true };
  }
  const id = nearestInFamily(u, parsed);
  return id ? { id, nearest: true } : undefined;
}

function defaultModel(u: Universe): string {
  return settle(u, DEFAULT_MODEL_ID)?.id ?? (u.ids.has('auto') ? 'auto' : (u.order[0] ?? DEFAULT_MODEL_ID));
}

/** Context window for a wire id: ListAvailableModels' tokenLimits, else the catalogue. */
export function contextWindowFor(modelId: string, available?: ModelInfo[]): number {
  const fromUpstream = available?.find((m) => m.modelId === modelId)?.maxInputTokens;
  if (fromUpstream !== undefined && fromUpstream > 0) return fromUpstream;
  return STATIC_MODELS.find((m) => m.modelId === modelId)?.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
}

function resolveWithoutUserMap(u: Universe, cleaned: Cleaned): { modelId: string; mappedBy: MappedBy } {
  const alias = MODEL_ALIASES[cleaned.name];
  if (alias !== undefined) {
    const s = settle(u, alias);
    if (s) return { modelId: s.id, mappedBy: s.nearest ? 'nearest' : 'alias' };
  }
  if (u.ids.has(cleaned.name)) return { modelId: cleaned.name, mappedBy: 'exact' };
  const parsed = parseClaude(cleaned.name);
  if (parsed) {
    const s = settle(u, kiroIdOf(parsed));
    if (s) return { modelId: s.id, mappedBy: s.nearest ? 'nearest' : 'normalized' };
    return { modelId: defaultModel(u), mappedBy: 'default' };
  }
  const gpt = gptFamily(u, cleaned.name);
  if (gpt) return gpt;
  // A Kiro id we know of but the account does not offer is no better placed than any other name.
  return { modelId: defaultModel(u), mappedBy: 'unknown' };
}

function lookupUserMap(userMap: Record<string, string> | undefined, keys: string[]): string | undefined {
  if (!userMap) return undefined;
  for (const [k, v] of Object.entries(userMap)) {
    if (keys.includes(k.trim().toLowerCase()) && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Resolves a client's model name to the Kiro wire id to send. Never throws. */
export function resolveModel(requested: string, opts: ResolveOptions = {}): ResolvedModel {
  const u = universeOf(opts.available);
  const cleaned = clean(requested);
  const finish = (modelId: string, mappedBy: MappedBy, thinking: boolean): ResolvedModel => ({
    modelId,
    thinking,
    contextWindow: contextWindowFor(modelId, opts.available),
    mappedBy,
  });

  const mapped = lookupUserMap(opts.userMap, [requested.trim().toLowerCase(), cleaned.name]);
  if (mapped !== undefined) {
    // The target may itself be a client-style name; if we cannot place it, trust the user
    // verbatim (it may be an id newer than anything we know).
    const target = clean(mapped);
    const r = resolveWithoutUserMap(u, target);
    const id = r.mappedBy === 'default' || r.mappedBy === 'unknown' ? mapped : r.modelId;
    return finish(id, 'user-map', cleaned.thinking || target.thinking);
  }
  const r = resolveWithoutUserMap(u, cleaned);
  const fallback = opts.fallbackModel?.trim();
  if (r.mappedBy === 'unknown' && fallback) {
    const target = clean(fallback);
    const f = resolveWithoutUserMap(u, target);
    return finish(f.mappedBy === 'unknown' ? fallback : f.modelId, 'fallback', cleaned.thinking || target.thinking);
  }
  return finish(r.modelId, r.mappedBy, cleaned.thinking);
}

/** The names a client may send (GET /v1/models ids), for a model_not_found message. */
export function acceptedModelNames(available?: ModelInfo[]): string[] {
  return listClientModels(available).map((m) => m.id);
}

export interface ClientModel {
  /** What the client sends as `model`. */
  id: string;
  /** The Kiro wire id it resolves to. */
  modelId: string;
  displayName: string;
  contextWindow: number;
  /** True for the Anthropic-style dashed spelling of a dotted Kiro id. */
  alias: boolean;
}

/** Models for GET /v1/models: every Kiro id plus `claude-sonnet-4-5`-style aliases. */
export function listClientModels(available?: ModelInfo[]): ClientModel[] {
  const u = universeOf(available);
  const out: ClientModel[] = [];
  const seen = new Set<string>();
  for (const modelId of u.order) {
    if (seen.has(modelId)) continue;
    const displayName = u.info.get(modelId)?.modelName ?? STATIC_MODELS.find((m) => m.modelId === modelId)?.displayName ?? modelId;
    const contextWindow = contextWindowFor(modelId, available);
    seen.add(modelId);
    out.push({ id: modelId, modelId, displayName, contextWindow, alias: false });
    const dashed = modelId.replaceAll('.', '-');
    if (modelId.startsWith('claude-') && dashed !== modelId && !seen.has(dashed)) {
      seen.add(dashed);
      out.push({ id: dashed, modelId, displayName, contextWindow, alias: true });
    }
  }
  return out;
}
