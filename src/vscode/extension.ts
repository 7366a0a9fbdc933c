// Activation registers commands, views, the status bar and the chat provider, nothing more:
// the core is loaded and the server started only on "Start Proxy" (or kiroProxy.autoStart).
import * as vscode from 'vscode';
import { join } from 'node:path';
import { channelLogger } from './log-channel-logger.ts';
import { secretStorageStore } from './secret-store.ts';
import { readKiroSettings, type KiroSettings } from './settings-to-config.ts';
import { ProxyController } from './proxy-controller.ts';
import { AccountsModel, AccountsTreeProvider } from './accounts-tree.ts';
import { ProxyStatusBar } from './status-bar.ts';
import { DashboardPanel, DashboardViewProvider } from './dashboard-webview.ts';
import { writeSettingsPatch } from './settings-writer.ts';
import { AccountCommands } from './account-commands.ts';
import { bundledPlanner, ClientConfigurator } from './configure-client.ts';
import { registerCommands, showKiroError } from './commands.ts';
import { CHAT_VENDOR, KiroChatProvider } from './chat-provider.ts';
import { offerSsoImport } from './sso-import-prompt.ts';

/** The one thing deactivate needs: stopping the server so another window can take the port. */
let shutdownHook: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): { readonly controller: ProxyController; readonly activationMs: number } {
  const t0 = performance.now();
  const sub = (d: vscode.Disposable) => context.subscriptions.push(d);

  const channel = vscode.window.createOutputChannel('Kiro Proxy', { log: true });
  sub(channel);
  const logger = channelLogger(channel);
  const secrets = secretStorageStore(context.secrets);
  const readSettings = (): KiroSettings => {
    const cfg = vscode.workspace.getConfiguration('kiroProxy');
    return readKiroSettings((key) => cfg.get(key));
  };

  const controller = new ProxyController({
    logger,
    secrets,
    readSettings,
    globalStorage: context.globalStorageUri.fsPath,
    dashboardDir: vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath,
    env: process.env,
    loadCore: async () => {
      // A computed path so esbuild leaves this require alone: dist/core.js is built separately.
      const core = require(join(__dirname, 'core.js')) as typeof import('./core-entry.ts');
      return { createProxy: core.createProxy, defaultConfig: core.defaultConfig };
    },
  });
  sub(controller);
  shutdownHook = () => controller.shutdown();

  const setState = () => void vscode.commands.executeCommand('setContext', 'kiroProxy.state', controller.state.kind);
  setState();
  sub(controller.onDidChangeState(setState));

  const model = new AccountsModel(controller);
  sub(model);
  const tree = new AccountsTreeProvider(model);
  sub(tree);
  const treeView = vscode.window.createTreeView('kiroProxy.accounts', { treeDataProvider: tree });
  sub(treeView);
  // The welcome text is static; the error itself shows as the view's message.
  const treeMessage = () => {
    const s = controller.state;
    treeView.message = s.kind === 'error' ? `Error: ${s.message}` : s.kind === 'stopped' && s.note ? s.note : undefined;
  };
  treeMessage();
  sub(controller.onDidChangeState(treeMessage));
  sub(
    controller.onDidAnnounce((a) => {
      if (a.level === 'warning') void vscode.window.showWarningMessage(a.message);
      else void vscode.window.showInformationMessage(a.message);
    }),
  );

  sub(new ProxyStatusBar(controller));

  const dashboardDeps = {
    extensionUri: context.extensionUri,
    controller,
    logger,
    writeSettings: (patch: Parameters<typeof writeSettingsPatch>[0]) => writeSettingsPatch(patch, controller),
  };
  const view = new DashboardViewProvider(dashboardDeps);
  sub(view);
  sub(vscode.window.registerWebviewViewProvider(DashboardViewProvider.viewType, view));
  const panel = new DashboardPanel(dashboardDeps);
  sub(panel);

  // The chat provider API is final in 1.104; guard anyway for hosts that strip it.
  if (typeof vscode.lm?.registerLanguageModelChatProvider === 'function') {
    const chat = new KiroChatProvider(controller, logger);
    sub(chat);
    sub(vscode.lm.registerLanguageModelChatProvider(CHAT_VENDOR, chat));
  }

  const clients = new ClientConfigurator(context, controller, logger, bundledPlanner(__dirname));
  sub(clients);
  registerCommands(context, {
    controller,
    accounts: new AccountCommands(controller, logger),
    clients,
    panel,
    channel,
    logger,
    secrets,
  });

  sub(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('kiroProxy')) return;
      controller.settingsChanged().catch((err: unknown) => showKiroError(err, channel));
    }),
  );

  // Offer the SSO cache once this window serves and has no account.
  sub(
    controller.onDidChangeState((s) => {
      if (s.kind === 'running') void offerSsoImport(controller).catch((err: unknown) => logger.warn(`SSO cache offer: ${String(err)}`));
    }),
  );

  // After activation returns (probing the port and starting must not delay it): learn who serves
  // the port, so a new window shows "served by another window" at once; then autoStart.
  const autoStart = readSettings().autoStart;
  const settle = setTimeout(() => {
    void controller
      .observe()
      .then(() => (autoStart && controller.state.kind === 'stopped' ? controller.autoStart() : undefined))
      .catch((err: unknown) => showKiroError(err, channel, 'Kiro Proxy did not start: '));
  }, 0);
  sub({ dispose: () => clearTimeout(settle) });

  const activationMs = performance.now() - t0;
  logger.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { controller, activationMs };
}

export async function deactivate(): Promise<void> {
  const hook = shutdownHook;
  shutdownHook = undefined;
  await hook?.();
}
