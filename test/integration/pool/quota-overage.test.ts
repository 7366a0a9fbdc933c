// Issue 13 item 9 through the real server, the strict mock and the official SDK: an account past
// its included credits with overage enabled keeps serving (the soak that answered 441,685
// requests with 429 while Kiro kept accepting); with overage off the usage numbers are checked with
// one real request, and Kiro's 402 sets the account aside until the reset date. What the user
// sees of it is in /loadbalancer/instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startProxyWithMock } from '../../helpers/proxy.ts';
import type { AccountView } from '../../../src/core/proxy-types.ts';

const ask = (url: string) =>
  new Anthropic({ baseURL: url, apiKey: 'unused', maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 32,
    messages: [{ role: 'user', content: 'hello' }],
  });

async function instances(url: string): Promise<AccountView[]> {
  const r = await fetch(`${url}/loadbalancer/instances`);
  assert.equal(r.status, 200);
  return (await r.json()) as AccountView[];
}

test('usage above the included limit with overage enabled: the account keeps serving, and the dashboard data shows credits, overage and cap', async (t) => {
  const h = await startProxyWithMock({ accounts: [{ id: 'payg', usageLimit: 50, usage: 60, overage: { enabled: true, cap: 100 } }] });
  t.after(() => h.close());
  const [view] = h.proxy.accounts.list();
  await h.proxy.accounts.refreshQuota(view!.id);
  for (let i = 0; i < 5; i++) assert.equal((await ask(h.url)).content[0]?.type, 'text');
  await h.proxy.accounts.refreshQuota(view!.id);

  const [inst] = await instances(h.url);
  assert.equal(inst!.state, 'active');
  assert.match(inst!.stateReason ?? '', /serving on overage \(15 of 100 overage credits, 0\.60 USD so far\)/);
  assert.equal(inst!.quota?.limit, 50);
  assert.equal(inst!.quota?.used, 65);
  assert.equal(inst!.quota?.overageEnabled, true);
  assert.equal(inst!.quota?.overageUsed, 15);
  assert.equal(inst!.quota?.overageCap, 100);
  assert.equal(h.chats().length, 5);
});

test('overage disabled and the limit reached: one real request asks Kiro, its 402 sets the account aside until the reset date', async (t) => {
  const h = await startProxyWithMock({ accounts: [{ id: 'free', usageLimit: 50, usage: 50 }] });
  t.after(() => h.close());
  const [view] = h.proxy.accounts.list();
  const before = await h.proxy.accounts.refreshQuota(view!.id);
  assert.equal(before.state, 'cooldown');
  assert.match(before.stateReason ?? '', /included credits used up \(50 of 50, overage off\); the next request it is needed for asks Kiro/);

  await assert.rejects(ask(h.url), (err: any) => {
    assert.ok(err instanceof Anthropic.RateLimitError, String(err));
    return true;
  });
  assert.equal(h.chats().length, 1, 'Kiro was asked once');
  assert.equal(h.chats()[0]!.status, 402);

  const [inst] = await instances(h.url);
  assert.equal(inst!.state, 'disabled');
  const now = new Date();
  assert.equal(inst!.disabledUntil, Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1), "the mock's reset date");
  assert.equal(inst!.quota?.overageEnabled, false);

  // Set aside: refused at once, with the reset date as Retry-After, and Kiro is not asked again.
  const r = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'again' }] }),
  });
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.equal(h.chats().length, 1);
});
