// Public surface of the simulated Kiro upstream (mock mode and every test).
export { startMockKiro, MockKiro, GENERATE_TARGET, type MockState } from './server.ts';
export type { MockKiroOptions, RecordedRequest } from './context.ts';
export type { AddAccountOptions, MockAccount, MockAuthMethod } from './accounts.ts';
export { SOCIAL_PROFILE_ARN } from './accounts.ts';
export { createMockModeAccount, type MockModeCredential } from './mock-mode.ts';
export { validateGenerateRequest, VALIDATION_RULES, type ValidationRule, type ValidationResult } from './validate.ts';
export { parseDirectives } from './directives.ts';
export type { MockStep, StreamPart, StreamOptions, ToolUseSpec, HttpErrorStep } from './script.ts';
export { DEFAULT_MOCK_MODELS, type MockModel } from './models.ts';
