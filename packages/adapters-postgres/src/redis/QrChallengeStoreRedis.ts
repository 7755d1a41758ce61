/**
 * QrChallengeStore on Redis: one hash per challenge (`<prefix>qr:<challengeId>`), one field per
 * attribute, expiring by itself at expiresAt + QR_CHALLENGE_RETENTION (PEXPIREAT), so a late poll
 * still learns "expired" and nothing needs sweeping. `create` (insert if absent) and `transition`
 * (compare the status, then write) are each one Lua script, so they are atomic across every
 * process sharing the Redis: of racing transitions from one status exactly one wins.
 */
import {
  Conflict,
  NotFound,
  QR_CHALLENGE_RETENTION,
  QrChallenge,
  type QrChallengeId,
  QrChallengeStore,
  QrChallengeStoreError,
  type QrStatus,
  type QrTransition,
  type StoreFailure,
  Unexpected
} from "@app/domain"
import { Effect, Layer, Option, Schema } from "effect"
import { luaScript, RedisClient } from "./RedisClient.js"

/** KEYS[1] the challenge; ARGV[1] when it expires (epoch ms); ARGV[2..] field, value pairs. 1 if created. */
const createScript = luaScript(
  "QrChallengeStore.create",
  `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`
)

/**
 * KEYS[1] the challenge; ARGV[1] the expected status; ARGV[2..] the field, value pairs to write.
 * {0}: no such challenge; {1, status}: the status is another; {2, field, value, …}: written, the
 * whole challenge after the write. HSET keeps the key's expiry.
 */
const transitionScript = luaScript(
  "QrChallengeStore.transition",
  `local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {0} end
if status ~= ARGV[1] then return {1, status} end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {2, unpack(redis.call('HGETALL', KEYS[1]))}`
)

const fieldsOf = (challenge: QrChallenge): Array<string> => {
  const fields = [
    "challengeId",
    challenge.challengeId,
    "scanKeyHash",
    challenge.scanKeyHash,
    "pollSecretHash",
    challenge.pollSecretHash,
    "status",
    challenge.status,
    "createdAt",
    String(challenge.createdAt),
    "expiresAt",
    String(challenge.expiresAt),
    "updatedAt",
    String(challenge.updatedAt),
    "requesterIp",
    challenge.requester.ip,
    "requesterUserAgent",
    challenge.requester.userAgent,
    "requesterCreatedAt",
    String(challenge.requester.createdAt)
  ]
  // An absent field is null.
  if (challenge.scannedBy !== null) fields.push("scannedBy", challenge.scannedBy)
  if (challenge.approvedBy !== null) fields.push("approvedBy", challenge.approvedBy)
  return fields
}

const transitionFieldsOf = (next: QrTransition): Array<string> => [
  "status",
  next.status,
  "updatedAt",
  String(next.updatedAt),
  ...(next.scannedBy === undefined ? [] : ["scannedBy", next.scannedBy]),
  ...(next.approvedBy === undefined ? [] : ["approvedBy", next.approvedBy])
]

const decodeChallenge = Schema.decodeUnknownEffect(QrChallenge)

/** A challenge from its hash fields; a hash that does not decode is Unexpected (not ours, or corrupt). */
const challengeOf = (hash: Readonly<Record<string, string>>): Effect.Effect<QrChallenge, StoreFailure> =>
  decodeChallenge({
    challengeId: hash["challengeId"],
    scanKeyHash: hash["scanKeyHash"],
    pollSecretHash: hash["pollSecretHash"],
    status: hash["status"],
    createdAt: Number(hash["createdAt"]),
    expiresAt: Number(hash["expiresAt"]),
    updatedAt: Number(hash["updatedAt"]),
    requester: {
      ip: hash["requesterIp"],
      userAgent: hash["requesterUserAgent"],
      createdAt: Number(hash["requesterCreatedAt"])
    },
    scannedBy: hash["scannedBy"] ?? null,
    approvedBy: hash["approvedBy"] ?? null
  }).pipe(Effect.mapError((error) => new Unexpected({ message: `stored QR challenge does not decode: ${error.message}` })))

const hashOfPairs = (pairs: ReadonlyArray<unknown>): Record<string, string> => {
  const hash: Record<string, string> = {}
  for (let i = 0; i + 1 < pairs.length; i += 2) hash[String(pairs[i])] = String(pairs[i + 1])
  return hash
}

const toError = (reason: StoreFailure) => new QrChallengeStoreError({ reason })

export const make = Effect.gen(function*() {
  const client = yield* RedisClient
  const keyOf = (challengeId: QrChallengeId) => client.key(`qr:${challengeId}`)

  const create = Effect.fn("QrChallengeStoreRedis.create")(function*(challenge: QrChallenge) {
    const created = yield* client.eval(
      createScript,
      [keyOf(challenge.challengeId)],
      [challenge.expiresAt + QR_CHALLENGE_RETENTION, ...fieldsOf(challenge)]
    ).pipe(Effect.mapError(toError))
    if (created !== 1) {
      return yield* Effect.fail(new Conflict({ code: "QrChallengeExists", message: "challenge id is taken" }))
    }
  })

  const get = Effect.fn("QrChallengeStoreRedis.get")(function*(challengeId: QrChallengeId) {
    const hash = yield* client.command("HGETALL", (redis) => redis.hgetall(keyOf(challengeId))).pipe(Effect.mapError(toError))
    if (Object.keys(hash).length === 0) return Option.none<QrChallenge>()
    return Option.some(yield* challengeOf(hash).pipe(Effect.mapError(toError)))
  })

  const transition = Effect.fn("QrChallengeStoreRedis.transition")(
    function*(challengeId: QrChallengeId, expected: QrStatus, next: QrTransition) {
      const reply = yield* client.eval(transitionScript, [keyOf(challengeId)], [expected, ...transitionFieldsOf(next)]).pipe(
        Effect.mapError(toError)
      )
      const [outcome, ...rest] = Array.isArray(reply) ? reply : []
      if (outcome === 0) return yield* Effect.fail(NotFound.of("qr challenge"))
      if (outcome === 1) {
        return yield* Effect.fail(
          new Conflict({ code: "QrStatusChanged", message: `challenge is ${String(rest[0])}, not ${expected}` })
        )
      }
      if (outcome !== 2) {
        return yield* Effect.fail(toError(new Unexpected({ message: "unexpected reply of the QR transition script" })))
      }
      return yield* challengeOf(hashOfPairs(rest)).pipe(Effect.mapError(toError))
    }
  )

  return QrChallengeStore.of({ create, get, transition })
})

export const layer: Layer.Layer<QrChallengeStore, never, RedisClient> = Layer.effect(QrChallengeStore, make)
