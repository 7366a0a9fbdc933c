// Every "Kiro: …" command. Errors surface as one notification with the message (never a token).
import * as vscode from 'vscode';
import type { Logger } from '../core/proxy-types.ts';
import { TRUNCATION_STRATEGIES, TRUNCATION_STRATEGY_INFO } from '../core/admin/truncation-strategy.ts';
import type { ProxyController } from './proxy-controller.ts';
import type { AccountCommands } from './account-commands.ts';
import type { ClientConfigurator } from './configure-client.ts';
import type { DashboardPanel } from './dashboard-webview.ts';
import type { SecretStore } from '../core/proxy-types.ts';
import { MISSING_TEAM_STATE_KEY, promptTeamStateKey } from './team-state-key.ts';

export interface CommandDeps {
  controller: ProxyController;
  accounts: AccountCommands;
  clients: ClientConfigurator;
  panel: DashboardPanel;
  channel: vscode.LogOutputChannel;
  logger: Logger;
  secrets: SecretStore;
}

export function registerCommands(context: vscode.ExtensionContext, d: CommandDeps): void {
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          await fn(...args);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          d.logger.error(`${id}: ${message}`);
          showKiroError(err, d.channel);
        }
      }),
    );
  const c = d.controller;

  reg('kiroProxy.start', async () => {
    await c.start();
    announce(c);
  });
  reg('kiroProxy.stop', async () => {
    const wasOther = c.state.kind === 'other-window';
    await c.stop();
    if (wasOther) void vscode.window.showInformationMessage('Kiro Proxy is served by another window; stop it there. This window no longer follows it.');
  });
  reg('kiroProxy.restart', async () => {
    await c.restart();
    announce(c);
  });
  reg('kiroProxy.addAccount', () => d.accounts.addAccount());
  reg('kiroProxy.importAccountFile', (uri?: vscode.Uri) => d.accounts.importFile(uri));
  reg('kiroProxy.scanTokens', () => d.accounts.scanTokens());
  reg('kiroProxy.refreshToken', (arg?: never) => d.accounts.refreshToken(arg));
  reg('kiroProxy.refreshQuota', (arg?: never) => d.accounts.refreshQuota(arg));
  reg('kiroProxy.removeAccount', (arg?: never) => d.accounts.removeAccount(arg));
  reg('kiroProxy.enableAccount', (arg?: never) => d.accounts.setEnabled(arg, true));
  reg('kiroProxy.disableAccount', (arg?: never) => d.accounts.setEnabled(arg, false));
  reg('kiroProxy.setTruncationStrategy', async () => {
    const current = vscode.workspace.getConfiguration('kiroProxy').get<string>('truncationStrategy');
    const pick = await vscode.window.showQuickPick(
      TRUNCATION_STRATEGIES.map((s) => ({
        label: TRUNCATION_STRATEGY_INFO[s].label,
        detail: TRUNCATION_STRATEGY_INFO[s].detail,
        description: s === current ? 'current' : undefined,
        strategy: s,
      })),
      { title: 'Kiro: Set Truncation Strategy', placeHolder: 'What to do with conversations longer than Kiro accepts' },
    );
    if (pick) await vscode.workspace.getConfiguration('kiroProxy').update('truncationStrategy', pick.strategy, vscode.ConfigurationTarget.Global);
  });
  reg('kiroProxy.openDashboard', () => d.panel.show());
  reg('kiroProxy.copyBaseUrl', async () => {
    await vscode.env.clipboard.writeText(c.baseUrl());
    void vscode.window.showInformationMessage(`Copied ${c.baseUrl()}`);
  });
  reg('kiroProxy.copyApiKey', async () => {
    await vscode.env.clipboard.writeText(await c.apiKey());
    void vscode.window.showInformationMessage('Copied the Kiro Proxy API key.');
  });
  reg('kiroProxy.configureClient', (id?: unknown) => d.clients.configure(typeof id === 'string' ? id : undefined));
  reg('kiroProxy.applyClientConfig', () => d.clients.apply());
  reg('kiroProxy.cancelClientConfig', () => d.clients.cancel());
  reg('kiroProxy.undoClientConfig', (id?: unknown) => d.clients.undo(typeof id === 'string' ? id : undefined));
  reg('kiroProxy.showLogs', () => d.channel.show());
  reg('kiroProxy.setTeamStateKey', () => promptTeamStateKey(d.secrets));
  reg('kiroProxy.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:kiro-proxy.kiro-proxy'));
  reg('kiroProxy.quickActions', () => quickActions(c));
}

/** One error notification, with the action that fixes it: the port setting, the team state key, else the logs. */
export function showKiroError(err: unknown, channel: vscode.OutputChannel, prefix = 'Kiro: '): void {
  const message = err instanceof Error ? err.message : String(err);
  const action = /kiroProxy\.port/.test(message) ? 'Open Settings' : message === MISSING_TEAM_STATE_KEY ? 'Set Team State Key' : 'Show Logs';
  void vscode.window.showErrorMessage(`${prefix}${message}`, action).then((c) => {
    if (c === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'kiroProxy.port');
    else if (c === 'Set Team State Key') void vscode.commands.executeCommand('kiroProxy.setTeamStateKey');
    else if (c === 'Show Logs') channel.show(true);
  });
}

function announce(c: ProxyController): void {
  const s = c.state;
  if (s.kind === 'running') void vscode.window.showInformationMessage(`Kiro Proxy is listening on ${s.url}`);
  else if (s.kind === 'other-window') void vscode.window.showInformationMessage(`Kiro Proxy on ${s.url} is served by another window.`);
}

async function quickActions(c: ProxyController): Promise<void> {
  const running = c.state.kind === 'running' || c.state.kind === 'other-window';
  const items: (vscode.QuickPickItem & { command: string })[] = [
    running ? { label: '$(debug-stop) Stop Proxy', command: 'kiroProxy.stop' } : { label: '$(play) Start Proxy', command: 'kiroProxy.start' },
    { label: '$(debug-restart) Restart Proxy', command: 'kiroProxy.restart' },
    { label: '$(dashboard) Open Dashboard', command: 'kiroProxy.openDashboard' },
    { label: '$(link) Copy Base URL', description: c.baseUrl(), command: 'kiroProxy.copyBaseUrl' },
    { label: '$(key) Copy API Key', command: 'kiroProxy.copyApiKey' },
    { label: '$(add) Add Account', command: 'kiroProxy.addAccount' },
    { label: '$(search) Scan Tokens', command: 'kiroProxy.scanTokens' },
    { label: '$(plug) Configure a client…', description: 'Claude Code, Codex, opencode, Cline, Continue', command: 'kiroProxy.configureClient' },
    { label: '$(output) Show Logs', command: 'kiroProxy.showLogs' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `Kiro Proxy — ${describe(c)}` });
  if (pick) await vscode.commands.executeCommand(pick.command);
}

function describe(c: ProxyController): string {
  const s = c.state;
  switch (s.kind) {
    case 'running':
      return `serving ${s.url}`;
    case 'other-window':
      return `served by another window (${s.url})`;
    case 'error':
      return s.message;
    default:
      return s.kind;
  }
}
