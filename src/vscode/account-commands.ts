// Add Account / Scan Tokens / Refresh / Remove / enable-disable: all through the admin protocol,
// so they work the same whether this window or another one serves the proxy.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AccountView, Logger } from '../core/proxy-types.ts';
import type { ProxyController } from './proxy-controller.ts';
import type { AccountTreeItem } from './accounts-tree.ts';

export type LoginMethod = 'google' | 'github' | 'builder-id' | 'identity-center';

const LOGIN_LABELS: Record<LoginMethod, string> = {
  google: 'Google',
  github: 'GitHub',
  'builder-id': 'AWS Builder ID',
  'identity-center': 'IAM Identity Center (organisation)',
};

export class AccountCommands {
  private readonly controller: ProxyController;
  private readonly logger: Logger;

  constructor(controller: ProxyController, logger: Logger) {
    this.controller = controller;
    this.logger = logger;
  }

  async addAccount(): Promise<void> {
    type Pick = vscode.QuickPickItem & { run: () => Promise<void> };
    const items: Pick[] = [
      ...(Object.keys(LOGIN_LABELS) as LoginMethod[]).map((m) => ({
        label: `$(account) Sign in with ${LOGIN_LABELS[m]}`,
        run: () => this.login(m),
      })),
      { label: '', kind: vscode.QuickPickItemKind.Separator, run: async () => undefined },
      {
        label: '$(file) Import credentials file…',
        detail: 'A Kiro token file or an OAuth credentials JSON (one object or an array)',
        run: () => this.importFile(),
      },
      { label: '$(search) Scan the SSO cache…', detail: 'Token files written by the Kiro IDE (~/.aws/sso/cache)', run: () => this.scanTokens() },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Kiro: Add Account', placeHolder: 'How do you want to add a Kiro account?' });
    if (pick) await pick.run();
  }

  async login(method: LoginMethod): Promise<void> {
    let startUrl: string | undefined;
    let region: string | undefined;
    if (method === 'identity-center') {
      startUrl = await vscode.window.showInputBox({
        title: 'IAM Identity Center',
        prompt: 'Your organisation’s AWS access portal URL',
        placeHolder: 'https://my-org.awsapps.com/start',
        validateInput: (v) => (/^https:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an https:// URL'),
        ignoreFocusOut: true,
      });
      if (!startUrl) return;
      region = await vscode.window.showInputBox({
        title: 'IAM Identity Center',
        prompt: 'AWS region of Identity Center',
        value: 'us-east-1',
        ignoreFocusOut: true,
      });
      if (!region) return;
    }
    // Logins run in this window's core (the tokens land in the shared SecretStorage).
    const proxy = await this.controller.ensureRunningLocally();
    const title = `Signing in with ${LOGIN_LABELS[method]}…`;
    const account = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        if (method === 'google' || method === 'github') {
          const openUrl = async (url: string) => {
            progress.report({ message: 'Finish the sign-in in your browser.' });
            await vscode.env.openExternal(vscode.Uri.parse(url));
          };
          return await proxy.accounts.loginSocial(method === 'google' ? 'Google' : 'Github', openUrl, ac.signal);
        }
        const device = await proxy.accounts.startDeviceLogin({
          ...(startUrl ? { startUrl: startUrl.trim() } : {}),
          ...(region ? { region: region.trim() } : {}),
          signal: ac.signal,
        });
        progress.report({ message: `Confirm the code ${device.userCode} in your browser.` });
        void vscode.window
          .showInformationMessage(`Kiro sign-in: confirm the code ${device.userCode} on ${device.verificationUri}`, 'Copy Code', 'Open Page')
          .then((c) => {
            if (c === 'Copy Code') void vscode.env.clipboard.writeText(device.userCode);
            if (c === 'Open Page') void vscode.env.openExternal(vscode.Uri.parse(device.verificationUriComplete ?? device.verificationUri));
          });
        await vscode.env.openExternal(vscode.Uri.parse(device.verificationUriComplete ?? device.verificationUri));
        return await device.complete();
      } finally {
        sub.dispose();
      }
    });
    void vscode.window.showInformationMessage(`Kiro account added: ${account.label}`);
  }

  async importFile(uri?: vscode.Uri): Promise<void> {
    const file =
      uri ??
      (
        await vscode.window.showOpenDialog({
          title: 'Import Kiro credentials',
          canSelectMany: false,
          openLabel: 'Import',
          filters: { JSON: ['json'], 'All files': ['*'] },
        })
      )?.[0];
    if (!file) return;
    // Read here, send the text: the file may not be readable by another window's process.
    const json = await readFile(file.fsPath, 'utf8');
    await this.controller.ensureServing();
    const added = await this.controller.call('accounts.import', { json, source: basename(file.fsPath) });
    this.logger.info(`imported ${added.length} account(s) from ${basename(file.fsPath)}`);
    void vscode.window.showInformationMessage(
      added.length ? `Imported ${added.length} Kiro account(s): ${added.map((a) => a.label).join(', ')}` : 'No new account in that file (already imported?).',
    );
  }

  async scanTokens(): Promise<void> {
    // Accounts live in the running pool: adding one means the user wants the proxy up.
    await this.controller.ensureServing();
    const files = await this.controller.call('accounts.scanSso');
    if (files.length === 0) {
      const cfg = await this.controller.buildConfig().catch(() => undefined);
      void vscode.window.showInformationMessage(
        `No Kiro token file found in ${cfg?.ssoCache ?? 'the SSO cache'}. Sign in with the Kiro IDE first, or use "Kiro: Add Account".`,
      );
      return;
    }
    type Item = vscode.QuickPickItem & { path: string };
    const items: Item[] = files.map((f) => ({
      label: f.label,
      description: basename(f.path),
      detail: f.alreadyImported ? 'Already imported — picking it again re-reads the file for a newer token' : f.path,
      picked: !f.alreadyImported,
      path: f.path,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Kiro: Scan Tokens',
      placeHolder: 'Token files in the SSO cache: pick the ones to import',
      canPickMany: true,
      ignoreFocusOut: true,
    });
    if (!picked || picked.length === 0) return;
    const added: string[] = [];
    const failed: string[] = [];
    for (const item of picked) {
      try {
        added.push((await this.controller.call('accounts.importSso', { path: item.path })).label);
      } catch (err) {
        failed.push(`${item.label}: ${(err as Error).message}`);
      }
    }
    // The proxy keeps its own copy (SecretStorage): the account survives restarts, other windows
    // and a new login in the Kiro IDE, which only stops the proxy writing to that file.
    if (added.length) void vscode.window.showInformationMessage(`Imported from the SSO cache and kept by Kiro Proxy: ${added.join(', ')}`);
    if (failed.length) void vscode.window.showErrorMessage(`Could not import ${failed.join('; ')}`);
  }

  async refreshToken(arg?: AccountTreeItem | string): Promise<void> {
    const account = await this.resolve(arg, 'Refresh the token of which account?');
    if (!account) return;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Refreshing ${account.label}…` }, () =>
      this.controller.call('accounts.refresh', { id: account.id }),
    );
    void vscode.window.showInformationMessage(`${result.label}: token refreshed (${result.state}).`);
  }

  async refreshQuota(arg?: AccountTreeItem | string): Promise<void> {
    const account = await this.resolve(arg, 'Refresh the quota of which account?');
    if (!account) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Fetching quota of ${account.label}…` }, () =>
      this.controller.call('accounts.refreshQuota', { id: account.id }),
    );
  }

  async removeAccount(arg?: AccountTreeItem | string): Promise<void> {
    const account = await this.resolve(arg, 'Remove which account?');
    if (!account) return;
    const ok = await vscode.window.showWarningMessage(
      `Remove the Kiro account "${account.label}"?`,
      { modal: true, detail: 'Its stored tokens are deleted from this machine. The account itself is not affected.' },
      'Remove',
    );
    if (ok !== 'Remove') return;
    await this.controller.call('accounts.remove', { id: account.id });
  }

  async setEnabled(arg: AccountTreeItem | string | undefined, enabled: boolean): Promise<void> {
    const account = await this.resolve(arg, enabled ? 'Enable which account?' : 'Disable which account?');
    if (!account) return;
    await this.controller.call('accounts.setEnabled', { id: account.id, enabled });
  }

  private async resolve(arg: AccountTreeItem | string | undefined, placeHolder: string): Promise<AccountView | undefined> {
    const accounts = await this.controller.call('accounts.list');
    const id = typeof arg === 'string' ? arg : arg?.accountId;
    if (id) return accounts.find((a) => a.id === id);
    if (accounts.length === 0) {
      void vscode.window.showInformationMessage('No Kiro account yet. Start the proxy and add one with "Kiro: Add Account" or "Kiro: Scan Tokens".');
      return undefined;
    }
    if (accounts.length === 1) return accounts[0];
    const pick = await vscode.window.showQuickPick(
      accounts.map((a) => ({ label: a.label, description: a.state, account: a })),
      { placeHolder },
    );
    return pick?.account;
  }
}
