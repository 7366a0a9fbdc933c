// The wiring's small parts that need no Redis: no team without a URL (nothing loaded), the URL's
// password registered for scrubbing, a missing state key refused before any connection, and
// /health's shape in team mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisUrlPassword, startTeamRuntime } from '../../../src/core/team/team-runtime.ts';
import { healthBody, type HealthFacts } from '../../../src/core/server/health.ts';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const instance = { id: 'i-1', startedAt: 0 };

test('no Redis URL: no team', async () => {
  assert.equal(await startTeamRuntime({ redisUrl: undefined, redisPrefix: 'kiro-proxy' }, { logger: quiet, stateKey: undefined, instance }), undefined);
});

test('the URL password is registered as a secret (plain and percent-encoded) before a missing state key refuses the start', async () => {
  const secrets: string[] = [];
  await assert.rejects(
    startTeamRuntime(
      { redisUrl: 'redis://user:p%40ss@127.0.0.1:1', redisPrefix: 'kiro-proxy' },
      { logger: quiet, stateKey: undefined, instance, registerSecret: (v) => secrets.push(v) },
    ),
    (err: Error) => /needs KIRO_PROXY_STATE_KEY/.test(err.message) && !err.message.includes('p@ss'),
  );
  assert.deepEqual(secrets, ['p@ss', 'p%40ss']);
  assert.equal(redisUrlPassword('redis://127.0.0.1:6379'), undefined);
  assert.equal(redisUrlPassword('rediss://:only@host:6380/2'), 'only');
});

test('/health in team mode: degraded (still a body, the server answers 200) while Redis is down, with the team field', () => {
  const facts: HealthFacts = { version: '0', mode: 'real', uptimeSeconds: 1, accounts: [], requests: 0, errors: 0, aborted: 0, inFlight: 0, instance: 'i-1' };
  assert.equal(healthBody(facts)['status'], 'ok');
  assert.equal(healthBody(facts)['team'], undefined);
  const down = healthBody({ ...facts, team: { mode: 'redis', instance: 'i-1', redis: 'down', since: 5 } });
  assert.equal(down['status'], 'degraded');
  assert.deepEqual(down['team'], { mode: 'redis', instance: 'i-1', redis: 'down', since: 5 });
  const up = healthBody({ ...facts, team: { mode: 'redis', instance: 'i-1', redis: 'up', since: 5, instances: 3 } });
  assert.equal(up['status'], 'ok');
});
