/**
 * The whole product over the composed server stores: every use case wired by the domain's
 * InProcess over ServerStores — Postgres + Redis, and the embedded PGlite default — signs up,
 * forms a team, chats, logs in by QR and ingests readings. Then two "server processes" (two
 * separate runtimes, each with its own pool and Redis connections, one database schema and one
 * key prefix) behave as one: a message sent through one is followed live through the other, and
 * a QR challenge started on one is exchanged once across both.
 */
import {
  Auth,
  AuthConfig,
  Chat,
  CreateDeviceInput,
  CreateRoomInput,
  CreateTeamInput,
  decodeInput,
  IngestInput,
  InviteInput,
  LoginInput,
  QrExchangeInput,
  QrInitInput,
  QrLogin,
  QrScanInput,
  SendMessageInput,
  Sensors,
  SignupInput,
  Teams
} from "@app/domain"
import { CampaignSourceMemory } from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as PgPool from "../src/postgres/PgPool.js"
import * as ServerStores from "../src/ServerStores.js"
import * as PostgresTest from "./support/PostgresTest.js"
import * as RedisTest from "./support/RedisTest.js"

const product = <E>(stores: Layer.Layer<Layer.Success<typeof ServerStores.layer>, E>) =>
  InProcess.make({
    stores: Layer.merge(stores, CampaignSourceMemory.layer),
    authConfig: AuthConfig.layerTest(),
    cipher: LocalEnvelopeCipher.layerTest,
    passwordHasher: ScryptPasswordHasher.layerTest
  })

const sqlIn = (schema: string) =>
  PgPool.layer({ connectionString: Redacted.make(PostgresTest.databaseUrl), schema, maxConnections: 5 })

const body = <S extends Parameters<typeof decodeInput>[0]>(schema: S, input: unknown) => decodeInput(schema)(input)

/** Sign-up, a team of two, a room, two messages, a QR login, a device and a batch of readings. */
const journey = Effect.gen(function*() {
  const auth = yield* Auth
  const teams = yield* Teams
  const chat = yield* Chat
  const qr = yield* QrLogin
  const sensors = yield* Sensors
  const tag = Math.random().toString(36).slice(2, 10)

  const alice = yield* auth.signup(yield* body(SignupInput, { email: `alice-${tag}@example.com`, password: "Correct-Horse-7", name: "Alice" }))
  const bob = yield* auth.signup(yield* body(SignupInput, { email: `bob-${tag}@example.com`, password: "Battery-Staple-9", name: "Bob" }))
  const aliceActor = yield* auth.verify(alice.tokens.accessToken)
  const bobActor = yield* auth.verify(bob.tokens.accessToken)

  const team = yield* teams.create(aliceActor, yield* body(CreateTeamInput, { name: "Growth" }))
  const invitation = yield* teams.invite(aliceActor, team.teamId, yield* body(InviteInput, { email: `bob-${tag}@example.com`, role: "member" }))
  yield* teams.accept(bobActor, invitation.invitationId)
  const details = yield* teams.get(aliceActor, team.teamId)
  assert.deepStrictEqual(details.members.map((m) => m.role).sort(), ["member", "owner"])

  const room = yield* chat.createRoom(aliceActor, yield* body(CreateRoomInput, { teamId: team.teamId, name: "general" }))
  const first = yield* chat.send(aliceActor, room.roomId, yield* body(SendMessageInput, { body: "hi", clientMessageId: "a-1" }))
  const again = yield* chat.send(aliceActor, room.roomId, yield* body(SendMessageInput, { body: "hi", clientMessageId: "a-1" }))
  const second = yield* chat.send(bobActor, room.roomId, yield* body(SendMessageInput, { body: "hello", clientMessageId: "b-1" }))
  assert.deepStrictEqual([first.message.seq, again.created, again.message.messageId === first.message.messageId, second.message.seq], [1, false, true, 2])

  const challenge = yield* qr.init(yield* body(QrInitInput, { ip: "203.0.113.7", userAgent: "test desktop" }))
  const url = new URL(challenge.qrPayload)
  const scan = yield* body(QrScanInput, { challengeId: url.searchParams.get("c"), scanKey: url.searchParams.get("k") })
  yield* qr.scan(bobActor, scan)
  yield* qr.approve(bobActor, scan)
  const exchange = yield* body(QrExchangeInput, { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })
  const desktop = yield* auth.verify((yield* qr.exchange(exchange)).accessToken)
  assert.strictEqual(desktop.userId, bobActor.userId)
  assert.isTrue(Exit.isFailure(yield* Effect.exit(qr.exchange(exchange))))

  const created = yield* sensors.createDevice(aliceActor, yield* body(CreateDeviceInput, { teamId: team.teamId, name: "Lobby" }))
  const ts = 1_700_000_000_000
  const readings = [{ ts, co2: 600 }, { ts: ts + 1_000, co2: 610 }, { ts, co2: 600 }]
  const ingested = yield* sensors.ingest(created.device.deviceId, created.ingestKey, yield* body(IngestInput, { readings }))
  assert.deepStrictEqual([ingested.accepted, ingested.duplicates], [2, 1])
})

