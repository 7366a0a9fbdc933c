// The Lua scripts of the shared pool state. Each runs atomically in Redis and is one round trip
// (EVALSHA). Times come from the server's clock (TIME), so instances with skewed clocks agree.
import { luaScript } from './connection.ts';

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * The acquire that goes to Redis. Takes an in-flight slot on the first candidate that is not
 * cooling down, not disabled and below its cap, preferring the conversation's bound account, and
 * (re)binds the conversation. In-flight slots are leases in a sorted set scored by expiry: a
 * crashed instance's slots lapse by themselves, the live ones are renewed by their instance. A
 * candidate may name the slot this instance keeps reserved on it: when that account is chosen the
 * reserved slot is used (renewed; it already counts against the cap) instead of a new one.
 *
 * KEYS: sticky, then per candidate: cooldown, disabled, inflight
 * ARGV: leaseId, leaseTtlMs, stickyTtlMs (0 = no stickiness), n, then per candidate: accountId,
 *       limit, reserved slot ('' = none)
 * →  {1, accountId, inFlightAfter, stickyHit, bound (1 when the conversation was bound anew or
 *     moved here), slot (leaseId, or the reserved slot used)}
 *    or  {0, accountId, why, remainingMs, …}
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
  for i = 1, n do if ARGV[2 + 3 * i] == bound then order[#order + 1] = i end end
end
for i = 1, n do if ARGV[2 + 3 * i] ~= bound then order[#order + 1] = i end end
local skipped = {0}
for _, i in ipairs(order) do
  local acct = ARGV[2 + 3 * i]
  local limit = tonumber(ARGV[3 + 3 * i])
  local reserved = ARGV[4 + 3 * i]
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
    local slot = leaseId
    if reserved ~= '' and redis.call('ZSCORE', inflight, reserved) then slot = reserved end
    if slot == leaseId and limit > 0 and count >= limit then
      skipped[#skipped + 1] = acct; skipped[#skipped + 1] = 'full'; skipped[#skipped + 1] = 0
    else
      redis.call('ZADD', inflight, now + leaseTtl, slot)
      redis.call('PEXPIRE', inflight, leaseTtl * 2)
      if stickyTtl > 0 then redis.call('SET', KEYS[1], acct, 'PX', stickyTtl) end
      local hit = 0
      if bound == acct then hit = 1 end
      local changed = 0
      if stickyTtl > 0 and bound ~= acct then changed = 1 end
      if slot == leaseId then count = count + 1 end
      return {1, acct, count, hit, changed, slot}
    end
  end
end
return skipped
`);

/**
 * Pushes the expiry of this instance's live leases (only those still present: a lease that lapsed
 * while the instance was cut off is not revived, its slot may be someone else's now), and counts
 * each account's live slots.
 * KEYS: inflight per lease; ARGV: leaseTtlMs, then leaseId per key
 * → per lease: 1 renewed | 0 lapsed, then the live slots of its account
 */
export const RENEW_LEASES = luaScript(`${NOW}
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  if redis.call('ZSCORE', KEYS[i], ARGV[i + 1]) then
    redis.call('ZADD', KEYS[i], now + ttl, ARGV[i + 1])
    redis.call('PEXPIRE', KEYS[i], ttl * 2)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  out[#out + 1] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf')
end
return out
`);

/**
 * Binds conversations new to the team (taken on without Redis) and announces each; one another
 * instance bound meanwhile keeps that binding, which is returned.
 * KEYS: sticky per conversation; ARGV: stickyTtlMs, channel, then per conversation: accountId, message
 * → per conversation: the account it is bound to
 */
export const BIND = luaScript(`
local out = {}
for i = 1, #KEYS do
  local acct = ARGV[1 + 2 * i]
  if redis.call('SET', KEYS[i], acct, 'PX', ARGV[1], 'NX') then
    redis.call('PUBLISH', ARGV[2], ARGV[2 + 2 * i])
    out[i] = acct
  else
    out[i] = redis.call('GET', KEYS[i]) or acct
  end
end
return out
`);

/** Gives back several leases. KEYS: inflight per lease; ARGV: leaseId per key → number removed */
export const RELEASE_LEASES = luaScript(`
local n = 0
for i = 1, #KEYS do n = n + redis.call('ZREM', KEYS[i], ARGV[i]) end
return n
`);

/**
 * Keeps the conversations this instance used without asking Redis bound: the binding is made
 * when it is gone (expired, or an empty Redis), else only its TTL is pushed (another instance may
 * have moved the conversation meanwhile: its binding stands).
 * KEYS: sticky key per conversation; ARGV: stickyTtlMs, then accountId per key
 */
export const TOUCH_BINDINGS = luaScript(`
for i = 1, #KEYS do
  if not redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1], 'NX') then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return #KEYS
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
