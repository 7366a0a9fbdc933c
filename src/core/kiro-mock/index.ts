// Public surface of the simulated Kiro upstream (mock mode and every test).
export { startMockKiro, MockKiro } from './server.ts';
export type { MockKiroOptions, RecordedRequest } from './context.ts';
export type { AddAccountOptions, MockAccount } from './accounts.ts';
export { createMockModeAccount } from './mock-mode.ts';
export type { MockStep } from './script.ts';
export { DEFAULT_MOCK_MODELS } from './models.ts';
