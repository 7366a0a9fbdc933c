// Hosts the dashboard bundle in a webview (side-bar view and editor panel): strict CSP with a
// crypto nonce, assets only from dist/, zod-checked messages, a ready handshake, then the same
// admin protocol the headless /dashboard uses.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { renderDashboardHtml } from '../core/admin/dashboard-html.ts';
import {
  AdminError,
  webviewToHostSchema,
  type HostInfo,
  type HostToWebview,
  type ConfigPatch,
  configPatchSchema,
  describeZodError,
  isAdminMethod,
} from '../core/admin/protocol.ts';
import { publicConfig, publicEvent } from '../core/admin/public-view.ts';
import { Disposable } from './lifecycle.ts';
import type { ProxyController } from './proxy-controller.ts';
import type { ServeState } from './serve-state.ts';
import type { Logger } from '../core/proxy-types.ts';

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  controller: ProxyController;
  logger: Logger;
  /** Writes dashboard setting changes into kiroProxy.* (the settings stay the source of truth). */
  writeSettings(patch: ConfigPatch): Promise<void>;
}

const COMMANDS: Record<string, string> = {
  start: 'kiroProxy.start',
  stop: 'kiroProxy.stop',
  restart: 'kiroProxy.restart',
  openSettings: 'kiroProxy.openSettings',
  addAccount: 'kiroProxy.addAccount',
  scanTokens: 'kiroProxy.scanTokens',
  configureClient: 'kiroProxy.configureClient',
};

function hostInfoOf(state: ServeState): HostInfo {
  switch (state.kind) {
    case 'running':
      return { host: 'vscode', serving: 'this-window', message: `Serving ${state.url}` };
    case 'other-window':
      return { host: 'vscode', serving: 'other-window', message: `Served by another window (${state.url})` };
    case 'starting':
      return { host: 'vscode', serving: 'starting', message: 'Starting…' };
    case 'error':
      return { host: 'vscode', serving: 'error', message: state.message };
    default:
      return { host: 'vscode', serving: 'stopped', message: state.note ?? 'The proxy is stopped.' };
  }
}

/** One webview's connection to the controller; disposed with the webview. */
class DashboardBridge extends Disposable {
  private ready = false;
  private readonly webview: vscode.Webview;
  private readonly deps: DashboardDeps;

  constructor(webview: vscode.Webview, deps: DashboardDeps) {
    super();
    this.webview = webview;
    this.deps = deps;
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    webview.options = { enableScripts: true, localResourceRoots: [dist], enableCommandUris: false };
    webview.html = renderDashboardHtml({
      nonce: randomBytes(18).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'dashboard.css')).toString(),
      cspSource: webview.cspSource,
      connectSrc: "'none'",
    });
    this._register(webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this._register(
      deps.controller.onProxyEvent((ev) => {
        if (!this.ready) return;
        const logBodies = deps.controller.currentConfig?.logBodies ?? false;
        this.post({ kind: 'event', event: publicEvent(ev, logBodies) });
      }),
    );
    this._register(deps.controller.onDidChangeState((s) => this.ready && this.post({ kind: 'hostInfo', info: hostInfoOf(s) })));
  }

  private post(msg: HostToWebview): void {
    void this.webview.postMessage(msg);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.deps.logger.warn(`dashboard: ignored an invalid message (${describeZodError(parsed.error)})`);
      return;
    }
    const msg = parsed.data;
    if (msg.kind === 'ready') {
      this.ready = true;
      this.post({ kind: 'hello', info: hostInfoOf(this.deps.controller.state) });
      return;
    }
    if (msg.kind === 'command') {
      const cmd = COMMANDS[msg.command];
      if (cmd) void vscode.commands.executeCommand(cmd);
      return;
    }
    const { id, method, params } = msg;
    try {
      let result: unknown;
      if (!isAdminMethod(method)) throw new AdminError('unknown_method', `unknown admin method: ${method}`);
      if (method === 'config.update') {
        const patch = configPatchSchema.safeParse(params ?? {});
        if (!patch.success) throw new AdminError('invalid_params', describeZodError(patch.error));
        await this.deps.writeSettings(patch.data);
        result = publicConfig(await this.deps.controller.buildConfig());
      } else {
        result = await this.deps.controller.call(method, params as never);
      }
      this.post({ kind: 'response', id, result: result ?? null });
    } catch (err) {
      const code = err instanceof AdminError ? err.code : 'failed';
      this.post({ kind: 'response', id, error: { code, message: err instanceof Error ? err.message : String(err) } });
    }
  }
}

/** The Dashboard view in the Kiro side bar. Not retained when hidden: it re-syncs on show. */
export class DashboardViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'kiroProxy.dashboard';
  private bridge: DashboardBridge | undefined;
  private readonly deps: DashboardDeps;

  constructor(deps: DashboardDeps) {
    super();
    this.deps = deps;
    this._register({ dispose: () => this.bridge?.dispose() });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.bridge?.dispose();
    const bridge = new DashboardBridge(view.webview, this.deps);
    this.bridge = bridge;
    view.onDidDispose(() => {
      bridge.dispose();
      if (this.bridge === bridge) this.bridge = undefined;
    });
  }
}

/** "Kiro: Open Dashboard": one editor panel, revealed if already open. */
export class DashboardPanel extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private bridge: DashboardBridge | undefined;
  private readonly deps: DashboardDeps;

  constructor(deps: DashboardDeps) {
    super();
    this.deps = deps;
    this._register({
      dispose: () => {
        this.bridge?.dispose();
        this.panel?.dispose();
      },
    });
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const dist = vscode.Uri.joinPath(this.deps.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('kiroProxy.dashboardPanel', 'Kiro Dashboard', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'kiro.svg');
    this.panel = panel;
    this.bridge = new DashboardBridge(panel.webview, this.deps);
    panel.onDidDispose(() => {
      this.bridge?.dispose();
      this.bridge = undefined;
      this.panel = undefined;
    });
  }
}
