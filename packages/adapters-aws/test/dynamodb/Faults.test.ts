/**
 * What the DynamoDB adapters do when DynamoDB is gone, silent or pushing back, shown with the real
 * adapters (UserRepositoryDynamo, ChatRepositoryDynamo) and the real SDK client pointed at
 * endpoints this file controls:
 * - nothing listening: every port method fails with the port's error, reason Unavailable; a server
 *   that accepts and never answers: reason TimedOut. Both are retryable, both end after the
 *   client's bounded attempts — the per-test timeout is the hang detector;
 * - an outage between the client and DynamoDB Local (a proxy switched to refuse or blackhole):
 *   what was written before is read after, and the same layer works again by itself;
 * - DynamoDB's own error bodies, which DynamoDB Local never sends, from a stand-in HTTP server:
 *   throttling is Unavailable after maxAttempts requests, a transaction cancelled by throttling
 *   after the client's conflict retries, and a failed condition is the domain outcome the adapter
 *   decides, after one request.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import {
  ChatRepository,
  ClientMessageId,
  Email,
  isRetryable,
  MessageBody,
  MessageId,
  Profile,
  Room,
  RoomId,
  type StoreFailure,
  TeamId,
  User,
  UserId,
  UserRecord,
  UserRepository
} from "@app/domain"
import { Cause, Context, Effect, Exit, Layer, Option } from "effect"
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import { connect, createServer, type Server, type Socket } from "node:net"
import { afterAll } from "vitest"
import * as ChatRepositoryDynamo from "../../src/dynamodb/ChatRepositoryDynamo.js"
import * as CommandRecorder from "../../src/dynamodb/CommandRecorder.js"
import { DynamoClient, type DynamoSettings, make as makeClient } from "../../src/dynamodb/DynamoClient.js"
import * as UserRepositoryDynamo from "../../src/dynamodb/UserRepositoryDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

/** SDK attempts per request on the fault endpoints: the bound every count below is checked against. */
const ATTEMPTS = 3
/** Extra rounds the client gives a transaction cancelled by a conflict or throttling. */
const CONFLICT_RETRIES = 2
/** Per-test limit: an operation that hangs fails its test here. */
const HANG_LIMIT_MS = 30_000

// ---------------------------------------------------------------------------------------------
// Fixtures

