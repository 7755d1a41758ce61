/**
 * RateLimiter on Redis: the port's sliding-window log as one sorted set per key
 * (`<prefix>ratelimit:<key>`), scored by the instants of the allowed attempts, trimmed, counted and
 * appended in one Lua script, so the limit holds across every process sharing the Redis and two
 * callers can never both take the last slot. The instant is the caller's Clock (as the port's other
 * adapters; server clocks should agree to well under a window). A key expires a window after its
 * last allowed attempt.
 */
import { RateLimiter, RateLimiterError, type RateLimitDecision, type RateLimitPolicy, type StoreFailure, Unexpected } from "@app/domain"
import { Clock, Effect, Layer } from "effect"
import { luaScript, RedisClient } from "./RedisClient.js"

/**
 * KEYS[1] the log; ARGV[1] now; ARGV[2] windowMs; ARGV[3] limit.
 * {1, remaining} when allowed, {0, the instant of the attempt that must leave the window first}.
 * Members are "<instant>:<n>" with n the number of attempts already logged at that instant: all
 * members of one instant are trimmed together, so n never repeats.
 */
const consumeScript = luaScript(
  "RateLimiter.consume",
  `local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  local same = redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1])
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1] .. ':' .. same)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, limit - count - 1}
end
local blocking = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return {0, blocking[2]}`
)

const toError = (reason: StoreFailure) => new RateLimiterError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient

  const consume = Effect.fn("RateLimiterRedis.consume")(function*(key: string, { limit, windowMs }: RateLimitPolicy) {
    const now = yield* Clock.currentTimeMillis
    const reply = yield* client.eval(consumeScript, [client.key(`ratelimit:${key}`)], [now, windowMs, limit]).pipe(
      Effect.mapError(toError)
    )
    const [allowed, value] = Array.isArray(reply) ? reply : []
    if (allowed === 1) return { allowed: true, remaining: Number(value), retryAfterMs: 0 } satisfies RateLimitDecision
    const blocking = Number(value)
    if (allowed !== 0 || !Number.isFinite(blocking)) {
      return yield* Effect.fail(toError(new Unexpected({ message: "unexpected reply of the rate limit script" })))
    }
    // Positive: the trim left only instants after now - windowMs.
    return { allowed: false, remaining: 0, retryAfterMs: blocking + windowMs - now } satisfies RateLimitDecision
  })

  return RateLimiter.of({ consume })
})

export const layer: Layer.Layer<RateLimiter, never, RedisClient> = Layer.effect(RateLimiter, make)
