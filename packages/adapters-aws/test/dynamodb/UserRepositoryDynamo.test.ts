/**
 * UserRepository on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter and its foundation must show — racing inserts of one email, the round trips of each
 * method and never a Scan, bad input refused before it is sent, cursors checked before use,
 * unprocessed batch work retried, and vendor failures mapped to the port's StoreFailure reasons.
 */
import { assert, layer } from "@effect/vitest"
import { Email, Profile, User, UserId, UserRecord, UserRepository } from "@app/domain"
import { freshScope, UserRepositoryContract } from "@app/domain/contract"
import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb"
import { Effect, Exit, Layer, Option } from "effect"
import { createServer, type Server, type Socket } from "node:net"
import * as Cursor from "../../src/dynamodb/Cursor.js"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as DynamoError from "../../src/dynamodb/DynamoError.js"
import { MAX_ITEM_BYTES } from "../../src/dynamodb/RequestGuard.js"
import * as UserRepositoryDynamo from "../../src/dynamodb/UserRepositoryDynamo.js"
import { withholdBatchWork } from "../support/BatchFaults.js"
import * as DynamoTest from "../support/DynamoTest.js"
import { failureTags } from "../support/FailureTags.js"

const contract = DynamoTest.make({ tables: ["users"] })
UserRepositoryContract.suite("dynamodb", UserRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["users", "teams", "invitations"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const userRecord = (overrides: Partial<{ userId: string; email: string; passwordHash: string | null }> = {}) => {
  const id = freshScope("u")
  return new UserRecord({
    user: new User({
      userId: UserId.make(overrides.userId ?? id),
      email: Email.make(overrides.email ?? `${id}@example.com`),
      name: "Grace Hopper",
      emailVerified: true,
      profile: new Profile({ bio: "compilers", competencies: ["cobol"] }),
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000
    }),
    passwordHash: overrides.passwordHash === undefined ? "$scrypt$ln=17,r=8,p=1$c2FsdA$a2V5" : overrides.passwordHash
  })
}

/** The tag of the StoreFailure reason an exit failed with. */
const reasonOf = (exit: Exit.Exit<unknown, unknown>): string | undefined => failureTags(exit)?.[1]

layer(UserRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "UserRepositoryDynamo",
  (it) => {
    it.effect("of 16 parallel inserts of one email exactly one wins; the others are EmailTaken and leave nothing", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const email = `${freshScope("race")}@example.com`
        const contenders = Array.from({ length: 16 }, () => userRecord({ email }))
        const exits = yield* Effect.all(contenders.map((r) => Effect.exit(repo.insert(r))), { concurrency: "unbounded" })
        const winners = contenders.filter((_, i) => Exit.isSuccess(exits[i]!))
        assert.strictEqual(winners.length, 1)
        for (const exit of exits) {
          if (Exit.isFailure(exit)) assert.include(JSON.stringify(exit.cause), "EmailTaken")
        }
        const stored = yield* repo.byIds(contenders.map((r) => r.user.userId))
        assert.deepStrictEqual(stored.map((u) => u.userId), [winners[0]!.user.userId])
        assert.strictEqual(Option.getOrThrow(yield* repo.byEmail(Email.make(email))).user.userId, winners[0]!.user.userId)
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const { recorder } = dynamo
        recorder.take()
        const a = userRecord()
        const b = userRecord({ passwordHash: null })
        yield* repo.insert(a)
        assert.deepStrictEqual(recorder.take(), ["TransactWriteItems"])
        yield* repo.insert(b)
        recorder.take()
        yield* repo.byId(a.user.userId)
        assert.deepStrictEqual(recorder.take(), ["GetItem"])
        yield* repo.byEmail(a.user.email)
        assert.deepStrictEqual(recorder.take(), ["GetItem", "GetItem"])
        yield* repo.byEmail(Email.make(`${freshScope("nobody")}@example.com`))
        assert.deepStrictEqual(recorder.take(), ["GetItem"])
        const found = yield* repo.byIds([a.user.userId, b.user.userId, UserId.make(freshScope("missing"))])
        assert.strictEqual(found.length, 2)
        assert.deepStrictEqual(recorder.take(), ["BatchGetItem"])
        assert.deepStrictEqual(yield* repo.byIds([]), [])
        assert.deepStrictEqual(recorder.take(), [])
        yield* repo.update(a.user.userId, { name: "Grace B. Hopper" }, 1_700_000_000_001)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        const missing = yield* repo.update(UserId.make(freshScope("missing")), { name: "X" }, 1).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "UpdateItem", tables: ["users"] }])
      }))

    it.effect("byIds of 150 ids reads in chunks of 100 and finds every stored user", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const records = Array.from({ length: 120 }, () => userRecord())
        yield* Effect.forEach(records, (r) => repo.insert(r), { concurrency: 16, discard: true })
        const ids = [...records.map((r) => r.user.userId), ...Array.from({ length: 30 }, () => UserId.make(freshScope("none")))]
        dynamo.recorder.take()
        const found = yield* repo.byIds(ids)
        assert.strictEqual(found.length, 120)
        assert.deepStrictEqual(new Set(found.map((u) => u.userId)), new Set(records.map((r) => r.user.userId)))
        assert.deepStrictEqual(dynamo.recorder.take(), ["BatchGetItem", "BatchGetItem"])
      }))

    it.effect("unprocessed keys and items are retried until the batch is done", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const client = yield* DynamoClient
        const records = Array.from({ length: 5 }, () => userRecord())
        yield* Effect.forEach(records, (r) => repo.insert(r), { discard: true })
        dynamo.recorder.take()

        const reads = withholdBatchWork(client.raw, 2)
        const found = yield* repo.byIds(records.map((r) => r.user.userId)).pipe(Effect.ensuring(Effect.sync(reads.remove)))
        assert.strictEqual(reads.injected(), 2)
        assert.deepStrictEqual(new Set(found.map((u) => u.userId)), new Set(records.map((r) => r.user.userId)))
        assert.deepStrictEqual(dynamo.recorder.take(), ["BatchGetItem", "BatchGetItem", "BatchGetItem"])

        const teamId = freshScope("team")
        const members = Array.from({ length: 4 }, (_, i) => ({ teamId, userId: `m${i}`, role: "member" }))
        const writes = withholdBatchWork(client.raw, 3)
        yield* client.batchWrite("teams", { puts: members }).pipe(Effect.ensuring(Effect.sync(writes.remove)))
        assert.strictEqual(writes.injected(), 3)
        assert.strictEqual(dynamo.recorder.take().length, 4)
        const stored = yield* client.queryAll("teams", { partition: teamId })
        assert.deepStrictEqual(stored.map((i) => i["userId"]), ["m0", "m1", "m2", "m3"])
      }))

    it.effect("an item over 400 KB is refused before sending; DynamoDB itself draws the line at the same place", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const userId = freshScope("big")
        // userId + blob attribute names and values: pad the blob to land exactly on a size.
        const sized = (bytes: number) => ({ userId, blob: "x".repeat(bytes - "userId".length - userId.length - "blob".length) })
        dynamo.recorder.take()
        const over = yield* client.put("users", sized(MAX_ITEM_BYTES + 1)).pipe(Effect.flip)
        assert.strictEqual(over._tag, "RequestRejected")
        assert.deepStrictEqual(dynamo.recorder.take(), [])
        yield* client.put("users", sized(MAX_ITEM_BYTES))
        assert.deepStrictEqual(dynamo.recorder.take(), ["PutItem"])
        const bypass = yield* Effect.tryPromise({
          try: () => client.document.send(new PutCommand({ TableName: client.tableName("users"), Item: sized(MAX_ITEM_BYTES + 1) })),
          catch: (cause) => cause as Error
        }).pipe(Effect.flip)
        assert.strictEqual(bypass.name, "ValidationException")
        assert.include(bypass.message, "size")
      }))

    it.effect("a record too large to store is UserRepositoryError Unexpected, and nothing is written", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const record = userRecord({ passwordHash: "h".repeat(MAX_ITEM_BYTES) })
        dynamo.recorder.take()
        const exit = yield* Effect.exit(repo.insert(record))
        assert.strictEqual(reasonOf(exit), "Unexpected")
        assert.deepStrictEqual(dynamo.recorder.take(), [])
        assert.isTrue(Option.isNone(yield* repo.byId(record.user.userId)))
      }))

    it.effect("empty key strings never reach DynamoDB", () =>
      Effect.gen(function*() {
        const repo = yield* UserRepository
        const client = yield* DynamoClient
        dynamo.recorder.take()
        assert.strictEqual(reasonOf(yield* Effect.exit(repo.byId("" as UserId))), "Unexpected")
        assert.strictEqual(reasonOf(yield* Effect.exit(repo.update("" as UserId, { name: "X" }, 1))), "Unexpected")
        assert.strictEqual(reasonOf(yield* Effect.exit(repo.byIds(["" as UserId]))), "Unexpected")
        const gsiKey = yield* client.put("invitations", { invitationId: freshScope("inv"), email: "", expiresAt: 1 }).pipe(Effect.flip)
        assert.strictEqual(gsiKey._tag, "RequestRejected")
        assert.include((gsiKey as DynamoError.RequestRejected).message, "email-index")
        const sortKey = yield* client.get("teams", { teamId: "t", userId: "" }).pipe(Effect.flip)
        assert.strictEqual(sortKey._tag, "RequestRejected")
        const extra = yield* client.get("users", { userId: "u", other: "x" }).pipe(Effect.flip)
        assert.strictEqual(extra._tag, "RequestRejected")
        assert.deepStrictEqual(dynamo.recorder.take(), [])
      }))

    it.effect("attributes are always named through ExpressionAttributeNames, so reserved words just work", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const userId = freshScope("words")
        dynamo.recorder.take()
        const bare = yield* client.put("users", { userId }, { condition: "attribute_not_exists(userId)" }).pipe(Effect.flip)
        assert.strictEqual(bare._tag, "RequestRejected")
        assert.include((bare as DynamoError.RequestRejected).message, "#userId")
        const unused = yield* client.put("users", { userId }, { condition: "attribute_not_exists(#userId)", values: { ":x": 1 } })
          .pipe(Effect.flip)
        assert.strictEqual(unused._tag, "RequestRejected")
        const missing = yield* client.update("users", { userId }, { update: "SET #name = :name" }).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "RequestRejected")
        assert.deepStrictEqual(dynamo.recorder.take(), [])

        // name, status, ttl, size, data, comment: all reserved words of DynamoDB.
        yield* client.put("users", { userId, name: "n", status: "new", ttl: 1, size: 2, data: { comment: "c" } })
        const updated = yield* client.update("users", { userId }, {
          update: "SET #status = :next, #data.#comment = :comment, #size = #size + :one",
          condition: "#status = :new AND #ttl < :ttl AND attribute_exists(#name)",
          values: { ":next": "done", ":new": "new", ":ttl": 2, ":comment": "d", ":one": 1 }
        })
        assert.deepStrictEqual(Option.getOrThrow(updated), {
          userId,
          name: "n",
          status: "done",
          ttl: 1,
          size: 3,
          data: { comment: "d" }
        })
      }))

    it.effect("a conditional failure names the item that failed, with the stored item when asked", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const userId = freshScope("cond")
        yield* client.put("users", { userId, version: 1 })
        const single = yield* client.put("users", { userId, version: 2 }, {
          condition: "attribute_not_exists(#userId)",
          returnItemOnConditionFailure: true
        }).pipe(Effect.flip)
        assert.instanceOf(single, DynamoError.ConditionFailed)
        assert.isTrue((single as DynamoError.ConditionFailed).failedAt(0))
        assert.deepStrictEqual((single as DynamoError.ConditionFailed).itemAt(0), { userId, version: 1 })

        const other = freshScope("cond")
        const transaction = yield* client.transactWrite([
          { kind: "put", table: "users", item: { userId: other }, condition: "attribute_not_exists(#userId)" },
          { kind: "conditionCheck", table: "users", key: { userId }, condition: "#version = :v", values: { ":v": 5 } }
        ]).pipe(Effect.flip)
        assert.instanceOf(transaction, DynamoError.ConditionFailed)
        assert.isFalse((transaction as DynamoError.ConditionFailed).failedAt(0))
        assert.isTrue((transaction as DynamoError.ConditionFailed).failedAt(1))
        assert.isTrue(Option.isNone(yield* client.get("users", { userId: other })))

        const twice = yield* client.transactWrite([
          { kind: "put", table: "users", item: { userId: other } },
          { kind: "delete", table: "users", key: { userId: other } }
        ]).pipe(Effect.flip)
        assert.strictEqual(twice._tag, "RequestRejected")
      }))

    it.effect("cursors page through a partition, every item exactly once", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const teamId = freshScope("team")
        const userIds = Array.from({ length: 7 }, (_, i) => `member-${i}`)
        yield* client.batchWrite("teams", { puts: userIds.map((userId) => ({ teamId, userId, role: "member" })) })
        dynamo.recorder.take()
        const seen: Array<unknown> = []
        let cursor: string | undefined
        do {
          const startKey = cursor === undefined ? undefined : yield* Cursor.decode(cursor, { table: "teams", partition: teamId })
          const page = yield* client.query("teams", {
            partition: teamId,
            limit: 3,
            ...(startKey === undefined ? {} : { startKey })
          })
          seen.push(...page.items.map((item) => item["userId"]))
          cursor = Option.isSome(page.lastKey) ? Cursor.encode(page.lastKey.value) : undefined
        } while (cursor !== undefined)
        assert.deepStrictEqual(seen, userIds)
        assert.isTrue(dynamo.recorder.take().every((c) => c === "Query"))
      }))

    it.effect("a garbage cursor is a ValidationError naming the cursor, never a request", () =>
      Effect.gen(function*() {
        const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
        const garbage = [
          "",
          "not a cursor!",
          Buffer.from("{not json").toString("base64url"),
          b64([1, 2]),
          b64("teamId"),
          b64({ teamId: "t" }),
          b64({ teamId: "t", userId: "" }),
          b64({ teamId: "t", userId: 7 }),
          b64({ teamId: "t", userId: "u", extra: "x" }),
          b64({ teamId: "other-team", userId: "u" }),
          "A".repeat(Cursor.MAX_CURSOR_LENGTH + 1)
        ]
        for (const cursor of garbage) {
          const error = yield* Cursor.decode(cursor, { table: "teams", partition: "t" }).pipe(Effect.flip)
          assert.strictEqual(error._tag, "ValidationError")
          assert.strictEqual(error.errors[0]!.path, "cursor")
        }
        const named = yield* Cursor.decode("%%%", { table: "teams", partition: "t", field: "page" }).pipe(Effect.flip)
        assert.strictEqual(named.errors[0]!.path, "page")
        const onIndex = { table: "teams", index: "memberUserId-index", partition: "u" } as const
        const otherUser = yield* Cursor.decode(b64({ teamId: "t", userId: "v", memberUserId: "v" }), onIndex).pipe(Effect.flip)
        assert.strictEqual(otherUser._tag, "ValidationError")
        const tableKeyOnly = yield* Cursor.decode(b64({ teamId: "t", userId: "u" }), onIndex).pipe(Effect.flip)
        assert.strictEqual(tableKeyOnly._tag, "ValidationError")
        assert.deepStrictEqual(yield* Cursor.decode(b64({ teamId: "t", userId: "u", memberUserId: "u" }), onIndex), {
          teamId: "t",
          userId: "u",
          memberUserId: "u"
        })
        const valid = yield* Cursor.decode(Cursor.encode({ teamId: "t", userId: "u" }), { table: "teams", partition: "t" })
        assert.deepStrictEqual(valid, { teamId: "t", userId: "u" })
      }))
  }
)

