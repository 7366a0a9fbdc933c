// "Kiro: Configure Claude Code": show the change to ~/.claude/settings.json as a diff, apply it
// atomically after the user agrees, keep a backup so "Undo" restores the file exactly.
import * as vscode from 'vscode';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../core/fs/atomic-write.ts';
import { claudeSettingsPath, withKiroEnv } from './claude-settings.ts';
import type { ProxyController } from './proxy-controller.ts';
import type { Logger } from '../core/proxy-types.ts';

interface Backup {
  path: string;
  /** null: the file did not exist before. */
  content: string | null;
  appliedAt: number;
}

const BACKUP_KEY = 'kiroProxy.claudeSettingsBackup';

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export class ClaudeCodeConfigurator {
  private readonly context: vscode.ExtensionContext;
  private readonly controller: ProxyController;
  private readonly logger: Logger;

  constructor(context: vscode.ExtensionContext, controller: ProxyController, logger: Logger) {
    this.context = context;
    this.controller = controller;
    this.logger = logger;
  }

  async configure(): Promise<void> {
    const path = claudeSettingsPath();
    const current = await readIfExists(path);
    const settings = vscode.workspace.getConfiguration('kiroProxy');
    // Claude Code needs some token; without a required key any value passes the proxy.
    const token = settings.get<boolean>('requireApiKey', true) ? await this.controller.apiKey() : 'kiro-proxy';
    const { text, changed } = withKiroEnv(current, this.controller.baseUrl(), token);
    if (!changed) {
      void vscode.window.showInformationMessage(`Claude Code already uses Kiro Proxy (${path}).`);
      return;
    }
    // Both sides of the diff are private temp copies (they hold the key); deleted right after.
    const dir = join(tmpdir(), `kiro-proxy-claude-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const left = join(dir, 'settings.current.json');
    const right = join(dir, 'settings.proposed.json');
    await writeFile(left, current ?? '', { mode: 0o600 });
    await writeFile(right, text, { mode: 0o600 });
    try {
      await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(left), vscode.Uri.file(right), 'Claude Code settings.json ↔ with Kiro Proxy', {
        preview: true,
      });
      const choice = await vscode.window.showInformationMessage(
        `Apply this change to ${path}? Claude Code will send its requests to ${this.controller.baseUrl()}.`,
        { modal: true, detail: 'Sets env.ANTHROPIC_BASE_URL and env.ANTHROPIC_AUTH_TOKEN; everything else stays. A backup is kept for "Kiro: Undo Configure Claude Code".' },
        'Apply',
      );
      if (choice !== 'Apply') return;
      // Re-read: if the file changed while the diff was open, do not overwrite that change blindly.
      const now = await readIfExists(path);
      if (now !== current) {
        void vscode.window.showWarningMessage(`${path} changed while the diff was open; run "Kiro: Configure Claude Code" again.`);
        return;
      }
      await mkdir(dirname(path), { recursive: true });
      const backup: Backup = { path, content: current ?? null, appliedAt: Date.now() };
      await this.saveBackup(backup);
      await writeFileAtomic(path, text, { mode: 0o600 });
      this.logger.info(`configured Claude Code in ${path}`);
      void vscode.window.showInformationMessage(`Claude Code now uses Kiro Proxy. New Claude Code sessions pick it up.`, 'Undo').then((c) => {
        if (c === 'Undo') void this.undo();
      });
    } finally {
      await closeDiffTabs(right);
      await unlink(left).catch(() => undefined);
      await unlink(right).catch(() => undefined);
    }
  }

  async undo(): Promise<void> {
    const backup = await this.loadBackup();
    if (!backup) {
      void vscode.window.showInformationMessage('There is no Claude Code change of Kiro Proxy to undo.');
      return;
    }
    if (backup.content === null) await unlink(backup.path).catch(() => undefined);
    else await writeFileAtomic(backup.path, backup.content);
    await this.context.secrets.delete(BACKUP_KEY);
    this.logger.info(`restored ${backup.path}`);
    void vscode.window.showInformationMessage(`Restored ${backup.path} as it was before Kiro Proxy changed it.`);
  }

  // The backup may hold the user's own tokens (their settings file), so it lives in SecretStorage.
  private async saveBackup(b: Backup): Promise<void> {
    await this.context.secrets.store(BACKUP_KEY, JSON.stringify(b));
  }

  private async loadBackup(): Promise<Backup | undefined> {
    const raw = await this.context.secrets.get(BACKUP_KEY);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as Backup;
    } catch {
      return undefined;
    }
  }
}

async function closeDiffTabs(modifiedPath: string): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.fsPath === modifiedPath);
  if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => undefined);
}
