// Status bar: running state, port and request count; a click opens the quick actions.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle.ts';
import type { ProxyController } from './proxy-controller.ts';
import type { TeamHealthView } from '../core/team/team-runtime.ts';
import { teamSummary } from '../core/admin/team-summary.ts';

export class ProxyStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly controller: ProxyController;
  private requests = 0;
  /** Team mode only, from the last status (the view /health shows). */
  private team: TeamHealthView | undefined;

  constructor(controller: ProxyController) {
    super();
    this.controller = controller;
    this.item = this._register(vscode.window.createStatusBarItem('kiroProxy.status', vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'Kiro Proxy';
    this.item.command = 'kiroProxy.quickActions';
    this._register(
      controller.onProxyEvent((ev) => {
        if (ev.type === 'status') {
          this.requests = ev.status.requests;
          this.team = ev.status.running ? ev.status.team : undefined;
        } else if (ev.type === 'request') this.requests++;
        else return;
        this.render();
      }),
    );
    this._register(controller.onDidChangeState(() => this.render()));
    this.render();
    this.item.show();
  }

  private render(): void {
    const s = this.controller.state;
    const item = this.item;
    item.backgroundColor = undefined;
    switch (s.kind) {
      case 'stopped':
        item.text = '$(circle-slash) Kiro';
        item.tooltip = `Kiro Proxy is stopped.${s.note ? ` ${s.note}` : ''} Click for actions.`;
        break;
      case 'starting':
        item.text = '$(loading~spin) Kiro';
        item.tooltip = 'Kiro Proxy is starting…';
        break;
      case 'running':
        item.text = `$(radio-tower) Kiro :${s.port} · ${this.requests}`;
        item.tooltip = `Kiro Proxy serves ${s.url} (${this.requests} requests).${this.teamNote()} Click for actions.`;
        this.warnIfRedisDown();
        break;
      case 'other-window':
        item.text = `$(multiple-windows) Kiro :${s.port}`;
        item.tooltip = `Kiro Proxy on ${s.url} is served by another window (Stop here stops it for every window). This window takes over if that one closes.${this.teamNote()}`;
        this.warnIfRedisDown();
        break;
      case 'error':
        item.text = '$(error) Kiro';
        item.tooltip = `Kiro Proxy: ${s.message}`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    item.accessibilityInformation = { label: typeof item.tooltip === 'string' ? item.tooltip : 'Kiro Proxy' };
  }

  private teamNote(): string {
    return this.team ? ` Team mode: ${teamSummary(this.team, (ms) => new Date(ms).toLocaleTimeString())}.` : '';
  }

  /** Redis away: still serving (from local state), so a warning, not an error. */
  private warnIfRedisDown(): void {
    if (this.team?.redis !== 'down') return;
    this.item.text = `$(warning) ${this.item.text}`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }
}