const scanProbe = DynamoTest.make({ tables: ["users"] })

layer(scanProbe.layer, { excludeTestServices: true })("the Scan guard", (it) => {
  it.effect("a Scan is refused by the recorder before it is sent", () =>
    Effect.gen(function*() {
      const client = yield* DynamoClient
      const error = yield* Effect.tryPromise({
        try: () => client.document.send(new ScanCommand({ TableName: client.tableName("users") })),
        catch: (cause) => DynamoError.fromSdkError("Scan users", cause)
      }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "RequestRejected")
      assert.deepStrictEqual(scanProbe.recorder.take(), ["Scan"])
    }))
})

/** A TCP server that accepts connections and never answers: a DynamoDB that hangs. */
const silentServer = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ server: Server; port: number; sockets: Set<Socket> }>((resolve) => {
      const sockets = new Set<Socket>()
      const server = createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
      })
      server.listen(0, "127.0.0.1", () => resolve({ server, sockets, port: (server.address() as { port: number }).port }))
    })
  ),
  ({ server, sockets }) =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
    )
)

const unreachable = (endpoint: string, requestTimeoutMs = 2_000) =>
  UserRepositoryDynamo.layer.pipe(
    Layer.provide(
      DynamoClient.layer({
        region: DynamoTest.REGION,
        endpoint,
        credentials: DynamoTest.CREDENTIALS,
        tablePrefix: DynamoTest.freshPrefix(),
        maxAttempts: 1,
        requestTimeoutMs,
        connectTimeoutMs: 500
      })
    )
  )

