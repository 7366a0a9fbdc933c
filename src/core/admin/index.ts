// Public surface of the admin module for hosts (HTTP server, VS Code webview host).
export { dispatchAdmin, callAdmin, configPatchToProxy, type AdminTarget } from './dispatch.ts';
export { handleAdminHttp, handleDashboardHttp, type DashboardAssets } from './http.ts';
export { renderDashboardHtml, type DashboardPageOptions } from './dashboard-html.ts';
export { publicConfig, publicEvent, publicLogEntry } from './public-view.ts';
export * from './protocol.ts';
export * from './truncation-strategy.ts';
