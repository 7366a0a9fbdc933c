// PKCE (RFC 7636, S256) and the anti-CSRF state for browser logins.
import { createHash, randomBytes } from 'node:crypto';

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** 32 random bytes → a 43-char base64url verifier, the length every peer uses (§3.1). */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function createState(): string {
  return randomBytes(16).toString('base64url');
}
