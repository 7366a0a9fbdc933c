// The proxy's API key: generated once with a CSPRNG, kept in SecretStorage, shared by every window.
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../core/proxy-types.ts';

export const API_KEY_SECRET = 'apiKey';

export async function getOrCreateApiKey(secrets: SecretStore): Promise<string> {
  const existing = await secrets.get(API_KEY_SECRET);
  if (existing) return existing;
  const key = `kp-${randomBytes(24).toString('base64url')}`;
  await secrets.set(API_KEY_SECRET, key);
  return key;
}
