// Scrubs credentials out of text that may reach an error message or a log. Upstream bodies are
// Kiro's own words, but a misbehaving gateway could echo a request back, so nothing we pass on
// is trusted to be clean.

const PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=:-]{8,}/gi,
  // Kiro access / refresh tokens (`aoaAAAAA…`, `aorAAAAA…`) and API keys (`ksk_…`).
  /\bao[ar][A-Za-z0-9._~+/=:-]{16,}/g,
  /\bksk_[A-Za-z0-9._~+/=:-]{8,}/g,
  /("(?:accessToken|refreshToken|access_token|refresh_token|clientSecret|client_secret)"\s*:\s*")[^"]*"/g,
];

/** Replaces anything that looks like a token, plus the given known secrets, with `[REDACTED]`. */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of known) {
    // Short strings would blank out ordinary words; real tokens are long.
    if (secret && secret.length >= 8) out = out.replaceAll(secret, '[REDACTED]');
  }
  for (const re of PATTERNS) {
    out = out.replace(re, (match: string, keyPrefix?: string) =>
      typeof keyPrefix === 'string' && match.startsWith(keyPrefix) ? `${keyPrefix}[REDACTED]"` : '[REDACTED]',
    );
  }
  return out;
}
