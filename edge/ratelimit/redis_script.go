package ratelimit

import "github.com/redis/go-redis/v9"

// gcraScript is GCRA in one atomic step, in integer microseconds (Lua
// numbers are doubles: exact up to 2⁵³, and the epoch in µs is about 2⁵⁰).
//
//	KEYS[1]  the key holding the TAT
//	ARGV[1]  emission interval (µs)
//	ARGV[2]  burst tolerance (µs)
//	ARGV[3]  now (µs); 0 means the Redis server's clock, which every
//	         instance then shares
//
// It returns {allowed, remaining, retry_after_us, reset_after_us}. The key
// expires when its state becomes the same as no state (its TAT), so Redis
// holds nothing for an idle client.
var gcraScript = redis.NewScript(`
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local new_tat = tat + interval
local diff = now - (new_tat - tolerance)
if diff < 0 then
  return {0, 0, -diff, tat - now}
end
local reset = new_tat - now
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil(reset / 1000))
return {1, math.floor(diff / interval), 0, reset}
`)
