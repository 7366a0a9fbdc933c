// A provider-pools file (seed 004's `provider_pools.json`, as AIClient-2-API and the Go AI Proxy
// keep it) as one more credentials source: one entry per Kiro account, grouped by provider type.
//
//   {"claude-kiro-oauth": [
//      {"uuid": "a1", "customName": "work", "KIRO_OAUTH_CREDS_FILE_PATH": "configs/kiro-auth-token.json"},
//      {"uuid": "a2", "KIRO_OAUTH_CREDS_BASE64": "eyJyZWZyZXNoVG9rZW4iOi…"},
//      {"uuid": "a3", "refreshToken": "…", "authMethod": "social", "isDisabled": true}
//   ],
//   "gemini-cli-oauth": [ … ]}
//
// Kiro entries live under `claude-kiro-oauth` or `kiro-api` (also a bare array of entries). An
// entry points at a creds file (loaded like --creds-file, so rotated tokens are written back to
// that file), holds base64 creds, or holds the credential fields inline (then rotated tokens stay
// in the proxy's own store, like --creds-base64). Disabled entries (`isDisabled: true`,
// `enabled: false`) are skipped; other providers' entries are reported once and ignored. The
// pool's bookkeeping fields (usageCount, isHealthy, …) are ignored: this proxy keeps its own.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { readJsonFile, JsonFileError } from '../../fs/read-json-file.ts';
import { loadCredsBase64, loadCredsFile, loadCredsJsonText, loadSsoTokenFile, SSO_TOKEN_FILE, type LoadResult } from './credential-sources.ts';
import { problem } from './credential-problem.ts';

/** Provider types whose entries are Kiro accounts. */
const KIRO_POOL_KEYS = ['claude-kiro-oauth', 'kiro-api', 'kiro'] as const;

const FILE_KEYS = ['KIRO_OAUTH_CREDS_FILE_PATH', 'KIRO_OAUTH_CREDS_FILE', 'credsFile'] as const;
const BASE64_KEYS = ['KIRO_OAUTH_CREDS_BASE64', 'credsBase64'] as const;

function str(o: Record<string, unknown>, keys: readonly string[]): { key: string; value: string } | undefined {
  for (const key of keys) {
    const v = o[key];
    if (typeof v === 'string' && v.trim() !== '') return { key, value: v.trim() };
  }
  return undefined;
}

/**
 * Relative paths as AIClient-2-API resolves them (against the working directory), else against
 * the pools file's own folder, whichever exists (the first when neither does, for the message).
 */
function resolvePath(path: string, poolsFile: string, cwd: string): string {
  if (isAbsolute(path)) return path;
  const fromCwd = resolve(cwd, path);
  if (existsSync(fromCwd)) return fromCwd;
  const fromFile = resolve(dirname(poolsFile), path);
  return existsSync(fromFile) ? fromFile : fromCwd;
}

async function loadEntry(entry: unknown, where: string, poolsFile: string, cwd: string): Promise<LoadResult> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return { credentials: [], problems: [problem(poolsFile, where, 'must be an object (one Kiro account)')] };
  }
  const o = entry as Record<string, unknown>;
  if (o['isDisabled'] === true || o['enabled'] === false) return { credentials: [], problems: [] };
  const file = str(o, FILE_KEYS);
  if (file) {
    const path = resolvePath(file.value, poolsFile, cwd);
    // The Kiro IDE's token file may name an OIDC client registration beside it: load it as the SSO cache does.
    const r = basename(path) === SSO_TOKEN_FILE ? await loadSsoTokenFile(path) : await loadCredsFile(path);
    return { credentials: r.credentials, problems: r.problems.map((p) => ({ ...p, message: `${poolsFile}: ${where}.${file.key}: ${p.message}` })) };
  }
  const b64 = str(o, BASE64_KEYS);
  if (b64) {
    const r = loadCredsBase64(b64.value);
    return {
      credentials: r.credentials,
      problems: r.problems.map((p) => ({ ...p, message: `${poolsFile}: ${where}.${b64.key}: ${p.message.replace(/^base64: /, '')}` })),
    };
  }
  if ('refreshToken' in o || 'refresh_token' in o || 'accessToken' in o) {
    return loadCredsJsonText(JSON.stringify(o), `${poolsFile}: ${where}`, () => ({ type: 'base64', index: null }));
  }
  return {
    credentials: [],
    problems: [
      problem(
        poolsFile,
        where,
        `names no credentials: set KIRO_OAUTH_CREDS_FILE_PATH (a creds file), KIRO_OAUTH_CREDS_BASE64, or the credential fields (refreshToken, …)`,
      ),
    ],
  };
}

/** Every enabled Kiro entry of the pools file. Never throws: what is wrong ends up in `problems`. */
export async function loadProviderPoolsFile(path: string, cwd: string = process.cwd()): Promise<LoadResult> {
  let doc: unknown;
  try {
    doc = await readJsonFile(path);
  } catch (err) {
    const what = err instanceof JsonFileError ? err.message.replace(`${path}: `, '') : 'cannot be read';
    return { credentials: [], problems: [problem(path, undefined, what)] };
  }
  const groups: { key: string; entries: unknown[] }[] = [];
  const out: LoadResult = { credentials: [], problems: [] };
  if (Array.isArray(doc)) groups.push({ key: '', entries: doc });
  else if (typeof doc === 'object' && doc !== null) {
    const o = doc as Record<string, unknown>;
    for (const [key, value] of Object.entries(o)) {
      if (!(KIRO_POOL_KEYS as readonly string[]).includes(key)) {
        out.problems.push(
          problem(path, key, 'is not a Kiro provider; this proxy serves only Kiro accounts (claude-kiro-oauth / kiro-api), so it is ignored', 'warning'),
        );
        continue;
      }
      if (!Array.isArray(value)) out.problems.push(problem(path, key, 'must be an array of accounts'));
      else groups.push({ key, entries: value });
    }
  } else out.problems.push(problem(path, undefined, 'must be an object like {"claude-kiro-oauth": [ … ]}'));
  if (groups.length === 0 && out.problems.length === 0)
    out.problems.push(problem(path, undefined, 'has no claude-kiro-oauth (or kiro-api) entries', 'warning'));
  for (const g of groups) {
    for (let i = 0; i < g.entries.length; i++) {
      const r = await loadEntry(g.entries[i], g.key ? `${g.key}[${i}]` : `[${i}]`, path, cwd);
      out.credentials.push(...r.credentials);
      out.problems.push(...r.problems);
    }
  }
  return out;
}