let counter = 0
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`
/** A ULID-shaped message id, unique in this file. */
const messageId = (): MessageId => MessageId.make(`01F${String(counter++).padStart(23, "0")}`)
const T0 = 1_700_000_000_000

const userRecord = () => {
  const id = fresh("u")
  return new UserRecord({
    user: new User({
      userId: UserId.make(id),
      email: Email.make(`${id}@example.com`),
      name: "Ada Lovelace",
      emailVerified: true,
      profile: new Profile({ bio: "engines", competencies: ["analysis"] }),
      createdAt: T0,
      updatedAt: T0
    }),
    passwordHash: null
  })
}

const newRoom = () => new Room({ roomId: RoomId.make(fresh("room")), teamId: TeamId.make(fresh("team")), name: "ops", createdAt: T0 })

const appendInput = (roomId: RoomId, clientMessageId: string) => ({
  roomId,
  senderId: UserId.make("sender"),
  clientMessageId: ClientMessageId.make(clientMessageId),
  body: MessageBody.make(`message ${clientMessageId}`),
  messageId: messageId(),
  sentAt: T0
})

type Ports = UserRepository | ChatRepository

/** One call of every method of both ports; each one's first request already needs DynamoDB. */
const everyOperation = () => {
  const room = newRoom()
  return {
    "UserRepository.insert": UserRepository.use((repo) => repo.insert(userRecord())),
    "UserRepository.byId": UserRepository.use((repo) => repo.byId(UserId.make(fresh("u")))),
    "UserRepository.byEmail": UserRepository.use((repo) => repo.byEmail(Email.make(`${fresh("u")}@example.com`))),
    "UserRepository.byIds": UserRepository.use((repo) => repo.byIds([UserId.make(fresh("u")), UserId.make(fresh("u"))])),
    "UserRepository.update": UserRepository.use((repo) => repo.update(UserId.make(fresh("u")), { name: "Ada" }, T0)),
    "ChatRepository.createRoom": ChatRepository.use((repo) => repo.createRoom(room)),
    "ChatRepository.room": ChatRepository.use((repo) => repo.room(room.roomId)),
    "ChatRepository.roomsOfTeams": ChatRepository.use((repo) => repo.roomsOfTeams([room.teamId])),
    "ChatRepository.append": ChatRepository.use((repo) => repo.append(appendInput(room.roomId, fresh("c")))),
    "ChatRepository.page": ChatRepository.use((repo) => repo.page(room.roomId, { limit: 10 }))
  }
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/** The error an operation failed with; a success or a defect fails the test. */
const failureOf = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.map(Effect.exit(self), (exit) => {
    if (Exit.isSuccess(exit)) return assert.fail(`expected a failure, got a success: ${String(exit.value)}`)
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? error.value : assert.fail(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  })

/** Every operation run at once, each to its failure. */
const failuresOf = <Operations extends Record<string, Effect.Effect<unknown, unknown, Ports>>>(operations: Operations) =>
  Effect.all(
    Object.fromEntries(Object.entries(operations).map(([name, operation]) => [name, failureOf(operation)])),
    { concurrency: "unbounded" }
  ) as Effect.Effect<Record<string, unknown>, never, Effect.Services<Operations[keyof Operations]>>

interface Tagged {
  readonly _tag: string
  readonly reason?: StoreFailure
  readonly code?: string
  readonly resource?: string
}

/** "<port error> <reason>" for a store failure, "<domain error> <code or resource>" otherwise. */
const describeError = (error: unknown): string => {
  const e = error as Tagged
  return `${e._tag} ${e.reason?._tag ?? e.code ?? e.resource ?? "?"}`
}

const describeAll = (failures: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(failures).map(([name, error]) => [name, describeError(error)]))

/** The expected description of each operation of everyOperation(): its port's error with `reason`. */
const everyOperationFailsWith = (reason: StoreFailure["_tag"]) =>
  Object.fromEntries(
    Object.keys(everyOperation()).map((name) => [name, `${name.split(".")[0]}Error ${reason}`])
  )

const assertRetryable = (failures: Record<string, unknown>) => {
  for (const [name, error] of Object.entries(failures)) {
    const reason = (error as Tagged).reason
    assert.isTrue(reason !== undefined && isRetryable(reason), `${name}: ${describeError(error)} is not retryable`)
  }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

const listen = (server: Server, port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject)
      resolve((server.address() as { port: number }).port)
    })
  })

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))

/** An endpoint with nothing listening: a port that was free a moment ago. */
const refusedEndpoint = Effect.promise(async () => {
  const server = createServer()
  const port = await listen(server)
  await close(server)
  return `http://127.0.0.1:${port}`
})

/** A TCP endpoint that accepts connections and never answers; counts the connections. */
const silentEndpoint = Effect.acquireRelease(
  Effect.promise(async () => {
    const sockets = new Set<Socket>()
    let connections = 0
    const server = createServer((socket) => {
      connections++
      sockets.add(socket)
      socket.on("error", () => {})
      socket.on("close", () => sockets.delete(socket))
    })
    const port = await listen(server)
    return { endpoint: `http://127.0.0.1:${port}`, connections: () => connections, server, sockets }
  }),
  ({ server, sockets }) =>
    Effect.promise(() => {
      for (const socket of sockets) socket.destroy()
      return close(server)
    })
)

interface Reply {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** DynamoDB's JSON error body (awsJson1_0) for `type`, with its x-amzn-ErrorType. */
const dynamoError = (type: string, fields: Record<string, unknown>, namespace = "com.amazonaws.dynamodb.v20120810"): Reply => ({
  status: 400,
  body: { __type: `${namespace}#${type}`, ...fields }
})

/** A TransactionCanceledException with one reason per transaction item, as DynamoDB words it. */
const transactionCanceled = (codes: ReadonlyArray<string>): Reply =>
  dynamoError("TransactionCanceledException", {
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
    CancellationReasons: codes.map((code) =>
      code === "None" ? { Code: code } : { Code: code, Message: code === "ConditionalCheckFailed" ? "The conditional request failed" : code }
    )
  })

/**
 * An HTTP endpoint that answers every DynamoDB request with `reply(operation)` (operation from
 * X-Amz-Target: "GetItem", "TransactWriteItems", …) and counts the requests per operation.
 */
const dynamoStandIn = (reply: (operation: string) => Reply) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const requests: Record<string, number> = {}
      const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
        const operation = String(request.headers["x-amz-target"] ?? "").replace(/^DynamoDB_\d+\./, "")
        requests[operation] = (requests[operation] ?? 0) + 1
        request.resume()
        request.on("end", () => {
          const { body, status } = reply(operation)
          const payload = JSON.stringify(body)
          response.writeHead(status, {
            "content-type": "application/x-amz-json-1.0",
            "content-length": Buffer.byteLength(payload),
            "x-amzn-requestid": fresh("request"),
            "x-amzn-errortype": String(body["__type"]).split("#")[1] ?? ""
          })
          response.end(payload)
        })
      })
      const port = await listen(server as unknown as Server)
      return { endpoint: `http://127.0.0.1:${port}`, requests: () => ({ ...requests }), server }
    }),
    ({ server }) =>
      Effect.promise(() => {
        server.closeAllConnections()
        return close(server as unknown as Server)
      })
  )

