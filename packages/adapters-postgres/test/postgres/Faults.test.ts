/**
 * What the Postgres adapters do when the network under them breaks. The real server sits behind a
 * TCP proxy the tests control; the subject is UserRepositoryPostgres on one layer built once for
 * the file. A cut or a partition must surface as a typed, retryable error within the configured
 * timeouts (a hang shows up as vitest's per-test timeout), the same layer must work again by
 * itself once the network heals, and nothing committed is lost nor anything half-written.
 */
import { Email, Profile, User, UserId, UserRecord, UserRepository, UserRepositoryError, isRetryable } from "@app/domain"
import { afterAll, assert, expect, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Schedule } from "effect"
import pg from "pg"
import { type Sql, SqlClient } from "../../src/postgres/SqlClient.js"
import { SqlError } from "../../src/postgres/SqlError.js"
import * as UserRepositoryPostgres from "../../src/postgres/UserRepositoryPostgres.js"
import * as PostgresTest from "../support/PostgresTest.js"
import { TcpProxy } from "../support/TcpProxy.js"

const QUERY_TIMEOUT_MILLIS = 2_000
const CONNECT_TIMEOUT_MILLIS = 1_000
/** Per test: several operations each bounded by the timeouts above, with room to spare. A hang exceeds it. */
const TEST_TIMEOUT_MILLIS = 30_000

const server = new URL(PostgresTest.databaseUrl)
const proxy = await TcpProxy.start({ targetHost: server.hostname, targetPort: Number(server.port || 5432) })
afterAll(() => proxy.close())

const proxiedUrl = (() => {
  const url = new URL(server)
  url.hostname = proxy.host
  url.port = String(proxy.port)
  return url.href
})()

const database = PostgresTest.layer({
  connectionString: proxiedUrl,
  queryTimeoutMillis: QUERY_TIMEOUT_MILLIS,
  connectTimeoutMillis: CONNECT_TIMEOUT_MILLIS
})
const subject = UserRepositoryPostgres.layer.pipe(Layer.provideMerge(database))

let sequence = 0
const run = `${process.pid}-${Math.floor(Math.random() * 0xffffffff).toString(36)}`
const freshRecord = (label: string) => {
  sequence += 1
  const userId = UserId.make(`fault-${run}-${label}-${sequence}`)
  return new UserRecord({
    user: new User({
      userId,
      email: Email.make(`${userId}@example.com`.toLowerCase()),
      name: "Grace Hopper",
      emailVerified: true,
      profile: new Profile({ bio: "before the fault" }),
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000
    }),
    passwordHash: null
  })
}

/** One call of every repository method, each failing or succeeding on its own. */
const everyOperation = (existing: UserRecord) =>
  Effect.gen(function*() {
    const users = yield* UserRepository
    const { userId, email } = existing.user
    return [
      users.insert(freshRecord("during")),
      users.byId(userId),
      users.byEmail(email),
      users.byIds([userId]),
      users.update(userId, { name: "Changed During Fault" }, 1_700_000_000_001)
    ] as const
  })

const expectRetryable = (error: unknown, reasons: ReadonlyArray<string>) => {
  assert.instanceOf(error, UserRepositoryError)
  expect(reasons).toContain(error.reason._tag)
  assert.isTrue(isRetryable(error.reason))
}

/** Every operation fails with a retryable UserRepositoryError of one of `reasons`, and returns. */
const expectAllFail = (existing: UserRecord, reasons: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const operations = yield* everyOperation(existing)
    const errors = yield* Effect.all(
      operations.map((operation) => Effect.flip(operation as Effect.Effect<unknown, unknown>)),
      { concurrency: "unbounded" }
    )
    for (const error of errors) expectRetryable(error, reasons)
  })

const expectAllSucceed = (existing: UserRecord) =>
  Effect.gen(function*() {
    const users = yield* UserRepository
    expect(Option.map(yield* users.byId(existing.user.userId), (record) => record.user.userId)).toEqual(
      Option.some(existing.user.userId)
    )
    const inserted = freshRecord("after")
    yield* users.insert(inserted)
    expect(Option.isSome(yield* users.byEmail(inserted.user.email))).toBe(true)
    expect((yield* users.byIds([existing.user.userId, inserted.user.userId])).length).toBe(2)
  })

/** A user row written with plain SQL on `tx`, so a test can hold its transaction open around it. */
const insertUserRow = (tx: Sql, record: UserRecord, name: string) =>
  tx.query(
    `INSERT INTO users (user_id, email, name, email_verified, profile, password_hash, created_at, updated_at)
     VALUES ($1, $2, $3, false, '{}'::jsonb, NULL, 1, 1)`,
    [record.user.userId, record.user.email, name]
  )

/** A connection of its own straight to the server (not through the proxy), to watch the server's side. */
const directClient = Effect.acquireRelease(
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: PostgresTest.databaseUrl })
    await client.connect()
    return client
  }),
  (client) => Effect.promise(() => client.end().catch(() => undefined))
)

