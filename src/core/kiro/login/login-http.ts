// JSON POSTs of the login flows. Bodies carry codes and client secrets, so nothing here ever
// puts a request body into an error; server error text is redacted before it is shown.
import { redactSecrets } from '../redact.ts';

export interface JsonAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
  text: string;
}

const MAX_ERROR_TEXT = 300;

export async function postJson(url: string, body: unknown, signal: AbortSignal): Promise<JsonAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal,
    redirect: 'error',
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** The server's own words for a failure, safe to show. */
export function describeFailure(a: JsonAnswer): string {
  const j = a.json ?? {};
  const pick = (k: string) => (typeof j[k] === 'string' ? j[k] : undefined);
  const words = pick('error_description') ?? pick('message') ?? pick('error') ?? a.text.trim();
  const clean = redactSecrets(words).replace(/\s+/g, ' ');
  return `HTTP ${a.status}${clean ? `: ${clean.slice(0, MAX_ERROR_TEXT)}` : ''}`;
}

/** `{region}` in a configured base (design-contracts.md §3), and no trailing slash. */
export function baseUrl(template: string, region: string): string {
  return template.replaceAll('{region}', region).replace(/\/+$/, '');
}

export class LoginError extends Error {
  readonly code: 'denied' | 'expired' | 'state_mismatch' | 'exchange_failed' | 'registration_failed' | 'invalid_response' | 'timeout';
  constructor(code: LoginError['code'], message: string) {
    super(message);
    this.name = 'LoginError';
    this.code = code;
  }
}
