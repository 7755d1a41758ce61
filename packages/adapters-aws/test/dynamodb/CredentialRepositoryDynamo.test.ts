/**
 * CredentialRepository on DynamoDB Local: the domain's contract suite unchanged, then what only
 * this adapter must show — the item holds the EncryptedSecret's fields and nothing else secret,
 * list never even reads the ciphertext, recordSync never inserts, the round trips of each method
 * and never a Scan.
 */
import { assert, layer } from "@effect/vitest"
import { AccountId, CredentialRepository, EncryptedSecret, type PutCredential, UserId } from "@app/domain"
import { CredentialRepositoryContract, freshScope } from "@app/domain/contract"
import { Effect, Layer, Option } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import * as CredentialRepositoryDynamo from "../../src/dynamodb/CredentialRepositoryDynamo.js"
import { inputsOf } from "../support/CommandInputs.js"
import * as DynamoTest from "../support/DynamoTest.js"

const contract = DynamoTest.make({ tables: ["platformCredentials"] })
CredentialRepositoryContract.suite("dynamodb", CredentialRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: ["platformCredentials"] })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const T0 = 1_700_000_000_000

/** A stand-in ciphertext: the repository stores it opaquely (no plaintext ever reaches it). */
const secret = (label: string) =>
  new EncryptedSecret({
    algorithm: "AES-256-GCM",
    keyId: "local-key-1",
    encryptedDataKey: `ZGF0YWtleQ${label}`,
    iv: `aXY${label}`,
    ciphertext: `Y2lwaGVydGV4dA${label}`
  })

const put = (userId: UserId, accountId: AccountId, label: string, at = T0): PutCredential => ({
  userId,
  platform: "google",
  accountId,
  secret: secret(label),
  status: undefined,
  at
})

layer(CredentialRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true })(
  "CredentialRepositoryDynamo",
  (it) => {
    it.effect("the item holds the EncryptedSecret's fields as a map, beside the summary's fields", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const client = yield* DynamoClient
        const user = UserId.make(freshScope("shape")), account = AccountId.make(freshScope("acct"))
        yield* repo.put(put(user, account, "one"))
        yield* repo.recordSync(user, "google", account, T0 + 1)
        const item = Option.getOrThrow(yield* client.get("platformCredentials", { userPlatform: `${user}#google`, accountId: account }))
        assert.deepStrictEqual(item, {
          userPlatform: `${user}#google`,
          accountId: account,
          secret: { ...secret("one") },
          status: "active",
          createdAt: T0,
          updatedAt: T0,
          lastSyncAt: T0 + 1
        })
        const record = Option.getOrThrow(yield* repo.get(user, "google", account))
        assert.instanceOf(record.secret, EncryptedSecret)
        assert.deepStrictEqual({ ...record.secret }, { ...secret("one") })
      }))

    it.effect("list asks DynamoDB for the summary's attributes only: the ciphertext is never read", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const user = UserId.make(freshScope("list"))
        for (const label of ["b", "a", "c"]) yield* repo.put(put(user, AccountId.make(`${label}-${freshScope("acct")}`), label))
        const { result: list, sent } = yield* inputsOf(repo.list(user, "google"))
        assert.deepStrictEqual(list.map((s) => s.accountId.slice(0, 1)), ["a", "b", "c"])
        assert.strictEqual(sent.length, 1)
        const names = Object.values(sent[0]!["ExpressionAttributeNames"] as Record<string, string>)
        assert.notInclude(names, "secret")
        assert.notInclude(String(sent[0]!["ProjectionExpression"]), "secret")
      }))

    it.effect("recordSync and delete of a missing credential are NotFound and write nothing", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const client = yield* DynamoClient
        const user = UserId.make(freshScope("missing")), account = AccountId.make(freshScope("acct"))
        assert.strictEqual((yield* repo.recordSync(user, "google", account, T0).pipe(Effect.flip))._tag, "NotFound")
        assert.strictEqual((yield* repo.delete(user, "google", account).pipe(Effect.flip))._tag, "NotFound")
        assert.isTrue(Option.isNone(yield* client.get("platformCredentials", { userPlatform: `${user}#google`, accountId: account })))
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const repo = yield* CredentialRepository
        const { recorder } = dynamo
        const user = UserId.make(freshScope("trips")), account = AccountId.make(freshScope("acct"))
        recorder.take()
        yield* repo.put(put(user, account, "one"))
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.put(put(user, account, "two", T0 + 1))
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.list(user, "google")
        assert.deepStrictEqual(recorder.take(), ["Query"])
        yield* repo.get(user, "google", account)
        assert.deepStrictEqual(recorder.take(), ["GetItem"])
        yield* repo.recordSync(user, "google", account, T0 + 2)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
        yield* repo.delete(user, "google", account)
        assert.deepStrictEqual(recorder.takeDetailed(), [{ command: "DeleteItem", tables: ["platform-credentials"] }])
        yield* repo.recordSync(user, "google", account, T0 + 3).pipe(Effect.flip)
        assert.deepStrictEqual(recorder.take(), ["UpdateItem"])
      }))
  }
)
