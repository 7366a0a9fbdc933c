// The Kiro runtime client (kiro-protocol.md §4, §6.3, §9.1): one undici Agent per client,
// every call abortable, every failure a KiroUpstreamError whose text never contains a token.
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { Agent, request } from './undici.ts';
import { classifyUpstreamError } from './classify.ts';
import { readBoundedText } from './http-body.ts';
import { parseListModelsPage } from './list-models.ts';
import { redactSecrets } from './redact.ts';
import { generateAssistantResponseHeaders, runtimeQueryHeaders, type ClientIdentity } from './request-headers.ts';
import { kiroEventsFromBody } from './event-iterable.ts';
import { requestFailure } from './transport-error.ts';
import {
  DEFAULT_ENDPOINTS,
  KiroUpstreamError,
  type EndpointStyle,
  type KiroAccountContext,
  type KiroClient,
  type KiroEndpoints,
  type KiroStreamResponse,
  type ModelInfo,
  type UsageLimits,
} from './types.ts';
import { parseUsageLimits } from './usage-limits.ts';
import type { KiroRequestBody } from './wire.ts';

export interface KiroClientOptions {
  /** Only `runtime` is used here; `{region}` is replaced by the account's region. */
  endpoints?: Partial<KiroEndpoints>;
  style?: EndpointStyle;
  identity?: Partial<ClientIdentity>;
  maxConnectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Until response headers arrive; for Kiro that is the time to the first event. */
  firstByteTimeoutMs?: number;
  /** Longest silence between body chunks. */
  bodyTimeoutMs?: number;
  maxErrorBodyBytes?: number;
  maxJsonBodyBytes?: number;
  /** close() waits this long for in-flight requests before destroying connections. */
  closeGraceMs?: number;
  /** Safety stop for ListAvailableModels pagination. */
  maxModelPages?: number;
  now?: () => number;
}

const DEFAULTS = {
  maxConnectionsPerOrigin: 32,
  keepAliveTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 120_000,
  bodyTimeoutMs: 300_000,
  maxErrorBodyBytes: 64 * 1024,
  maxJsonBodyBytes: 4 * 1024 * 1024,
  closeGraceMs: 5_000,
  maxModelPages: 20,
};

type Response = Dispatcher.ResponseData;

function firstHeader(res: Response, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A query string of the parameters that have a value. */
function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return q.toString();
}

/** Closes the connection pool: close() waits for in-flight requests, so a stream nobody finishes must not hang shutdown. */
async function closeAgent(agent: Agent, graceMs: number): Promise<void> {
  const grace = new AbortController();
  const forceAfterGrace = delay(graceMs, undefined, { signal: grace.signal }).then(
    () => agent.destroy(),
    () => undefined, // grace cancelled: close() finished first
  );
  try {
    await Promise.race([agent.close(), forceAfterGrace]);
  } finally {
    grace.abort();
  }
}

