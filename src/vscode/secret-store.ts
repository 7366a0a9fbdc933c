// The core's SecretStore on VS Code SecretStorage: tokens and the API key live only here
// (OS keychain on desktop). Keys are namespaced; changes made by other windows are re-announced.
import type * as vscode from 'vscode';
import type { SecretStore } from '../core/proxy-types.ts';

const PREFIX = 'kiroProxy:';

export function secretStorageStore(secrets: vscode.SecretStorage): SecretStore {
  return {
    get: async (key) => (await secrets.get(PREFIX + key)) ?? undefined,
    set: async (key, value) => secrets.store(PREFIX + key, value),
    delete: async (key) => secrets.delete(PREFIX + key),
    onDidChange(listener) {
      return secrets.onDidChange((e) => {
        if (e.key.startsWith(PREFIX)) listener(e.key.slice(PREFIX.length));
      });
    },
  };
}
