// Team mode's KIRO_PROXY_STATE_KEY inside VS Code: kept in SecretStorage (set with "Kiro: Set
// Team State Key"), else taken from the environment VS Code was started from. Never a setting,
// never shown: the input box hides it and the key is checked before it is kept.
import * as vscode from 'vscode';
import type { SecretStore } from '../core/proxy-types.ts';
import { parseStateKeys, STATE_KEY_ENV } from '../core/team/state-key.ts';

const TEAM_STATE_KEY_SECRET = 'teamStateKey';

/** Shown when kiroProxy.redisUrl is set and no key is kept: names the command that fixes it. */
export const MISSING_TEAM_STATE_KEY = `Team mode (kiroProxy.redisUrl) needs the team's state key: run "Kiro: Set Team State Key" with the ${STATE_KEY_ENV} every instance of the team shares (or start VS Code with ${STATE_KEY_ENV} set).`;

/**
 * The key a start in team mode uses: SecretStorage first, then the extension host's environment.
 * Asked only in team mode, so a missing key is an error that says what to do in the editor.
 */
export async function teamStateKey(secrets: SecretStore, env: Record<string, string | undefined>): Promise<string> {
  const key = (await secrets.get(TEAM_STATE_KEY_SECRET)) || env[STATE_KEY_ENV];
  if (!key?.trim()) throw new Error(MISSING_TEAM_STATE_KEY);
  return key;
}

/** Asks for the key (empty: forget it). True when something changed. */
export async function promptTeamStateKey(secrets: SecretStore): Promise<boolean> {
  const value = await vscode.window.showInputBox({
    title: 'Kiro: Set Team State Key',
    prompt: `The ${STATE_KEY_ENV} every instance of the team shares (32 random bytes, base64 or hex: openssl rand -base64 32). Empty: forget the kept key.`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (v.trim() === '') return undefined;
      try {
        parseStateKeys(v.trim());
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (value === undefined) return false;
  if (value.trim() === '') await secrets.delete(TEAM_STATE_KEY_SECRET);
  else await secrets.set(TEAM_STATE_KEY_SECRET, value.trim());
  void vscode.window.showInformationMessage(
    value.trim() === '' ? 'Kiro: the team state key is forgotten.' : 'Kiro: team state key kept in SecretStorage; it is used from the next start of the proxy.',
  );
  return true;
}
