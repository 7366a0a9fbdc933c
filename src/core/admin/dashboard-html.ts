// The dashboard page, one template for the VS Code webview and the headless /dashboard.
// Scripts run only with the per-response nonce; no inline styles, no remote assets.

export interface DashboardPageOptions {
  /** base64/hex from a CSPRNG, fresh for every page. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** VS Code: webview.cspSource; browser: "'self'". */
  cspSource: string;
  /** Where fetch/EventSource may go (browser: "'self'"; webview: 'none'). */
  connectSrc: string;
  title?: string;
}

export function renderDashboardHtml(o: DashboardPageOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    `connect-src ${o.connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>${escapeText(o.title ?? 'Kiro Proxy')}</title>
</head>
<body>
<div id="app" aria-live="polite"><p class="muted">Loading…</p></div>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
