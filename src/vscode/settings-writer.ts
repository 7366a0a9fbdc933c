// Dashboard "Settings" changes land in the user's kiroProxy.* settings, which stay the source of
// truth in the editor; fields without a setting are applied to the running proxy only.
import * as vscode from 'vscode';
import type { ConfigPatch } from '../core/admin/protocol.ts';
import type { ProxyController } from './proxy-controller.ts';

const SETTING_OF: Partial<Record<keyof ConfigPatch, string>> = {
  selectionStrategy: 'selectionStrategy',
  cooldownSeconds: 'cooldownSeconds',
  truncationStrategy: 'truncationStrategy',
  maxRequestBytes: 'maxRequestBytes',
  modelMap: 'modelMapping',
  fallbackModel: 'fallbackModel',
  logBodies: 'logBodies',
};

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