/** The two adapters over a fresh client for `endpoint`, with short timeouts and few attempts. */
const adaptersAt = (endpoint: string, settings: Partial<DynamoSettings> = {}) =>
  Layer.mergeAll(UserRepositoryDynamo.layer, ChatRepositoryDynamo.layer).pipe(
    Layer.provide(
      DynamoClient.layer({
        region: DynamoTest.REGION,
        endpoint,
        credentials: DynamoTest.CREDENTIALS,
        tablePrefix: DynamoTest.freshPrefix(),
        requestTimeoutMs: 300,
        connectTimeoutMs: 300,
        maxAttempts: ATTEMPTS,
        maxConflictRetries: CONFLICT_RETRIES,
        ...settings
      })
    )
  )

// ---------------------------------------------------------------------------------------------
// (1), (2): nothing there, nobody answering

describe("DynamoDB unreachable", () => {
  it.live("nothing listening: every operation fails with its port's error, reason Unavailable (retryable)", () =>
    Effect.gen(function*() {
      const endpoint = yield* refusedEndpoint
      const failures = yield* failuresOf(everyOperation()).pipe(Effect.provide(adaptersAt(endpoint)))
      assert.deepStrictEqual(describeAll(failures), everyOperationFailsWith("Unavailable"))
      assertRetryable(failures)
    }), HANG_LIMIT_MS)

  it.live("accepting but never answering: every operation fails with reason TimedOut (retryable), after maxAttempts tries", () =>
    Effect.gen(function*() {
      const silent = yield* silentEndpoint
      const operations = everyOperation()
      const failures = yield* failuresOf(operations).pipe(Effect.provide(adaptersAt(silent.endpoint)))
      assert.deepStrictEqual(describeAll(failures), everyOperationFailsWith("TimedOut"))
      assertRetryable(failures)
      // A timed-out attempt's socket is destroyed, so each attempt is one connection: the SDK
      // retried each operation's one request, and stopped at maxAttempts.
      assert.strictEqual(silent.connections(), Object.keys(operations).length * ATTEMPTS)
    }), HANG_LIMIT_MS)
})

// ---------------------------------------------------------------------------------------------
// (3): an outage between the client and DynamoDB Local, and the recovery

type ProxyMode = "forward" | "refuse" | "blackhole"

/**
 * A TCP proxy in front of DynamoDB Local: "forward" passes bytes both ways; "refuse" stops
 * listening and resets every open connection (DynamoDB gone); "blackhole" accepts and keeps
 * connections, open ones included, but passes nothing (a partition). Back to "forward", it
 * listens on the same port again.
 */
class FaultProxy extends Context.Service<FaultProxy, {
  readonly endpoint: string
  readonly setMode: (mode: ProxyMode) => Effect.Effect<void>
}>()("adapters-aws/test/dynamodb/Faults/FaultProxy") {
  static readonly layer = Layer.effect(
    FaultProxy,
    Effect.acquireRelease(
      Effect.promise(async () => {
        const upstream = new URL(DynamoTest.endpoint())
        let mode: ProxyMode = "forward"
        const connections = new Set<{ readonly client: Socket; readonly upstream: Socket }>()
        const server = createServer((client) => {
          const target = connect(Number(upstream.port), upstream.hostname)
          const connection = { client, upstream: target }
          connections.add(connection)
          const end = () => {
            connections.delete(connection)
            client.destroy()
            target.destroy()
          }
          for (const socket of [client, target]) socket.on("error", end).on("close", end)
          client.on("data", (chunk: Buffer) => void (mode === "forward" && target.write(chunk)))
          target.on("data", (chunk: Buffer) => void (mode === "forward" && client.write(chunk)))
        })
        const port = await listen(server)
        const resetAll = () => {
          for (const { client, upstream } of connections) {
            client.resetAndDestroy()
            upstream.destroy()
          }
        }
        const setMode = async (next: ProxyMode) => {
          const previous = mode
          mode = next
          if (next === "refuse" && previous !== "refuse") {
            const closed = close(server)
            resetAll()
            await closed
          } else if (next !== "refuse" && previous === "refuse") {
            await listen(server, port)
          }
        }
        return { endpoint: `http://127.0.0.1:${port}`, setMode, server, resetAll }
      }),
      ({ resetAll, server }) =>
        Effect.promise(() => {
          const closed = close(server)
          resetAll()
          return closed
        })
    ).pipe(Effect.map(({ endpoint, setMode }) => FaultProxy.of({ endpoint, setMode: (mode) => Effect.promise(() => setMode(mode)) })))
  )
}

