// A stable session key for conversation stickiness and Kiro's conversationId.
import type { RequestContext } from '../types.ts';
import { headerValue } from '../shared/headers.ts';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const LEGACY_SESSION = new RegExp(`_session_(${UUID})`);

/**
 * Claude Code sends its session id in `x-claude-code-session-id` and inside
 * `metadata.user_id`: now a JSON string `{"device_id","account_uuid","session_id"}`, in older
 * versions `user_<hash>_account_<uuid>_session_<uuid>`. Anything else is a user id, not a session.
 */
export function anthropicSessionId(ctx: RequestContext, userId: string | null | undefined): string | undefined {
  const header = headerValue(ctx, 'x-claude-code-session-id');
  if (header) return header;
  if (!userId) return undefined;
  if (userId.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(userId) as unknown;
      if (parsed && typeof parsed === 'object' && 'session_id' in parsed) {
        const id = (parsed as { session_id?: unknown }).session_id;
        if (typeof id === 'string' && id) return id;
      }
    } catch {
      // Not JSON after all: fall through to the legacy form.
    }
  }
  return LEGACY_SESSION.exec(userId)?.[1];
}
