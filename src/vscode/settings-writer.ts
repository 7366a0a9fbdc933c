// Dashboard "Settings" changes land in the user's kiroProxy.* settings, which stay the source of
// truth in the editor; fields without a setting are applied to the running proxy only.
import * as vscode from 'vscode';
import type { ConfigPatch } from '../core/admin/protocol.ts';
import type { ProxyController } from './proxy-controller.ts';
import { VSCODE_SETTINGS, type VscodeSetting } from '../core/config/vscode-settings.ts';

/** Dashboard patch key → the kiroProxy.* setting it is written to (core/config/vscode-settings.ts). */
const SETTING_OF: Partial<Record<keyof ConfigPatch, string>> = Object.fromEntries(
  Object.entries(VSCODE_SETTINGS as Record<string, VscodeSetting>).flatMap(([name, s]) => (s.patch ? [[s.patch, name]] : [])),
);

export async function writeSettingsPatch(patch: ConfigPatch, controller: ProxyController): Promise<void> {
  const config = vscode.workspace.getConfiguration('kiroProxy');
  const runtimeOnly: ConfigPatch = {};
  for (const [key, value] of Object.entries(patch) as [keyof ConfigPatch, unknown][]) {
    const setting = SETTING_OF[key];
    if (setting) await config.update(setting, value, vscode.ConfigurationTarget.Global);
    else (runtimeOnly as Record<string, unknown>)[key] = value;
  }
  if (Object.keys(runtimeOnly).length > 0 && controller.state.kind !== 'stopped') await controller.call('config.update', runtimeOnly);
}