const direct = DynamoTest.make({ tables: ["users", "chatRooms", "chatMessages"] })
const proxied = CommandRecorder.make({ forbid: ["Scan"] })

afterAll(() => {
  for (const recorder of [direct.recorder, proxied]) {
    assert.deepStrictEqual(recorder.all().filter((c) => c.command === "Scan"), [])
  }
})

/** A client that reaches DynamoDB Local only through the proxy, on the tables `direct` created. */
const throughProxy = Layer.effect(
  DynamoClient,
  Effect.gen(function*() {
    const tables = yield* DynamoClient
    const proxy = yield* FaultProxy
    return DynamoClient.of(
      yield* makeClient({
        region: DynamoTest.REGION,
        endpoint: proxy.endpoint,
        credentials: DynamoTest.CREDENTIALS,
        tablePrefix: tables.tablePrefix,
        requestTimeoutMs: 3_000,
        connectTimeoutMs: 500,
        maxAttempts: 2,
        recorder: proxied
      })
    )
  })
).pipe(Layer.provide(direct.layer))

const recovery = Layer.mergeAll(UserRepositoryDynamo.layer, ChatRepositoryDynamo.layer).pipe(
  Layer.provideMerge(throughProxy),
  Layer.provideMerge(FaultProxy.layer)
)

/** Writes a user, a room and its first message, takes `mode` down, checks, and brings it back. */
const outage = (mode: Exclude<ProxyMode, "forward">, reason: StoreFailure["_tag"]) =>
  Effect.gen(function*() {
    const users = yield* UserRepository
    const chat = yield* ChatRepository
    const proxy = yield* FaultProxy
    const record = userRecord()
    const room = newRoom()
    yield* users.insert(record)
    yield* chat.createRoom(room)
    const first = yield* chat.append(appendInput(room.roomId, "before"))
    assert.strictEqual(first.message.seq, 1)

    yield* proxy.setMode(mode)
    const failures = yield* failuresOf({
      "UserRepository.byId": users.byId(record.user.userId),
      "UserRepository.byEmail": users.byEmail(record.user.email),
      "ChatRepository.append": chat.append(appendInput(room.roomId, "during")),
      "ChatRepository.page": chat.page(room.roomId, { limit: 10 })
    })
    assert.deepStrictEqual(describeAll(failures), {
      "UserRepository.byId": `UserRepositoryError ${reason}`,
      "UserRepository.byEmail": `UserRepositoryError ${reason}`,
      "ChatRepository.append": `ChatRepositoryError ${reason}`,
      "ChatRepository.page": `ChatRepositoryError ${reason}`
    })
    assertRetryable(failures)

    yield* proxy.setMode("forward")
    assert.deepStrictEqual(yield* users.byId(record.user.userId), Option.some(record))
    assert.deepStrictEqual(yield* users.byEmail(record.user.email), Option.some(record))
    assert.deepStrictEqual(yield* chat.room(room.roomId), Option.some(room))
    // The append that failed in the outage took no seq: the next one is 2.
    const after = yield* chat.append(appendInput(room.roomId, "after"))
    assert.deepStrictEqual([after.created, after.message.seq], [true, 2])
    const history = yield* chat.page(room.roomId, { after: 0, limit: 10 })
    assert.deepStrictEqual(history.map((m) => [m.seq, m.clientMessageId]), [[1, "before"], [2, "after"]])
    assert.deepStrictEqual({ ...history[0]! }, { ...first.message })
  })

// One layer build for both tests: the second outage hits the client that lived through the first.
layer(recovery, { excludeTestServices: true, timeout: "60 seconds" })("DynamoDB outage and recovery (one layer)", (it) => {
  it.effect("DynamoDB refusing connections: Unavailable during, earlier data and the same layer work after", () =>
    outage("refuse", "Unavailable"), HANG_LIMIT_MS)

  it.effect("DynamoDB silent (blackhole): TimedOut during, earlier data and the same layer work after", () =>
    outage("blackhole", "TimedOut"), HANG_LIMIT_MS)
})

