// TeamTokens (accounts/tokens/team-tokens.ts) against a real Redis: the shared record never
// replaces a newer token an instance holds. After an outage two instances may each have
// rotated locally, one from the other's result. The shared record can then be the older, dead
// one: the instance holding the newer token keeps it and writes it over that record.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { redisForTest, redisSkip } from '../../helpers/redis.ts';
import { openRedisTeam } from '../../../src/core/team/redis-team.ts';
import { TeamTokens, type TeamTokenHolder } from '../../../src/core/accounts/tokens/team-tokens.ts';
import type { KiroCredential } from '../../../src/core/accounts/credentials/credential.ts';
import type { SharedTokenSet } from '../../../src/core/team/types.ts';
import { eventually, lineLogger, never } from './helpers.ts';

function holder(credential: KiroCredential): TeamTokenHolder & { adopted: SharedTokenSet[] } {
  const h = {
    credential,
    adopted: [] as SharedTokenSet[],
    adoptTokens(tokens: SharedTokenSet) {
      h.adopted.push(tokens);
      h.credential = { ...h.credential, ...tokens };
      return true;
    },
  };
  return h;
}

describe('team tokens: the newer token wins over the shared record', { skip: redisSkip }, () => {
  test('an older shared record is not taken: the newer token is written over it; a newer record is taken', async (t) => {
    const redis = await redisForTest(t);
    const logger = lineLogger();
    const team = await openRedisTeam({
      redisUrl: redis.url,
      stateKey: randomBytes(32).toString('base64'),
      keyPrefix: 'tt',
      instance: { id: 'inst-x', startedAt: Date.now() },
      logger,
    });
    t.after(() => team.close());
    const now = Date.now();
    // The team's record: generation 1, a token issued earlier (it expires sooner).
    await team.vault.write('acct', { accessToken: 'at-old', refreshToken: 'rt-old', expiresAt: now + 40_000 }, { expectGen: 0, fence: 0 }, never);
    // This instance holds a later rotation (refreshed from that one while Redis was away).
    const h = holder({ kind: 'social', accessToken: 'at-new', refreshToken: 'rt-new', expiresAt: now + 100_000 });
    const tokens = new TeamTokens({ team, logger, registerSecret: () => undefined });
    t.after(() => tokens.dispose());
    tokens.track('acct', h);
    await eventually(async () => (await team.vault.read('acct', never))?.tokens.refreshToken === 'rt-new', 5000, 'the newer token shared');
    assert.deepEqual(h.adopted, [], 'the older record was not taken');
    assert.equal((await team.vault.read('acct', never))?.gen, 2);
    assert.match(logger.text(), /held an older token \(generation 1\); shared this instance's newer one as generation 2/);

    // A record newer than what the instance holds is taken, as before.
    await team.vault.write(
      'acct',
      { accessToken: 'at-newest', refreshToken: 'rt-newest', expiresAt: now + 200_000 },
      { expectGen: 2, fence: 0, announce: true },
      never,
    );
    const other = new TeamTokens({ team, logger, registerSecret: () => undefined });
    t.after(() => other.dispose());
    const h2 = holder({ kind: 'social', accessToken: 'at-new', refreshToken: 'rt-new', expiresAt: now + 100_000 });
    other.track('acct', h2);
    await eventually(() => h2.adopted.length === 1, 5000, 'the newer record taken');
    assert.equal(h2.credential.refreshToken, 'rt-newest');
  });
});
