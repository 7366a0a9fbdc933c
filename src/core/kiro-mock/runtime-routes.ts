// Runtime side routes besides chat (kiro-protocol.md §6.3, §9): usage limits, model list,
// profiles, and the MCP web_search endpoint. All behind the bearer check.
import type { RouteCall } from './context.ts';
import { requireBearer } from './bearer.ts';
import { bodyObject, sendJson, sendKiroError } from './http-io.ts';
import { listAvailableModelsBody } from './models.ts';

export function usageLimitsRoute(call: RouteCall): void {
  const account = requireBearer(call);
  if (!account) return;
  const { res, ctx } = call;
  const now = new Date(ctx.now());
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000;
  const daysUntilReset = Math.max(0, Math.ceil((next * 1000 - ctx.now()) / 86_400_000));
  const used = account.usage;
  const limit = account.usageLimit;
  const overages = Math.max(0, used - limit);
  const rate = 0.04;
  sendJson(res, 200, {
    daysUntilReset,
    limits: [],
    nextDateReset: next,
    overageConfiguration: { overageStatus: account.overageEnabled ? 'ENABLED' : 'DISABLED' },
    subscriptionInfo: {
      subscriptionTitle: account.subscriptionTitle,
      type: account.subscriptionTitle === 'KIRO FREE' ? 'Q_DEVELOPER_STANDALONE_FREE' : 'Q_DEVELOPER_STANDALONE_PRO',
      overageCapability: account.overageEnabled ? 'OVERAGE_CAPABLE' : 'OVERAGE_INCAPABLE',
      upgradeCapability: 'UPGRADE_CAPABLE',
      subscriptionManagementTarget: 'PURCHASE',
    },
    usageBreakdownList: [
      {
        resourceType: 'CREDIT',
        unit: 'INVOCATIONS',
        currency: 'USD',
        displayName: 'Credit',
        displayNamePlural: 'Credits',
        currentUsage: used,
        currentUsageWithPrecision: used,
        usageLimit: limit,
        usageLimitWithPrecision: limit,
        currentOverages: overages,
        currentOveragesWithPrecision: overages,
        overageCap: account.overageCap,
        overageCapWithPrecision: account.overageCap,
        overageCharges: Math.round(overages * rate * 100) / 100,
        overageRate: rate,
        nextDateReset: next,
        bonuses: [],
      },
    ],
    userInfo: { email: account.email, userId: `d-mock.${account.id}` },
  });
}

export function listModelsRoute(call: RouteCall): void {
  if (!requireBearer(call)) return;
  sendJson(call.res, 200, listAvailableModelsBody(call.ctx.options.models));
}

export function listProfilesRoute(call: RouteCall): void {
  const account = requireBearer(call);
  if (!account) return;
  if (account.profileArn === undefined) {
    // Builder ID has no profiles; callers fall back to the fixed ARN (§9.3, §4.5).
    sendKiroError(call.res, 403, { message: 'AWS Builder ID is not supported for this operation', reason: 'FEATURE_NOT_SUPPORTED' }, 'AccessDeniedException');
    return;
  }
  const region = account.profileArn.split(':')[3] ?? 'us-east-1';
  sendJson(call.res, 200, { profiles: [{ arn: account.profileArn, profileName: `KiroProfile-${region}` }] });
}

const WEB_SEARCH_TOOL = {
  name: 'web_search',
  description: 'Search the web.',
  inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
};

/** Minimal MCP JSON-RPC (§9.5): tools/list and tools/call web_search with canned results. */
export function mcpRoute(call: RouteCall): void {
  if (!requireBearer(call)) return;
  const { res, body } = call;
  const b = bodyObject(body.parsed);
  const id = b['id'] ?? null;
  const rpcError = (code: number, message: string) => sendJson(res, 200, { id, jsonrpc: '2.0', error: { code, message } });
  if (body.malformed || b['jsonrpc'] !== '2.0' || typeof b['method'] !== 'string') return rpcError(-32600, 'Invalid Request');
  if (b['method'] === 'tools/list') {
    sendJson(res, 200, { id, jsonrpc: '2.0', result: { tools: [WEB_SEARCH_TOOL] } });
    return;
  }
  if (b['method'] !== 'tools/call') return rpcError(-32601, 'Method not found');
  const params = bodyObject(b['params']);
  const query = bodyObject(params['arguments'])['query'];
  if (params['name'] !== 'web_search') return rpcError(-32602, `Unknown tool ${JSON.stringify(params['name'])}`);
  if (typeof query !== 'string' || query.trim() === '') return rpcError(-32602, 'query is required');
  const results = [1, 2, 3].map((n) => ({
    title: `Mock result ${n} for ${query}`,
    url: `https://example.com/search/${n}?q=${encodeURIComponent(query)}`,
    snippet: `Snippet ${n} about ${query}.`,
    publishedDate: null,
    id: `mock-${n}`,
    domain: 'example.com',
  }));
  const text = JSON.stringify({ results, totalResults: results.length, query });
  sendJson(res, 200, { id, jsonrpc: '2.0', result: { content: [{ type: 'text', text }], isError: false } });
}
