// Request header lookup (headers arrive lower-cased; repeated ones as arrays).
import type { RequestContext } from '../types.ts';

/** The first non-blank value of a header, trimmed. */
export function headerValue(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : undefined;
}
