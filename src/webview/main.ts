// Dashboard entry: the same bundle runs in a VS Code webview and in a browser at /dashboard;
// only the transport differs.
import { App } from './app.ts';
import { HttpTransport } from './http-transport.ts';
import { inVsCodeWebview, VsCodeTransport } from './vscode-transport.ts';
import type { Transport } from './transport.ts';

const transport: Transport = inVsCodeWebview() ? new VsCodeTransport() : new HttpTransport();
document.body.classList.add(transport.kind === 'vscode' ? 'in-vscode' : 'in-browser');
const root = document.getElementById('app');
if (root) void new App(root, transport).start();