/** Waits until the server is running the statement tagged with `marker`. */
const untilRunning = (client: pg.Client, marker: string) =>
  Effect.promise(() =>
    client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE $1",
      [`%${marker}%`]
    )
  ).pipe(
    Effect.map((result) => (result.rows[0] as { n: number }).n),
    Effect.repeat({ until: (n) => n > 0, schedule: Schedule.spaced("5 millis") })
  )

const restoreAfter = <A, E, R>(test: Effect.Effect<A, E, R>) => Effect.ensuring(test, Effect.sync(() => proxy.restore()))

layer(subject, { excludeTestServices: true, timeout: "60 seconds" })("postgres behind a faulty network", (it) => {
  it.effect("cut: every operation fails with a retryable error and returns; restored, the same layer works and nothing committed is lost", () =>
    restoreAfter(Effect.gen(function*() {
      const users = yield* UserRepository
      const committed = Array.from({ length: 5 }, () => freshRecord("committed"))
      yield* Effect.forEach(committed, (record) => users.insert(record))

      proxy.cut()
      yield* expectAllFail(committed[0]!, ["Unavailable", "TimedOut"])
      // Still down: new connections are refused too, not only the ones that were open.
      yield* expectAllFail(committed[1]!, ["Unavailable", "TimedOut"])

      proxy.restore()
      yield* expectAllSucceed(committed[0]!)
      const found = yield* users.byIds(committed.map((record) => record.user.userId))
      expect(found.map((user) => user.userId).sort()).toEqual(committed.map((record) => record.user.userId).sort())
      // The updates attempted during the cut did not happen.
      for (const user of found) expect(user.name).toBe("Grace Hopper")
    })), TEST_TIMEOUT_MILLIS)

  it.effect("blackhole: every operation fails with TimedOut; restored, the same layer works and nothing committed is lost", () =>
    restoreAfter(Effect.gen(function*() {
      const users = yield* UserRepository
      const committed = freshRecord("committed")
      yield* users.insert(committed)

      proxy.blackhole()
      yield* expectAllFail(committed, ["TimedOut"])

      proxy.restore()
      yield* expectAllSucceed(committed)
      expect(Option.map(yield* users.byId(committed.user.userId), (record) => record.user.name)).toEqual(
        Option.some("Grace Hopper")
      )
    })), TEST_TIMEOUT_MILLIS)

  it.effect("cut in the middle of a transaction: a retryable error, nothing of it written, and the pool recovers", () =>
    restoreAfter(Effect.gen(function*() {
      const sql = yield* SqlClient
      const users = yield* UserRepository
      const watcher = yield* directClient
      const first = freshRecord("tx")
      const second = freshRecord("tx")
      const marker = `fault-marker-${run}-cut`

      const transaction = yield* Effect.forkChild(Effect.flip(sql.transaction((tx) =>
        Effect.gen(function*() {
          for (const record of [first, second]) {
            yield* insertUserRow(tx, record, "Half Written")
          }
          // Shorter than the statement timeout: the cut, not a timeout, ends it.
          yield* tx.query(`SELECT pg_sleep(${(QUERY_TIMEOUT_MILLIS * 0.9) / 1000}) /* ${marker} */`)
        })
      )))
      yield* untilRunning(watcher, marker)
      proxy.cut()
      const error = yield* Fiber.join(transaction)
      assert.instanceOf(error, SqlError)
      expect(error.reason._tag).toBe("Unavailable")
      assert.isTrue(isRetryable(error.reason))

      proxy.restore()
      for (const record of [first, second]) expect(Option.isNone(yield* users.byId(record.user.userId))).toBe(true)
      const after = freshRecord("tx-after")
      yield* sql.transaction((tx) => insertUserRow(tx, after, "Whole"))
      expect(Option.map(yield* users.byId(after.user.userId), (record) => record.user.name)).toEqual(Option.some("Whole"))
      yield* expectAllSucceed(after)
    })), TEST_TIMEOUT_MILLIS)

  it.effect("blackhole in the middle of a transaction: TimedOut, nothing of it written, and the pool recovers", () =>
    restoreAfter(Effect.gen(function*() {
      const sql = yield* SqlClient
      const users = yield* UserRepository
      const watcher = yield* directClient
      const record = freshRecord("tx")
      const marker = `fault-marker-${run}-blackhole`

      const transaction = yield* Effect.forkChild(Effect.flip(sql.transaction((tx) =>
        Effect.gen(function*() {
          yield* insertUserRow(tx, record, "Half Written")
          yield* tx.query(`SELECT pg_sleep(0.2) /* ${marker} */`)
          yield* tx.query("SELECT 1")
        })
      )))
      yield* untilRunning(watcher, marker)
      proxy.blackhole()
      const error = yield* Fiber.join(transaction)
      assert.instanceOf(error, SqlError)
      expect(error.reason._tag).toBe("TimedOut")

      proxy.restore()
      expect(Option.isNone(yield* users.byId(record.user.userId))).toBe(true)
      const committed = freshRecord("tx-after")
      yield* users.insert(committed)
      yield* expectAllSucceed(committed)
    })), TEST_TIMEOUT_MILLIS)
})
