/**
 * Benchmark (not a test: `npm run bench`, never `npm test`; it prints numbers and asserts nothing
 * about time). Chat appends through ChatRepositoryPostgres — each one bumps the room's sequence
 * under its row lock and inserts the message, idempotent by (room, sender, clientMessageId) — with
 * a fixed number of appends in flight, on the real Postgres server:
 * - single room: every append contends for the same room row;
 * - spread over BENCH_CHAT_ROOMS rooms (100): appends of different rooms proceed in parallel;
 * - idempotent retries, in one room and spread: re-sending keys stored in the round before, which
 *   takes the failed-insert path and reads the original back.
 * The four run in interleaved rounds (see Throughput.ts) after a warm-up round; afterwards the
 * rooms' sequences are checked to be gapless and every retry to have returned the original.
 *
 * Environment: DATABASE_URL; BENCH_CHAT_MESSAGES (2000 per case), BENCH_CHAT_CONCURRENCY (16),
 * BENCH_CHAT_ROOMS (100), BENCH_CHAT_ROUNDS (10).
 */
import {
  type ChatAppendInput,
  ChatRepository,
  ClientMessageId,
  Ids,
  MessageBody,
  MessageId,
  Randomness,
  Room,
  RoomId,
  TeamId,
  UserId
} from "@app/domain"
import { Effect, Layer } from "effect"
import { test } from "vitest"
import * as ChatRepositoryPostgres from "../src/postgres/ChatRepositoryPostgres.js"
import { SqlClient } from "../src/postgres/SqlClient.js"
import * as BenchDatabase from "./BenchDatabase.js"
import { type Contender, count, envInt, interleaved, machineLoad, tallyRows } from "./Throughput.js"

const MESSAGES = envInt("BENCH_CHAT_MESSAGES", 2000)
const CONCURRENCY = Math.max(1, envInt("BENCH_CHAT_CONCURRENCY", 16))
const ROOMS = Math.max(1, envInt("BENCH_CHAT_ROOMS", 100))
const ROUNDS = Math.max(1, envInt("BENCH_CHAT_ROUNDS", 10))
const PER_ROUND = Math.max(1, Math.ceil(MESSAGES / ROUNDS))

const SENDERS = 16
const T0 = 1_700_000_000_000
const BODY = "Benchmark message: the sensor on floor 3 reads 23.4 °C and 41 % RH, all within range."

type Layout = "single" | "spread"

const singleRoom = RoomId.make("bench-single")
const spreadRooms = Array.from({ length: ROOMS }, (_, i) => RoomId.make(`bench-room-${String(i).padStart(3, "0")}`))

/**
 * The appends of `layout` in `round` (round -1 is the warm-up). The keys depend on layout, round
 * and position only, so a retry of round r rebuilds exactly the keys stored in round r; each call
 * mints fresh message ids, as a client's resend through the use case would.
 */
const appendsOf = (ids: Ids["Service"], layout: Layout, round: number) =>
  Effect.gen(function*() {
    const inputs: Array<ChatAppendInput> = []
    for (let i = 0; i < PER_ROUND; i++) {
      inputs.push({
        roomId: layout === "single" ? singleRoom : spreadRooms[i % ROOMS]!,
        senderId: UserId.make(`bench-user-${i % SENDERS}`),
        clientMessageId: ClientMessageId.make(`${layout}-${round}-${i}`),
        body: MessageBody.make(`${BODY} #${round}.${i}`),
        messageId: MessageId.make(yield* ids.next),
        sentAt: T0 + (round + 1) * PER_ROUND + i
      })
    }
    return inputs
  })

/** Appends all `inputs`, CONCURRENCY in flight; each must come back `created` as expected. */
const appendAll = (repo: ChatRepository["Service"], inputs: ReadonlyArray<ChatAppendInput>, created: boolean) =>
  Effect.forEach(inputs, (input) =>
    repo.append(input).pipe(
      Effect.orDie,
      Effect.flatMap((result) =>
        result.created === created
          ? Effect.void
          : Effect.die(new Error(`append of ${input.clientMessageId}: created=${result.created}, expected ${created}`))
      )
    ), { concurrency: CONCURRENCY, discard: true }).pipe(Effect.as(inputs.length))

