// The Accounts view: a model fed by proxy events, kept apart from the TreeDataProvider that shows it.
import * as vscode from 'vscode';
import type { AccountView } from '../core/proxy-types.ts';
import { Disposable, interval, type IDisposable } from './lifecycle.ts';
import { cooldownEnd, presentAccount } from './account-presentation.ts';
import type { ProxyController } from './proxy-controller.ts';

/** Holds the accounts and announces changes; knows nothing about trees. */
export class AccountsModel extends Disposable {
  private items: AccountView[] = [];
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(controller: ProxyController) {
    super();
    this.set(controller.accounts);
    this._register(controller.onProxyEvent((ev) => ev.type === 'accounts' && this.set(ev.accounts)));
    this._register(controller.onDidChangeState(() => this.set(controller.accounts)));
  }

  get all(): readonly AccountView[] {
    return this.items;
  }

  get(id: string): AccountView | undefined {
    return this.items.find((a) => a.id === id);
  }

  private set(accounts: readonly AccountView[]): void {
    this.items = [...accounts];
    void vscode.commands.executeCommand('setContext', 'kiroProxy.hasAccounts', this.items.length > 0);
    this.changed.fire();
  }
}

export class AccountTreeItem extends vscode.TreeItem {
  readonly accountId: string;
  constructor(a: AccountView, now: number) {
    const p = presentAccount(a, now);
    super(p.label, vscode.TreeItemCollapsibleState.None);
    this.accountId = a.id;
    this.id = a.id;
    this.description = p.description;
    this.iconPath = new vscode.ThemeIcon(p.icon, p.color ? new vscode.ThemeColor(p.color) : undefined);
    this.tooltip = new vscode.MarkdownString(p.tooltipLines.map(escapeMd).join('\n\n'));
    this.contextValue = p.contextValue;
    this.accessibilityInformation = { label: `${p.label}, ${a.state}${p.description ? `, ${p.description}` : ''}` };
  }
}

function escapeMd(line: string): string {
  // Keep our own bold markers; account text (labels, error messages) must not inject markdown/links.
  return line.replace(/[\\`[\]<>]/g, (c) => `\\${c}`);
}

export class AccountsTreeProvider extends Disposable implements vscode.TreeDataProvider<AccountTreeItem> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private ticker: IDisposable | undefined;
  private readonly model: AccountsModel;

  constructor(model: AccountsModel) {
    super();
    this.model = model;
    this._register(model.onDidChange(() => this.refresh()));
    this._register({ dispose: () => this.ticker?.dispose() });
  }

  getTreeItem(e: AccountTreeItem): AccountTreeItem {
    return e;
  }

  getChildren(element?: AccountTreeItem): AccountTreeItem[] {
    if (element) return [];
    const now = Date.now();
    return this.model.all.map((a) => new AccountTreeItem(a, now));
  }

  private refresh(): void {
    this.changed.fire();
    this.updateTicker();
  }

  /** A 1 s tick only while some account counts down a cooldown; gone when none does. */
  private updateTicker(): void {
    const now = Date.now();
    const counting = this.model.all.some((a) => cooldownEnd(a, now) !== undefined);
    if (counting && !this.ticker) {
      this.ticker = interval(() => this.refresh(), 1000);
    } else if (!counting && this.ticker) {
      this.ticker.dispose();
      this.ticker = undefined;
    }
  }
}
