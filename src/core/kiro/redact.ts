// Scrubs credentials out of text that may reach an error message or a log. Upstream bodies are
// Kiro's own words, but a misbehaving gateway could echo a request back, so nothing we pass on
// is trusted to be clean. One implementation serves the whole core: observe/redact.ts.
import { SecretRegistry, redactSecrets as redactWith } from '../observe/redact.ts';

/** Replaces anything that looks like a token, plus the given known secrets, with `[REDACTED]`. */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  const registry = new SecretRegistry();
  for (const secret of known) registry.add(secret);
  return redactWith(text, registry);
}
