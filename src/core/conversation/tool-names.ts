// Kiro accepts tool names of at most 64 characters from [A-Za-z0-9_-]; MCP tools often break
// both limits. Such names get a deterministic alias (readable prefix + short hash) and this map
// turns Kiro's answers back into the names the client declared.
import { createHash } from 'node:crypto';

const MAX_TOOL_NAME_LENGTH = 64;
const VALID_TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Both directions cover every declared tool (identity entries included). */
export interface ToolNameMap {
  readonly toKiro: ReadonlyMap<string, string>;
  readonly toClient: ReadonlyMap<string, string>;
}

function isValidKiroToolName(name: string): boolean {
  return VALID_TOOL_NAME.test(name);
}

/** The name Kiro should see for a client tool name (unchanged when not in the map). */
export function kiroToolName(map: ToolNameMap, clientName: string): string {
  return map.toKiro.get(clientName) ?? clientName;
}

/** The client's name for a tool Kiro called (unchanged when not in the map). */
export function clientToolName(map: ToolNameMap, kiroName: string): string {
  return map.toClient.get(kiroName) ?? kiroName;
}

/**
 * `prefix_hash`, at most 64 chars. The hash is of the original name, so the alias is stable
 * across requests of one session (Kiro sees the same tool names every turn); `attempt` widens
 * the hash in the astronomically unlikely case of a collision.
 */
export function aliasToolName(name: string, attempt = 0): string {
  const hashLength = 8 + attempt * 4;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, hashLength);
  const readable = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'tool';
  const prefix = readable.slice(0, MAX_TOOL_NAME_LENGTH - hashLength - 1);
  return `${prefix}_${hash}`;
}

/** Builds the map for the given client names, aliasing only names Kiro would refuse. */
export function buildToolNameMap(clientNames: Iterable<string>): ToolNameMap {
  const names = [...new Set(clientNames)];
  const taken = new Set(names.filter(isValidKiroToolName));
  const toKiro = new Map<string, string>();
  const toClient = new Map<string, string>();
  for (const name of names) {
    let kiro = name;
    if (!isValidKiroToolName(name)) {
      let attempt = 0;
      kiro = aliasToolName(name, attempt);
      while (taken.has(kiro)) kiro = aliasToolName(name, ++attempt);
      taken.add(kiro);
    }
    toKiro.set(name, kiro);
    toClient.set(kiro, name);
  }
  return { toKiro, toClient };
}