describe("ServerStores", () => {
  it.live("the product runs on Postgres + Redis", () =>
    Effect.gen(function*() {
      const schema = PostgresTest.freshSchemaName("stores")
      yield* PostgresTest.scopedSchema(schema)
      const stores = ServerStores.make({ sql: sqlIn(schema), redis: RedisTest.clientLayer(RedisTest.freshPrefix("stores")) })
      yield* journey.pipe(Effect.provide(product(stores)))
    }).pipe(Effect.scoped), 120_000)

  it.live("the product runs embedded on PGlite, data on disk, and keeps it across a restart", () =>
    Effect.gen(function*() {
      const dataDir = mkdtempSync(join(tmpdir(), "pglite-stores-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
      const signedUp = yield* Effect.gen(function*() {
        yield* journey
        const auth = yield* Auth
        return yield* auth.signup(yield* body(SignupInput, { email: "kept@example.com", password: "Correct-Horse-7", name: "Kept" }))
      }).pipe(Effect.provide(product(ServerStores.makeEmbedded({ dataDir }))))
      // A second start on the same data directory: migrations find nothing to do, the user is there.
      const login = yield* Effect.gen(function*() {
        const auth = yield* Auth
        return yield* auth.login(yield* body(LoginInput, { email: "kept@example.com", password: "Correct-Horse-7" }))
      }).pipe(Effect.provide(product(ServerStores.makeEmbedded({ dataDir }))))
      assert.strictEqual(login.user.userId, signedUp.user.userId)
    }).pipe(Effect.scoped), 180_000)

  it.live("two server processes sharing one database and one Redis behave as one", () =>
    Effect.gen(function*() {
      const schema = PostgresTest.freshSchemaName("shared")
      yield* PostgresTest.scopedSchema(schema)
      const prefix = RedisTest.freshPrefix("shared")
      const instance = () =>
        Effect.acquireRelease(
          Effect.sync(() =>
            ManagedRuntime.make(product(ServerStores.make({ sql: sqlIn(schema), redis: RedisTest.clientLayer(prefix) })))
          ),
          (runtime) => Effect.promise(() => runtime.dispose())
        )
      const one = yield* instance()
      const two = yield* instance()
      const on = <A, E>(runtime: typeof one, effect: Effect.Effect<A, E, Layer.Success<ReturnType<typeof product>>>) =>
        Effect.promise(() => runtime.runPromise(effect))

      const { aliceToken, roomId } = yield* on(one, Effect.gen(function*() {
        const auth = yield* Auth
        const alice = yield* auth.signup(yield* body(SignupInput, { email: "alice@example.com", password: "Correct-Horse-7", name: "Alice" }))
        const actor = yield* auth.verify(alice.tokens.accessToken)
        const team = yield* (yield* Teams).create(actor, yield* body(CreateTeamInput, { name: "Shared" }))
        const room = yield* (yield* Chat).createRoom(actor, yield* body(CreateRoomInput, { teamId: team.teamId, name: "general" }))
        return { aliceToken: alice.tokens.accessToken, roomId: room.roomId }
      }))

      // Instance two follows the room live; instance one sends.
      const follower = yield* Effect.forkChild(on(two, Effect.gen(function*() {
        const actor = yield* (yield* Auth).verify(aliceToken)
        return yield* Stream.runCollect(Stream.take((yield* Chat).follow(actor, roomId), 2))
      })))
      yield* Effect.sleep("300 millis")
      yield* on(one, Effect.gen(function*() {
        const actor = yield* (yield* Auth).verify(aliceToken)
        const chat = yield* Chat
        yield* chat.send(actor, roomId, yield* body(SendMessageInput, { body: "from one", clientMessageId: "x-1" }))
        yield* chat.send(actor, roomId, yield* body(SendMessageInput, { body: "from one again", clientMessageId: "x-2" }))
      }))
      const followed = yield* Fiber.join(follower)
      assert.deepStrictEqual(followed.map((m) => m.seq), [1, 2])

      // A QR challenge started on one, approved on two, exchanged by both at once: one wins.
      const challenge = yield* on(one, Effect.gen(function*() {
        return yield* (yield* QrLogin).init(yield* body(QrInitInput, { ip: "203.0.113.9", userAgent: "desktop" }))
      }))
      const url = new URL(challenge.qrPayload)
      yield* on(two, Effect.gen(function*() {
        const actor = yield* (yield* Auth).verify(aliceToken)
        const qr = yield* QrLogin
        const scan = yield* body(QrScanInput, { challengeId: url.searchParams.get("c"), scanKey: url.searchParams.get("k") })
        yield* qr.scan(actor, scan)
        yield* qr.approve(actor, scan)
      }))
      const exchange = { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret }
      const attempt = (runtime: typeof one) =>
        Effect.promise(() =>
          runtime.runPromise(Effect.exit(Effect.gen(function*() {
            return yield* (yield* QrLogin).exchange(yield* body(QrExchangeInput, exchange))
          })))
        )
      const results = yield* Effect.all([attempt(one), attempt(two), attempt(one), attempt(two)], { concurrency: "unbounded" })
      assert.strictEqual(results.filter(Exit.isSuccess).length, 1)
    }).pipe(Effect.scoped), 120_000)
})
