/**
 * RateLimiter on the rate-limits table: the port's sliding-window log, exact, as one item per key
 * — `hits` (the ascending instants of the allowed attempts still inside the window), `version`
 * and `ttl`. DynamoDB cannot trim and append a list in one expression, so consume is optimistic:
 * read the item, decide, and when the attempt is allowed write the new log with a Put conditioned
 * on the version read (attribute_not_exists for a new key). A Put that loses the race gets the
 * winner's item back with its failed condition and decides again on it, so the limit holds across
 * every process and two callers never both take the last slot: each round of racing writers
 * commits exactly one. A refused attempt writes nothing (only allowed attempts are logged), so
 * its decision stands on the consistent read alone.
 *
 * Time is the caller's Clock, as with the other adapters (server clocks should agree to well
 * under a window; instants are kept sorted whatever order they arrive in). The item expires (TTL)
 * a window after its newest allowed attempt, when it no longer matters; an item the TTL has not
 * yet deleted is simply all outside the window.
 *
 * Round trips: consume 1 GetItem when refused; 1 GetItem + 1 PutItem when allowed; + 1 PutItem
 * per race lost to another consume of the same key.
 */
import {
  RateLimiter,
  RateLimiterError,
  type RateLimitDecision,
  type RateLimitPolicy,
  slidingWindow,
  Unavailable,
  Unexpected
} from "@app/domain"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { DynamoClient, type Item } from "./DynamoClient.js"
import * as DynamoError from "./DynamoError.js"

/**
 * Races one consume may lose before it gives up with Unavailable. Each round commits one of the
 * racing consumes and at most `limit` can be allowed, so only a key hit by this many callers at
 * once, under a limit at least as high, can reach it.
 */
export const MAX_CONSUME_ATTEMPTS = 100

const StoredLog = Schema.Struct({
  hits: Schema.Array(Schema.Number),
  version: Schema.Int
})
type StoredLog = typeof StoredLog.Type

const decodeLog = Schema.decodeUnknownEffect(StoredLog)

const portError = DynamoError.toPortError((reason) => new RateLimiterError({ reason }))

const logOf = (item: Option.Option<Item>): Effect.Effect<Option.Option<StoredLog>, RateLimiterError> =>
  Option.match(item, {
    onNone: () => Effect.succeedNone,
    onSome: (stored) =>
      decodeLog({ hits: stored["hits"], version: stored["version"] }).pipe(
        Effect.map(Option.some),
        Effect.mapError(() =>
          new RateLimiterError({ reason: new Unexpected({ message: "a stored rate limit log does not decode" }) })
        )
      )
  })

/** The decision at `now` on a stored log, and the log to write when the attempt is allowed. */
export const decide = (
  stored: ReadonlyArray<number>,
  now: number,
  policy: RateLimitPolicy
): { readonly decision: RateLimitDecision; readonly hits: Option.Option<ReadonlyArray<number>> } => {
  const { decision, log } = slidingWindow(stored, now, policy)
  return { decision, hits: decision.allowed ? Option.some(log) : Option.none() }
}

type Attempt =
  | { readonly _tag: "Decided"; readonly decision: RateLimitDecision }
  | { readonly _tag: "Lost"; readonly current: Option.Option<Item> }

export const make = Effect.gen(function*() {
  const dynamo = yield* DynamoClient

  const consume = Effect.fn("RateLimiterDynamo.consume")(function*(key: string, policy: RateLimitPolicy) {
    /** One decision on the stored item; Lost with the item that beat it when its write lost a race. */
    const attempt = (current: Option.Option<Item>): Effect.Effect<Attempt, RateLimiterError> =>
      Effect.gen(function*() {
        const log = yield* logOf(current)
        const now = yield* Clock.currentTimeMillis
        const { decision, hits } = decide(Option.match(log, { onNone: () => [], onSome: (l) => l.hits }), now, policy)
        if (Option.isNone(hits)) return { _tag: "Decided", decision } as const
        const newest = hits.value[hits.value.length - 1]!
        const version = Option.match(log, { onNone: () => undefined, onSome: (l) => l.version })
        return yield* dynamo.put(
          "rateLimits",
          { limitKey: key, hits: hits.value, version: (version ?? 0) + 1, ttl: Math.ceil((newest + policy.windowMs) / 1000) },
          version === undefined
            ? { condition: "attribute_not_exists(#limitKey)", returnItemOnConditionFailure: true }
            : { condition: "#version = :version", values: { ":version": version }, returnItemOnConditionFailure: true }
        ).pipe(
          Effect.as<Attempt>({ _tag: "Decided", decision }),
          Effect.catchTag("ConditionFailed", (failed) =>
            Effect.succeed<Attempt>({ _tag: "Lost", current: Option.fromUndefinedOr(failed.itemAt(0)) })),
          portError
        )
      })

    let current = yield* dynamo.get("rateLimits", { limitKey: key }).pipe(portError)
    for (let n = 0; n < MAX_CONSUME_ATTEMPTS; n++) {
      const outcome = yield* attempt(current)
      if (outcome._tag === "Decided") return outcome.decision
      current = outcome.current
    }
    return yield* Effect.fail(
      new RateLimiterError({
        reason: new Unavailable({ message: `consume lost ${MAX_CONSUME_ATTEMPTS} races for one rate limit key` })
      })
    )
  })

  return RateLimiter.of({ consume })
})

/** Needs DynamoClient (DynamoClient.layer / layerConfig, or a test layer). */
export const layer: Layer.Layer<RateLimiter, never, DynamoClient> = Layer.effect(RateLimiter, make)
