// Entry of dist/core.js: the editor-independent core as its own bundle, required on the first
// Start, so activation never parses it (about 1 MB; measured 50–100 ms to load vs ~12 ms without).
export { createProxy } from '../core/proxy.ts';
export { defaultConfig } from '../core/config.ts';
