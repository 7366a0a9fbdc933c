// The Lua scripts of the shared pool state. Each runs atomically in Redis and is one round trip
// (EVALSHA). Times come from the server's clock (TIME), so instances with skewed clocks agree.
import { luaScript } from './connection.ts';

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * The hot path. Takes an in-flight slot on the first candidate that is not cooling down, not
 * disabled and below its cap, preferring the conversation's bound account, and (re)binds the
 * conversation. In-flight slots are leases in a sorted set scored by expiry: a crashed instance's
 * slots lapse by themselves, the live ones are renewed by their instance.
 *
 * KEYS: sticky, then per candidate: cooldown, disabled, inflight
 * ARGV: leaseId, leaseTtlMs, stickyTtlMs (0 = no stickiness), n, then per candidate: accountId, limit
 * →  {1, accountId, inFlightAfter, stickyHit}  or  {0, accountId, why, remainingMs, …}
 */
export const ACQUIRE = luaScript(`${NOW}
local leaseId = ARGV[1]
local leaseTtl = tonumber(ARGV[2])
local stickyTtl = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local bound = false
if stickyTtl > 0 then bound = redis.call('GET', KEYS[1]) end
local order = {}
if bound then
  for i = 1, n do if ARGV[3 + 2 * i] == bound then order[#order + 1] = i end end
end
for i = 1, n do if ARGV[3 + 2 * i] ~= bound then order[#order + 1] = i end end
local skipped = {0}
for _, i in ipairs(order) do
  local acct = ARGV[3 + 2 * i]
  local limit = tonumber(ARGV[4 + 2 * i])
  local k = 1 + 3 * (i - 1)
  local cd = redis.call('PTTL', KEYS[k + 1])
  local dis = -2
  if cd == -2 then dis = redis.call('PTTL', KEYS[k + 2]) end
  if cd ~= -2 then
    skipped[#skipped + 1] = acct; skipped[#skipped + 1] = 'cooldown'; skipped[#skipped + 1] = cd
  elseif dis ~= -2 then
    skipped[#skipped + 1] = acct; skipped[#skipped + 1] = 'disabled'; skipped[#skipped + 1] = dis
  else
    local inflight = KEYS[k + 3]
    redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
    local count = redis.call('ZCARD', inflight)
    if limit > 0 and count >= limit then
      skipped[#skipped + 1] = acct; skipped[#skipped + 1] = 'full'; skipped[#skipped + 1] = 0
    else
      redis.call('ZADD', inflight, now + leaseTtl, leaseId)
      redis.call('PEXPIRE', inflight, leaseTtl * 2)
      if stickyTtl > 0 then redis.call('SET', KEYS[1], acct, 'PX', stickyTtl) end
      local hit = 0
      if bound == acct then hit = 1 end
      return {1, acct, count + 1, hit}
    end
  end
end
return skipped
`);

/**
 * Pushes the expiry of this instance's live leases (only those still present: a lease that lapsed
 * while the instance was cut off is not revived, its slot may be someone else's now).
 * KEYS: inflight per lease; ARGV: leaseTtlMs, then leaseId per key → number renewed
 */
export const RENEW_LEASES = luaScript(`${NOW}
local ttl = tonumber(ARGV[1])
local renewed = 0
for i = 1, #KEYS do
  renewed = renewed + redis.call('ZADD', KEYS[i], 'XX', 'CH', now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl * 2)
end
return renewed
`);

/**
 * Sets a state key (PX when ms > 0) and announces it, atomically.
 * KEYS: key; ARGV: value, ms (0 = no expiry), channel, message
 */
export const SET_AND_PUBLISH = luaScript(`
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return 1
`);

/** Deletes a state key and announces it only when it existed. KEYS: key; ARGV: channel, message */
export const DEL_AND_PUBLISH = luaScript(`
local n = redis.call('DEL', KEYS[1])
if n > 0 and ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return n
`);

/**
 * Everything shared about the given accounts.
 * KEYS per account: cooldown, disabled, quota, inflight
 * → per account: cooldownValue|nil, cooldownPttl, disabledValue|nil, disabledPttl, quotaValue|nil, inFlight
 */
export const SNAPSHOT = luaScript(`${NOW}
local out = {}
for i = 1, #KEYS, 4 do
  out[#out + 1] = redis.call('GET', KEYS[i])
  out[#out + 1] = redis.call('PTTL', KEYS[i])
  out[#out + 1] = redis.call('GET', KEYS[i + 1])
  out[#out + 1] = redis.call('PTTL', KEYS[i + 1])
  out[#out + 1] = redis.call('GET', KEYS[i + 2])
  out[#out + 1] = redis.call('ZCOUNT', KEYS[i + 3], '(' .. now, '+inf')
end
return out
`);
