// OpenAI error shape, shared by Chat Completions and Responses: {"error":{message,type,param,code}}.
import type { ErrorKind, ProxyError } from '../../errors.ts';

const ERROR_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  overloaded: 'server_error',
  unavailable: 'server_error',
  timeout: 'timeout_error',
  upstream: 'server_error',
  internal: 'server_error',
};

// OpenAI clients branch on `code` more than on `type`; give the kinds without a code one.
const DEFAULT_CODE: Partial<Record<ErrorKind, string>> = {
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
  overloaded: 'server_overloaded',
  authentication: 'invalid_api_key',
};

export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function openAIErrorObject(err: ProxyError): OpenAIErrorObject {
  return {
    message: err.message,
    type: ERROR_TYPE[err.kind],
    param: err.param ?? null,
    code: err.code ?? DEFAULT_CODE[err.kind] ?? null,
  };
}

export function renderOpenAIError(err: ProxyError): { status: number; body: unknown; headers?: Record<string, string> } {
  const out: { status: number; body: unknown; headers?: Record<string, string> } = {
    status: err.status,
    body: { error: openAIErrorObject(err) },
  };
  if (err.retryAfterSeconds !== undefined) out.headers = { 'retry-after': String(Math.max(0, Math.ceil(err.retryAfterSeconds))) };
  return out;
}
