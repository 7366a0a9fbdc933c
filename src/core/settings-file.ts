// Proxy settings kept in KIRO_PROXY_HOME/config.json under "settings" (the seed's
// ~/.kiro-proxy/config.json): what a headless user changes in the dashboard survives a restart,
// and can be edited by hand. Only behaviour settings live here; network binding, endpoints,
// credentials and the API key never do (they are flags/env, or editor settings).
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { ProxyConfig } from './proxy-types.ts';
import { readJsonFile } from './fs/read-json-file.ts';
import { truncationShape, unwrap, valueSchema } from './config/schema.ts';
import { FILE_KEYS } from './config/surfaces.ts';

/** The config.json keys, declared beside the schema (config/surfaces.ts). */
const PERSISTED_KEYS = FILE_KEYS;

export type PersistedSettings = Partial<Pick<ProxyConfig, (typeof PERSISTED_KEYS)[number]>>;

// Every key optional, with the schema's bounds; truncation field by field (a file may set one switch).
const truncationPatch = z.object(Object.fromEntries(Object.entries(truncationShape).map(([k, s]) => [k, z.optional(unwrap(s))])));
const settingsSchema = z.object(Object.fromEntries(PERSISTED_KEYS.map((k) => [k, z.optional(k === 'truncation' ? truncationPatch : valueSchema(k))])));

export interface SettingsRead {
  settings: PersistedSettings;
  /** Human messages naming the file and field; the proxy still starts with the rest. */
  problems: string[];
}

export async function readSettingsFile(home: string): Promise<SettingsRead> {
  const path = join(home, 'config.json');
  let doc: unknown;
  try {
    doc = await readJsonFile(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'not_found') return { settings: {}, problems: [] };
    return { settings: {}, problems: [`${path}: ${(err as Error).message}`] };
  }
  const raw = doc && typeof doc === 'object' ? (doc as Record<string, unknown>)['settings'] : undefined;
  if (raw === undefined) return { settings: {}, problems: [] };
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return { settings: dropUndefined(parsed.data), problems: [] };
  // Keep every valid field; report the invalid ones by path.
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  const problems = parsed.error.issues.map((i) => `${path}: settings.${i.path.join('.')}: ${i.message}`);
  const kept: Record<string, unknown> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (!bad.has(k) && (PERSISTED_KEYS as readonly string[]).includes(k)) kept[k] = v;
  }
  const again = settingsSchema.safeParse(kept);
  return { settings: again.success ? dropUndefined(again.data) : {}, problems };
}

/** Applies file settings under the values the user set explicitly (flags/env win). */
export function applySettings(config: ProxyConfig, settings: PersistedSettings, explicit: ReadonlySet<string>): ProxyConfig {
  const out: ProxyConfig = { ...config };
  for (const key of PERSISTED_KEYS) {
    const v = settings[key];
    if (v === undefined || explicit.has(key)) continue;
    if (key === 'truncation') out.truncation = { ...config.truncation, ...(v as Partial<ProxyConfig['truncation']>) };
    else (out as unknown as Record<string, unknown>)[key] = v;
  }
  return out;
}

/** The persistable part of a config (what the dashboard may have changed). */
export function persistableSettings(config: ProxyConfig): PersistedSettings {
  const out: Record<string, unknown> = {};
  for (const key of PERSISTED_KEYS) out[key] = structuredClone(config[key]);
  return out;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