export function createKiroClient(options: KiroClientOptions = {}): KiroClient {
  const o = { ...DEFAULTS, ...options };
  const runtimeTemplate = options.endpoints?.runtime ?? DEFAULT_ENDPOINTS.runtime;
  const style: EndpointStyle = options.style ?? 'rest';
  const now = options.now ?? Date.now;
  const agent = new Agent({
    connections: o.maxConnectionsPerOrigin,
    keepAliveTimeout: o.keepAliveTimeoutMs,
    connect: { timeout: o.connectTimeoutMs },
    headersTimeout: o.firstByteTimeoutMs,
    bodyTimeout: o.bodyTimeoutMs,
  });

  const runtimeBase = (account: KiroAccountContext) => runtimeTemplate.replaceAll('{region}', account.region || 'us-east-1').replace(/\/+$/, '');

  async function send(
    what: string,
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    signal: AbortSignal,
  ): Promise<Response> {
    try {
      return await request(url, { ...init, signal, dispatcher: agent });
    } catch (err) {
      throw requestFailure(err, signal, what);
    }
  }

  /** Reads (bounded) and classifies a non-200 answer; the token is scrubbed even if echoed. */
  async function failure(res: Response, account: KiroAccountContext, signal: AbortSignal): Promise<KiroUpstreamError> {
    let text = '';
    try {
      text = (await readBoundedText(res.body, o.maxErrorBodyBytes)).text;
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      // The status alone still classifies; a body we could not read adds nothing.
    }
    return classifyUpstreamError(res.statusCode, res.headers, redactSecrets(text, [account.accessToken]));
  }

  async function getJson(what: string, url: string, account: KiroAccountContext, signal: AbortSignal, profileArnHeader: boolean): Promise<unknown> {
    const res = await send(what, url, { method: 'GET', headers: runtimeQueryHeaders(account, { identity: o.identity ?? {}, profileArnHeader }) }, signal);
    if (res.statusCode !== 200) throw await failure(res, account, signal);
    const requestId = firstHeader(res, 'x-amzn-requestid');
    let body;
    try {
      body = await readBoundedText(res.body, o.maxJsonBodyBytes);
    } catch (err) {
      throw requestFailure(err, signal, what);
    }
    const bad = (message: string) => new KiroUpstreamError({ cls: 'server', status: 200, message: `${what}: ${message}`, requestId });
    if (body.truncated) throw bad(`response larger than ${o.maxJsonBodyBytes} bytes`);
    try {
      return JSON.parse(body.text) as unknown;
    } catch {
      throw bad('response is not JSON');
    }
  }

  return {
    async generateAssistantResponse(body: KiroRequestBody, account: KiroAccountContext, signal: AbortSignal): Promise<KiroStreamResponse> {
      const url = style === 'awsjson' ? `${runtimeBase(account)}/` : `${runtimeBase(account)}/generateAssistantResponse`;
      const payload: KiroRequestBody = { ...body };
      if (account.profileArn) payload.profileArn = account.profileArn;
      else delete payload.profileArn;
      const headers = generateAssistantResponseHeaders(account, { style, identity: o.identity ?? {} });
      const res = await send('generateAssistantResponse', url, { method: 'POST', headers, body: JSON.stringify(payload) }, signal);
      const requestId = firstHeader(res, 'x-amzn-requestid');
      if (res.statusCode !== 200) throw await failure(res, account, signal);
      return { requestId, events: kiroEventsFromBody(res.body, signal, requestId) };
    },

    async getUsageLimits(account: KiroAccountContext, signal: AbortSignal): Promise<UsageLimits> {
      const qs = query({
        origin: 'AI_EDITOR',
        resourceType: 'AGENTIC_REQUEST',
        isEmailRequired: 'true',
        profileArn: account.profileArn,
      });
      const json = await getJson('getUsageLimits', `${runtimeBase(account)}/getUsageLimits?${qs}`, account, signal, false);
      const limits = parseUsageLimits(json, now());
      if (!limits) throw new KiroUpstreamError({ cls: 'server', status: 200, message: 'getUsageLimits: unexpected response shape' });
      return limits;
    },

    async listAvailableModels(account: KiroAccountContext, signal: AbortSignal): Promise<ModelInfo[]> {
      const models: ModelInfo[] = [];
      const seenTokens = new Set<string>();
      let nextToken: string | undefined;
      for (let page = 0; page < o.maxModelPages; page++) {
        const qs = query({ origin: 'AI_EDITOR', maxResults: '50', profileArn: account.profileArn, nextToken });
        const json = await getJson('ListAvailableModels', `${runtimeBase(account)}/ListAvailableModels?${qs}`, account, signal, true);
        const parsed = parseListModelsPage(json);
        if (!parsed) throw new KiroUpstreamError({ cls: 'server', status: 200, message: 'ListAvailableModels: unexpected response shape' });
        models.push(...parsed.models);
        nextToken = parsed.nextToken;
        // A repeated token would loop forever; treat it as the end.
        if (!nextToken || seenTokens.has(nextToken)) break;
        seenTokens.add(nextToken);
      }
      return models;
    },

    close: () => closeAgent(agent, o.closeGraceMs),
  };
}