layer(Layer.empty, { excludeTestServices: true })("DynamoDB failures as StoreFailure", (it) => {
  it.effect("a refused connection is Unavailable", () =>
    Effect.gen(function*() {
      const { port, server } = yield* silentServer
      yield* Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
      const exit = yield* Effect.exit(
        UserRepository.use((repo) => repo.byId(UserId.make("u1"))).pipe(Effect.provide(unreachable(`http://127.0.0.1:${port}`)))
      )
      assert.strictEqual(reasonOf(exit), "Unavailable")
    }).pipe(Effect.scoped))

  it.effect("no answer within the request timeout is TimedOut", () =>
    Effect.gen(function*() {
      const { port } = yield* silentServer
      const exit = yield* Effect.exit(
        UserRepository.use((repo) => repo.byId(UserId.make("u1"))).pipe(Effect.provide(unreachable(`http://127.0.0.1:${port}`, 300)))
      )
      assert.strictEqual(reasonOf(exit), "TimedOut")
    }).pipe(Effect.scoped))

  it.effect("a missing table is Unexpected", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        UserRepository.use((repo) => repo.byId(UserId.make("u1"))).pipe(Effect.provide(unreachable(DynamoTest.endpoint())))
      )
      assert.strictEqual(reasonOf(exit), "Unexpected")
    }))

  it.effect("vendor errors are classified: throttling and 5xx Unavailable, conflicts by reason, the rest Unexpected", () =>
    Effect.sync(() => {
      const classify = (error: unknown) => {
        const mapped = DynamoError.fromSdkError("op", error)
        return mapped._tag === "StoreFailed" ? mapped.reason._tag : mapped._tag
      }
      assert.strictEqual(classify({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }), "Unavailable")
      assert.strictEqual(classify({ name: "ProvisionedThroughputExceededException" }), "Unavailable")
      assert.strictEqual(classify({ name: "RequestLimitExceeded" }), "Unavailable")
      assert.strictEqual(classify({ name: "InternalServerError", $metadata: { httpStatusCode: 500 } }), "Unavailable")
      assert.strictEqual(classify({ name: "Weird", $metadata: { httpStatusCode: 503 } }), "Unavailable")
      assert.strictEqual(classify({ name: "Error", code: "ECONNRESET" }), "Unavailable")
      assert.strictEqual(classify({ name: "Error", code: "ENETDOWN" }), "Unavailable")
      assert.strictEqual(classify({ name: "TimeoutError" }), "TimedOut")
      assert.strictEqual(classify({ name: "Error", code: "ETIMEDOUT" }), "TimedOut")
      assert.strictEqual(classify({ name: "ValidationException", $metadata: { httpStatusCode: 400 } }), "Unexpected")
      assert.strictEqual(classify({ name: "ResourceNotFoundException" }), "Unexpected")
      assert.strictEqual(classify({ name: "ConditionalCheckFailedException" }), "ConditionFailed")
      assert.strictEqual(
        classify({ name: "TransactionCanceledException", CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict" }] }),
        "Unavailable"
      )
      assert.strictEqual(
        classify({ name: "TransactionCanceledException", CancellationReasons: [{ Code: "ValidationError" }] }),
        "Unexpected"
      )
      const failed = DynamoError.fromSdkError("op", {
        name: "TransactionCanceledException",
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed", Item: { userId: { S: "u" }, n: { N: "2" } } }]
      })
      assert.instanceOf(failed, DynamoError.ConditionFailed)
      assert.isTrue((failed as DynamoError.ConditionFailed).failedAt(1))
      assert.deepStrictEqual((failed as DynamoError.ConditionFailed).itemAt(1), { userId: "u", n: 2 })
      assert.isTrue(DynamoError.isTransientConflict({ name: "TransactionConflictException" }))
    }))
})
