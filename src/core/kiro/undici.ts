// The two pieces of undici the proxy uses, `Agent` and `request`, imported file by file.
// `import … from 'undici'` evaluates the package's whole index: fetch, WebSocket, the cache
// and mock agents, every interceptor, and through them Node's own bundled undici, worker
// threads and web streams. That cost ~5 MiB of RSS in an idle proxy (and 0.25 MB of bundle)
// for code we never call. `request` below is undici's own `request(url, options)` wrapper
// (index.js `makeDispatcher(api.request)`) for the call shape we use: a URL and an options
// object with the method, headers, body, signal and an optional dispatcher. These files are not
// undici's public API: package.json pins undici exactly and test/unit/deps/deep-imports.test.ts
// fails when an upgrade moves one (public entry points: +6 MiB idle RSS, BENCHMARKS.md).
import type { Dispatcher, request as undiciRequest } from 'undici';
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';
import undiciGlobal from 'undici/lib/global.js';
import undiciUtil from 'undici/lib/core/util.js';

export const Agent = AgentImpl;
export type Agent = AgentImpl;

/** undici's request options; `opaque` (a callback-API value) is left out. */
export type RequestOptions = Omit<NonNullable<Parameters<typeof undiciRequest>[1]>, 'opaque'>;

/** undici's `request(url, options)`: the global dispatcher unless `options.dispatcher` is given. */
export function request(url: string | URL, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = undiciUtil.parseURL(url);
  const dispatcher = options.dispatcher ?? undiciGlobal.getGlobalDispatcher();
  return apiRequest.call(dispatcher, {
    ...options,
    origin: u.origin,
    path: u.search ? `${u.pathname}${u.search}` : u.pathname,
    method: options.method || (options.body ? 'PUT' : 'GET'),
  });
}
