// The JSON bodies of GET /health and GET /v1/models (design-contracts.md §4). The running proxy
// supplies the facts; their shape on the wire is the HTTP surface's business.
import type { AccountView } from '../proxy-types.ts';
import type { ModelInfo } from '../kiro/types.ts';
import { listClientModels } from '../kiro/models.ts';
import type { TeamHealthView } from '../team/team-runtime.ts';

export interface HealthFacts {
  version: string;
  mode: 'mock' | 'real';
  uptimeSeconds: number;
  /** Scrubbed account views (only their states are counted). */
  accounts: AccountView[];
  requests: number;
  errors: number;
  aborted: number;
  inFlight: number;
  /** Who this is: windows tell their own server from another's by it. */
  instance: string;
  /** Team mode only: the Redis connection and the team as this instance sees them. */
  team?: TeamHealthView;
}

export function healthBody(f: HealthFacts): Record<string, unknown> {
  const byState: Record<string, number> = { active: 0, cooldown: 0, disabled: 0, expired: 0, error: 0 };
  for (const a of f.accounts) byState[a.state] = (byState[a.state] ?? 0) + 1;
  return {
    // Still 200: an instance whose Redis is away keeps serving from its local state.
    status: f.team?.redis === 'down' ? 'degraded' : 'ok',
    service: 'kiro-proxy',
    version: f.version,
    mode: f.mode,
    uptimeSeconds: f.uptimeSeconds,
    accounts: { total: f.accounts.length, ...byState },
    requests: f.requests,
    errors: f.errors,
    aborted: f.aborted,
    inFlight: f.inFlight,
    instance: f.instance,
    ...(f.team ? { team: { ...f.team } } : {}),
  };
}

/** The model list in the shape both OpenAI and Anthropic clients read. */
export function modelsBody(models: ModelInfo[] | undefined): Record<string, unknown> {
  const data = listClientModels(models).map((m) => ({
    id: m.id,
    object: 'model',
    type: 'model',
    created: 0,
    created_at: '2025-01-01T00:00:00Z',
    owned_by: 'kiro',
    display_name: m.displayName ?? m.id,
  }));
  return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
