// Team mode in words for the hosts (dashboard service panel, status bar tooltip): whether Redis is
// reachable and how many instances the team has. Built from the status' team view only, so it can
// never carry the Redis URL.
import type { TeamHealthView } from '../team/team-runtime.ts';

/** "Redis up · 3 instances" or "Redis unreachable since 11:02 — serving from local state". */
export function teamSummary(team: TeamHealthView, clockTime: (ms: number) => string): string {
  if (team.redis === 'down') return `Redis unreachable since ${clockTime(team.since)} — serving from local state`;
  if (team.instances === undefined) return 'Redis up';
  return `Redis up · ${team.instances} instance${team.instances === 1 ? '' : 's'}`;
}
