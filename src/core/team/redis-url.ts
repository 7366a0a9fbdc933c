// The --redis-url as team mode checks it before loading the client, and as it may be logged: the
// password never reaches a log line or an error message.
import { TeamError } from './errors.ts';

/** The URL as it may appear in a log line: the password replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid Redis URL>';
  }
}

export function checkRedisUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TeamError('bad_config', `--redis-url ${redactRedisUrl(url)} is not a URL (expected redis://host:6379 or rediss://host:6380)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new TeamError('bad_config', `--redis-url must start with redis:// or rediss://, got ${u.protocol}//`);
  }
}
