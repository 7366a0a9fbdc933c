// Team gateway, what each instance shows and counts: real proxy instances (createProxy, team mode)
// in this process, one strict mock Kiro, one real redis-server. The account state (dashboard API,
// /loadbalancer/instances, the account gauges of /metrics) is the team's, the same on every
// instance; the counters count what an instance did itself, so summed over the instances (what a
// Prometheus does across a load-balanced fleet) they give the team's total: one 429 is one
// cooldown, one rotation is one refresh, however many instances learn of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccountView } from '../../../src/core/proxy-types.ts';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { parsePrometheus, type Exposition } from '../observe/prometheus.ts';
import { chat, health, startFleet, type Member } from './gateway-fleet.ts';
import { eventually } from './helpers.ts';

async function metricsOf(m: Member): Promise<Exposition> {
  const res = await fetch(`${m.url}/metrics`);
  assert.equal(res.status, 200);
  return parsePrometheus(await res.text());
}

/** The counter summed over every instance's /metrics. */
async function teamSum(members: readonly Member[], name: string, match?: Record<string, string>): Promise<number> {
  let total = 0;
  for (const m of members) total += (await metricsOf(m)).sum(name, match);
  return total;
}

/** The dashboard's account list (admin API). */
async function dashboardAccounts(m: Member): Promise<AccountView[]> {
  const res = await fetch(`${m.url}/api/accounts.list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  return ((await res.json()) as { result: AccountView[] }).result;
}

async function loadbalancerAccounts(m: Member): Promise<AccountView[]> {
  const res = await fetch(`${m.url}/loadbalancer/instances`);
  assert.equal(res.status, 200);
  return (await res.json()) as AccountView[];
}

/** Every way an instance shows an account's state agrees on `state`. */
async function showsState(m: Member, id: string, state: AccountView['state']): Promise<boolean> {
  const dash = (await dashboardAccounts(m)).find((a) => a.id === id);
  const lb = (await loadbalancerAccounts(m)).find((a) => a.id === id);
  const gauge = (await metricsOf(m)).find('kiro_proxy_account_state', { account: id, state })[0]?.value;
  return dash?.state === state && lb?.state === state && gauge === 1;
}

/** Every live instance of the team, as each instance's /health team view counts them. */
async function everyoneSeesTeamOf(members: readonly Member[], n: number): Promise<void> {
  for (const m of members) await eventually(async () => (await health(m.url)).team?.instances === n, 10_000, `${m.name} to count ${n} instances`);
}

describe('team gateway: every instance shows the team state, counters sum to the team total', { skip: redisSkip }, () => {
  test('a 429 on A: the account is cooling on every instance; the cooldowns counter summed over the instances is 1', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 3, accounts: [{ id: 'x' }, { id: 'y' }] });
    const [a, b, c] = fleet.members as [Member, Member, Member];
    await everyoneSeesTeamOf(fleet.members, 3);

    fleet.mock.enqueue({ kind: 'http_error', status: 429, reason: 'DAILY_REQUEST_COUNT', retryAfter: 60 });
    assert.equal((await chat(a.url, 'cool me down')).status, 200, 'A fails over to the other account');
    const cooled = a.proxy.accounts.list().find((v) => v.state === 'cooldown');
    assert.ok(cooled, 'A cooled an account');
    const other = a.proxy.accounts.list().find((v) => v.id !== cooled.id)!.id;

    for (const m of fleet.members) {
      await eventually(() => showsState(m, cooled.id, 'cooldown'), 5000, `${m.name}: dashboard, /loadbalancer/instances and the gauge show the cooldown`);
      assert.ok(await showsState(m, other, 'active'), `${m.name}: the other account is active`);
    }
    assert.equal(b.proxy.logs().length + c.proxy.logs().length, 0, 'B and C learned it from the team, not from a request');
    // The same end on every instance (each keeps it as local now + the remaining time).
    const untils = await Promise.all(fleet.members.map(async (m) => (await loadbalancerAccounts(m)).find((v) => v.id === cooled.id)!.cooldownUntil!));
    assert.ok(Math.max(...untils) - Math.min(...untils) < 2000, `cooldown ends: ${untils.join(', ')}`);

    // B and C serve around it (B's acquire also meets the cooldown in Redis): still no cooldown of theirs.
    for (const m of [b, c]) for (let i = 0; i < 2; i++) assert.equal((await chat(m.url, `${m.name} ${i}`)).status, 200);
    assert.ok([b, c].every((m) => m.proxy.logs().every((e) => e.accountId !== cooled.id)));
    // An instance that starts now reads the cooldown from the team's snapshot: shown, not counted.
    const d = await fleet.add('d');
    await everyoneSeesTeamOf(fleet.members, 4);
    await eventually(() => showsState(d, cooled.id, 'cooldown'), 5000, 'the late instance to show the cooldown');

    const perInstance = await Promise.all(fleet.members.map(async (m) => (await metricsOf(m)).sum('kiro_proxy_cooldowns_total')));
    assert.deepEqual(perInstance, [1, 0, 0, 0], 'only A counts the cooldown it started');
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_cooldowns_total', { account: cooled.id }), 1);
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_token_refreshes_total'), 0, 'nobody refreshed');
  });

  test('a suspension A got: disabled on every instance, counted as no cooldown anywhere', async (t) => {
    const redis = await redisForTest(t);
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 2, accounts: [{ id: 'x' }, { id: 'y' }] });
    const [a] = fleet.members as [Member, Member];
    fleet.mock.enqueue({ kind: 'http_error', status: 403, reason: 'TEMPORARILY_SUSPENDED' });
    assert.equal((await chat(a.url, 'suspend one')).status, 200, 'A fails over to the other account');
    const suspended = a.proxy.accounts.list().find((v) => v.state === 'disabled');
    assert.ok(suspended, 'A disabled an account');
    for (const m of fleet.members) await eventually(() => showsState(m, suspended.id, 'disabled'), 5000, `${m.name} to show the suspension`);
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_cooldowns_total'), 0);
  });

  test('one rotation: the refreshes counter summed over the instances is 1, and every instance holds the new token', async (t) => {
    const redis = await redisForTest(t);
    // The access token is expired: the first instance refreshes as it starts (its model list), the others adopt.
    const fleet = await startFleet(t, { redisUrl: redis.url, instances: 3, accounts: [{ id: 's', accessTokenExpired: true }] });
    const acct = fleet.mock.account('s')!;
    const [a, b] = fleet.members as [Member, Member, Member];
    const id = a.proxy.accounts.list()[0]!.id;
    await everyoneSeesTeamOf(fleet.members, 3);
    const expiries = async () => Promise.all(fleet.members.map(async (m) => (await loadbalancerAccounts(m))[0]!.tokenExpiresAt));
    const rotated = async () => {
      const e = await expiries();
      return acct.refreshCount >= 1 && new Set(e).size === 1 && (e[0] ?? 0) > Date.now();
    };
    await eventually(rotated, 10_000, 'every instance to hold the rotated token');
    assert.equal(acct.refreshCount, 1, 'one refresh at the token endpoint');
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_token_refreshes_total', { outcome: 'success' }), 1);
    for (const m of fleet.members) assert.equal((await chat(m.url, `after the first rotation on ${m.name}`)).status, 200);
    assert.equal(acct.refreshCount, 1, 'nobody refreshed again');

    // A forced refresh on B (the dashboard's Refresh Token): B rotates, A and C adopt its generation.
    const [before] = await expiries();
    const res = await fetch(`${b.url}/api/accounts.refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
    assert.equal(res.status, 200);
    assert.equal(acct.refreshCount, 2);
    await eventually(
      async () => {
        const now = await expiries();
        return new Set(now).size === 1 && now[0] !== before;
      },
      5000,
      'A and C to take the token B rotated',
    );
    for (const m of fleet.members) {
      const v = (await dashboardAccounts(m))[0]!;
      assert.equal(v.state, 'active', `${m.name}: ${v.stateReason ?? ''}`);
      assert.equal((await chat(m.url, `after the second rotation on ${m.name}`)).status, 200, `${m.name} serves with the adopted token`);
    }
    assert.equal(acct.refreshCount, 2, 'the adopters did not refresh');
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_token_refreshes_total', { outcome: 'success' }), 2, 'two rotations, two refreshes team-wide');
    assert.equal((await metricsOf(b)).sum('kiro_proxy_token_refreshes_total', { outcome: 'success' }), 1, 'B counts the one it made');
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_token_refreshes_total', { outcome: 'failure' }), 0);
    assert.equal(await teamSum(fleet.members, 'kiro_proxy_token_refreshes_total', { outcome: 'rejected' }), 0);
  });
});