const program = Effect.gen(function*() {
  const server = yield* BenchDatabase.server({ maxConnections: CONCURRENCY })
  const repo = yield* ChatRepositoryPostgres.make.pipe(Effect.provideService(SqlClient, server.sql))
  const ids = yield* Ids
  console.log(
    `chat append on the Postgres server (schema ${server.schema}): ${PER_ROUND * ROUNDS} messages per case in ${ROUNDS} ` +
      `interleaved rounds after a warm-up round, ${CONCURRENCY} in flight, ${ROOMS} rooms for the spread cases; ${machineLoad()}`
  )

  for (const roomId of [singleRoom, ...spreadRooms]) {
    yield* repo.createRoom(new Room({ roomId, teamId: TeamId.make("bench-team"), name: roomId, createdAt: T0 })).pipe(Effect.orDie)
  }
  yield* appendAll(repo, yield* appendsOf(ids, "single", -1), true)
  yield* appendAll(repo, yield* appendsOf(ids, "spread", -1), true)

  const fresh = (name: string, layout: Layout): Contender<ReadonlyArray<ChatAppendInput>> => ({
    name,
    prepare: (round) => appendsOf(ids, layout, round),
    run: (inputs) => appendAll(repo, inputs, true)
  })
  const retry = (name: string, layout: Layout): Contender<ReadonlyArray<ChatAppendInput>> => ({
    name,
    prepare: (round) => appendsOf(ids, layout, round - 1),
    run: (inputs) => appendAll(repo, inputs, false)
  })
  const [single, spread, retrySingle, retrySpread] = yield* interleaved([
    fresh("single room", "single"),
    fresh(`${ROOMS} rooms`, "spread"),
    retry("retry, single room", "single"),
    retry(`retry, ${ROOMS} rooms`, "spread")
  ], ROUNDS)

  // Every new message took the next seq of its room, none was burnt by a retry.
  const stored = (ROUNDS + 1) * PER_ROUND
  const totals = yield* server.sql.query<{ single: boolean; last_seq: number; messages: number }>(
    `SELECT r.room_id = $1 AS single, sum(r.last_seq)::int8 AS last_seq, sum(m.n)::int8 AS messages
       FROM chat_rooms r
       CROSS JOIN LATERAL (SELECT count(*) AS n FROM chat_messages m WHERE m.room_id = r.room_id) m
      GROUP BY 1`,
    [singleRoom]
  ).pipe(Effect.orDie)
  for (const single of [true, false]) {
    const row = totals.find((total) => total.single === single)
    if (row?.last_seq !== stored || row.messages !== stored) {
      return yield* Effect.die(new Error(`${single ? "single room" : "spread rooms"}: last_seq ${row?.last_seq}, ` +
        `${row?.messages} messages, ${stored} expected`))
    }
  }

  console.table(tallyRows([single!, spread!, retrySingle!, retrySpread!], { name: "case", units: "messages", rate: "msg" }))
  console.log(
    `chat: single room ${count(single!.rate)} msg/s, ${ROOMS} rooms ${count(spread!.rate)} msg/s ` +
      `(${CONCURRENCY} in flight; ${machineLoad()})`
  )
  console.log(
    `chat idempotent retry: single room ${count(retrySingle!.rate)} msg/s, ${ROOMS} rooms ${count(retrySpread!.rate)} msg/s`
  )
})

// The signal interrupts the run when vitest gives up on it, so the scope still drops the schema.
test("chat: ChatRepositoryPostgres.append throughput", ({ signal }) =>
  Effect.runPromise(
    Effect.scoped(program).pipe(Effect.provide(Ids.layer.pipe(Layer.provide(Randomness.layer)))),
    { signal }
  ))
