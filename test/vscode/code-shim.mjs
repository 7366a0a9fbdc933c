#!/usr/bin/env node
// Stands in for the desktop `code` binary that @vscode/test-cli / @vscode/test-electron launch:
// takes their argv (--extensionDevelopmentPath=… --extensionTestsPath=… [workspace]) and runs the
// tests in code-server's Node extension host, driven by headless Chromium. The smoke-test driver
// makes VS Code honour the `payload` URL parameter; the two exposed functions are the hooks
// @vscode/test-web uses to receive the extension host's console and its exit code.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { startVsCode, E2E_ROOT } from '../e2e/lib/harness.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const devPath = flag('extensionDevelopmentPath');
const testsPath = flag('extensionTestsPath');
if (!devPath || !testsPath) {
  console.error('code-shim: --extensionDevelopmentPath= and --extensionTestsPath= are required');
  process.exit(2);
}
const positional = args.filter((a) => !a.startsWith('-'));
const timeoutMs = Number(process.env.CODE_SHIM_TIMEOUT_MS ?? 300_000);
let settings = {};
try {
  settings = JSON.parse(process.env.CODE_SHIM_SETTINGS ?? '{}');
} catch {
  console.error('code-shim: CODE_SHIM_SETTINGS is not JSON');
}

let finish;
const exitCode = new Promise((r) => (finish = r));
const vs = await startVsCode({
  name: 'exthost',
  settings,
  workspace: positional[0] ?? mkdtempSync(join(E2E_ROOT, 'ws-')),
  serverArgs: ['--vscode-option', 'enable-smoke-test-driver'],
  waitForWorkbench: false,
  query: ({ port }) => {
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(testsPath)],
    ];
    return `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  },
  beforeGoto: async (page) => {
    await page.exposeFunction('codeAutomationLog', (level, logArgs) => {
      // The extension host forwards console calls as (format string, ...values).
      const line = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
      (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code) || 0));
  },
});
const timer = setTimeout(() => {
  console.error(`code-shim: no result after ${timeoutMs} ms`);
  finish(1);
}, timeoutMs);
const code = await exitCode;
clearTimeout(timer);
await vs.stop();
process.exit(code);