// ---------------------------------------------------------------------------------------------
// (4): DynamoDB's error answers, from a stand-in

describe("DynamoDB error answers", () => {
  it.live("throttling is Unavailable (retryable) after exactly maxAttempts requests", () =>
    Effect.gen(function*() {
      const throttles = [
        dynamoError("ProvisionedThroughputExceededException", {
          message: "The level of configured provisioned throughput for the table was exceeded."
        }),
        dynamoError("ThrottlingException", { message: "Rate of requests exceeds the allowed throughput." }, "com.amazon.coral.availability")
      ]
      for (const throttle of throttles) {
        const standIn = yield* dynamoStandIn(() => throttle)
        const failures = yield* failuresOf({
          "UserRepository.byId": UserRepository.use((repo) => repo.byId(UserId.make(fresh("u")))),
          "UserRepository.insert": UserRepository.use((repo) => repo.insert(userRecord())),
          "ChatRepository.append": ChatRepository.use((repo) => repo.append(appendInput(RoomId.make(fresh("room")), "c"))),
          "ChatRepository.page": ChatRepository.use((repo) => repo.page(RoomId.make(fresh("room")), { limit: 10 }))
        }).pipe(Effect.provide(adaptersAt(standIn.endpoint)))
        assert.deepStrictEqual(describeAll(failures), {
          "UserRepository.byId": "UserRepositoryError Unavailable",
          "UserRepository.insert": "UserRepositoryError Unavailable",
          "ChatRepository.append": "ChatRepositoryError Unavailable",
          "ChatRepository.page": "ChatRepositoryError Unavailable"
        }, String(throttle.body["__type"]))
        assertRetryable(failures)
        assert.deepStrictEqual(standIn.requests(), {
          GetItem: ATTEMPTS,
          TransactWriteItems: ATTEMPTS,
          BatchGetItem: ATTEMPTS,
          Query: ATTEMPTS
        })
      }
    }), HANG_LIMIT_MS)

  it.live("a transaction cancelled by throttling is retried maxConflictRetries times, then Unavailable", () =>
    Effect.gen(function*() {
      const standIn = yield* dynamoStandIn(() => transactionCanceled(["ThrottlingError", "None"]))
      const failure = yield* failureOf(UserRepository.use((repo) => repo.insert(userRecord()))).pipe(
        Effect.provide(adaptersAt(standIn.endpoint))
      )
      assert.strictEqual(describeError(failure), "UserRepositoryError Unavailable")
      assert.deepStrictEqual(standIn.requests(), { TransactWriteItems: 1 + CONFLICT_RETRIES })
    }), HANG_LIMIT_MS)

  it.live("a failed condition is the domain outcome the adapter decides, after one request", () =>
    Effect.gen(function*() {
      const conditionFailed = dynamoError("ConditionalCheckFailedException", { message: "The conditional request failed" })
      const cases: ReadonlyArray<{
        readonly name: string
        readonly reply: Reply
        readonly run: Effect.Effect<unknown, unknown, Ports>
        readonly expected: string
        readonly requests: Record<string, number>
      }> = [
        {
          name: "insert, the email guard (item 1) failed",
          reply: transactionCanceled(["None", "ConditionalCheckFailed"]),
          run: UserRepository.use((repo) => repo.insert(userRecord())),
          expected: "Conflict EmailTaken",
          requests: { TransactWriteItems: 1 }
        },
        {
          name: "insert, the user item (item 0) failed",
          reply: transactionCanceled(["ConditionalCheckFailed", "None"]),
          run: UserRepository.use((repo) => repo.insert(userRecord())),
          expected: "Conflict UserExists",
          requests: { TransactWriteItems: 1 }
        },
        {
          name: "createRoom of a taken id",
          reply: conditionFailed,
          run: ChatRepository.use((repo) => repo.createRoom(newRoom())),
          expected: "Conflict RoomExists",
          requests: { PutItem: 1 }
        },
        {
          name: "update of a missing user",
          reply: conditionFailed,
          run: UserRepository.use((repo) => repo.update(UserId.make(fresh("u")), { name: "Ada" }, T0)),
          expected: "NotFound user",
          requests: { UpdateItem: 1 }
        }
      ]
      for (const { expected, name, reply, requests, run } of cases) {
        const standIn = yield* dynamoStandIn(() => reply)
        const failure = yield* failureOf(run).pipe(Effect.provide(adaptersAt(standIn.endpoint)))
        assert.strictEqual(describeError(failure), expected, name)
        assert.deepStrictEqual(standIn.requests(), requests, name)
      }
    }), HANG_LIMIT_MS)
})
