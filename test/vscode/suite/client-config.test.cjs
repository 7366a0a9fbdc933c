// "Kiro: Configure a client…" in the real extension host: for Claude Code (JSON), Codex (TOML),
// Continue (YAML), the Cline CLI (providers.json) and opencode (JSON), a CRLF, 0644 file with comments, extra keys and non-ASCII
// text is shown in a diff (key masked), applied, and undone — bytes and mode exact. Cancel and a
// file edited while the diff is open write nothing.
const assert = require('node:assert/strict');
const { mkdirSync, readFileSync, statSync, writeFileSync, chmodSync, existsSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { vscode, extensionApi, waitFor } = require('./helpers.cjs');

const crlf = (lines) => lines.join('\r\n') + '\r\n';
const CLIENTS = [
  {
    id: 'claude-code',
    path: () => join(process.env.CLAUDE_CONFIG_DIR, 'settings.json'),
    text: crlf([
      '{',
      '    // mine — ünïcödé ✓',
      '    "model": "opus",',
      '    "env": {',
      '        "FOO": "bär"',
      '    },',
      '    "permissions": { "allow": ["Bash(ls:*)"] }',
      '}',
    ]),
    owned: /"ANTHROPIC_BASE_URL": "http:\/\/127\.0\.0\.1:\d+",\r\n {8}"ANTHROPIC_AUTH_TOKEN": "kp-/,
  },
  {
    id: 'codex',
    path: () => join(process.env.CODEX_HOME, 'config.toml'),
    text: crlf([
      '# Codex — meine Einstellungen',
      'approval_policy = "on-request"  # ask first',
      '',
      '[mcp_servers.docs]',
      'command = "npx"',
      'args = ["-y", "docs-mcp"]',
    ]),
    owned: /\[model_providers\.kiro\]\r\nname = "Kiro Proxy"\r\nbase_url = "http:\/\/127\.0\.0\.1:\d+\/v1"\r\nwire_api = "responses"\r\n/,
  },
  {
    id: 'continue',
    path: () => join(process.env.CONTINUE_GLOBAL_DIR, 'config.yaml'),
    text: crlf([
      'name: Meine Konfig ✓',
      'version: 1.0.0',
      'schema: v1',
      '# models I use',
      'models:',
      '  - name: Local Llama # fast',
      '    provider: ollama',
      '    model: llama3',
    ]),
    owned: /model: llama3\r\n {2}- name: Kiro Proxy\r\n {4}provider: openai\r\n/,
  },
  {
    id: 'cline-cli',
    path: () => join(process.env.CLINE_DIR, 'data', 'settings', 'providers.json'),
    text: crlf([
      '{',
      '  "version": 1,',
      '  "lastUsedProvider": "anthropic",',
      '  "modes": {},',
      '  "providers": {',
      '    "anthropic": {',
      '      "settings": { "provider": "anthropic", "apiKey": "sk-ant-mine", "model": "claude-sonnet-4-5" },',
      '      "updatedAt": "2026-01-01T00:00:00.000Z",',
      '      "note": "für später ✓"',
      '    }',
      '  }',
      '}',
    ]),
    owned: /"lastUsedProvider": "openai-compatible",\r\n[\s\S]*"openai-compatible": \{\r\n {6}"settings": \{[\s\S]*"updatedAt": "\d{4}-/,
    // lastUsedProvider is one of the owned keys: its old value is replaced, not kept.
    replaced: ['  "lastUsedProvider": "anthropic",'],
  },
  {
    id: 'opencode',
    path: () => join(process.env.XDG_CONFIG_HOME, 'opencode', 'opencode.json'),
    text: crlf(['{', '  "$schema": "https://opencode.ai/config.json",', '  // lokale Modelle', '  "theme": "tokyonight"', '}']),
    owned: /"provider": \{\r\n {4}"kiro": \{\r\n {6}"npm": "@ai-sdk\/openai-compatible"/,
  },
];

/** The open review diff (of one client, when given). */
function reviewTab(id) {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find(
      (t) =>
        t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'kiro-proxy-review' && (!id || t.input.modified.path.startsWith(`/${id}/`)),
    );
}

describe('Kiro: Configure a client…', function () {
  let api;
  let key;

  before(async function () {
    api = await extensionApi();
    key = await api.controller.apiKey();
  });

  for (const c of CLIENTS) {
    it(`${c.id}: diff first (key masked), only its own keys written, mode kept; Undo restores bytes and mode`, async function () {
      const file = c.path();
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, c.text);
      chmodSync(file, 0o644);
      const original = readFileSync(file);

      const flow = vscode.commands.executeCommand('kiroProxy.configureClient', c.id);
      const tab = await waitFor(() => reviewTab(c.id), 'the review diff');
      const proposed = await vscode.workspace.openTextDocument(tab.input.modified);
      assert.ok(!proposed.getText().includes(key), 'the diff does not show the API key');
      assert.match(proposed.getText(), /kp-••••••••/);
      assert.equal(readFileSync(file).compare(original), 0, 'nothing written before Apply');

      await vscode.commands.executeCommand('kiroProxy.applyClientConfig');
      await flow;
      const after = readFileSync(file, 'utf8');
      assert.match(after, c.owned);
      assert.ok(after.includes(key), 'the real key is in the file');
      assert.ok(!/(^|[^\r])\n/.test(after), 'CRLF kept');
      for (const line of c.text.split('\r\n').filter((l) => l && !(c.replaced ?? []).includes(l))) {
        assert.ok(
          after.split('\r\n').some((l) => l === line || l === `${line},`),
          `kept: ${line}`,
        );
      }
      assert.equal(statSync(file).mode & 0o777, 0o644, 'mode kept');
      await waitFor(() => !reviewTab(), 'the diff to close');

      assert.equal(await vscode.commands.executeCommand('kiroProxy.undoClientConfig', c.id), undefined);
      await waitFor(() => readFileSync(file).compare(original) === 0, 'the original bytes back');
      assert.equal(statSync(file).mode & 0o777, 0o644);
    });
  }

  it('Cancel writes nothing; a file created by Configure is removed again by Undo', async function () {
    const file = join(process.env.CLAUDE_CONFIG_DIR, 'settings.json');
    rmSync(file, { force: true });
    await waitFor(() => !reviewTab(), 'no review open');
    let flow = vscode.commands.executeCommand('kiroProxy.configureClient', 'claude-code');
    await waitFor(() => reviewTab('claude-code'), 'the review diff');
    await vscode.commands.executeCommand('kiroProxy.cancelClientConfig');
    await flow;
    assert.equal(existsSync(file), false);

    await waitFor(() => !reviewTab(), 'the cancelled review closed');
    flow = vscode.commands.executeCommand('kiroProxy.configureClient', 'claude-code');
    await waitFor(() => reviewTab('claude-code'), 'the review diff');
    await vscode.commands.executeCommand('kiroProxy.applyClientConfig');
    await flow;
    assert.equal(statSync(file).mode & 0o777, 0o600, 'a new file holding the key is private');
    await vscode.commands.executeCommand('kiroProxy.undoClientConfig', 'claude-code');
    await waitFor(() => !existsSync(file), 'the created file removed');
  });

  it('a file changed while the diff is open is not overwritten', async function () {
    const file = join(process.env.CODEX_HOME, 'config.toml');
    writeFileSync(file, 'model = "gpt-5"\n');
    await waitFor(() => !reviewTab(), 'no review open');
    const flow = vscode.commands.executeCommand('kiroProxy.configureClient', 'codex');
    await waitFor(() => reviewTab('codex'), 'the review diff');
    writeFileSync(file, 'model = "gpt-5"\n# edited meanwhile\n');
    // Apply refuses (an error notification says why) and the flow ends without writing.
    await vscode.commands.executeCommand('kiroProxy.applyClientConfig');
    assert.equal(await flow, undefined);
    assert.equal(readFileSync(file, 'utf8'), 'model = "gpt-5"\n# edited meanwhile\n');
  });
});
