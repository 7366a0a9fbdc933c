// After the first start with no account: offer the Kiro IDE's tokens found in the SSO cache
// (kiroProxy.importSsoCache = "ask"). The headless proxy imports them silently; the editor asks.
import * as vscode from 'vscode';
import type { ProxyController } from './proxy-controller.ts';

export async function offerSsoImport(controller: ProxyController): Promise<void> {
  const config = vscode.workspace.getConfiguration('kiroProxy');
  if (config.get('importSsoCache') !== 'ask' || controller.state.kind !== 'running') return;
  if ((await controller.call('accounts.list')).length > 0) return;
  const files = (await controller.call('accounts.scanSso')).filter((f) => !f.alreadyImported);
  if (files.length === 0) return;
  const choice = await vscode.window.showInformationMessage(
    `Kiro Proxy found ${files.length === 1 ? 'a Kiro sign-in' : `${files.length} Kiro sign-ins`} in the SSO cache. Use ${files.length === 1 ? 'it' : 'them'}?`,
    'Import',
    'Choose…',
    'Never Ask',
  );
  if (choice === 'Import') {
    for (const f of files) await controller.call('accounts.importSso', { path: f.path });
  } else if (choice === 'Choose…') {
    await vscode.commands.executeCommand('kiroProxy.scanTokens');
  } else if (choice === 'Never Ask') {
    await config.update('importSsoCache', 'never', vscode.ConfigurationTarget.Global);
  }
}
