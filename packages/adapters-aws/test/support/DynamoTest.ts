/**
 * What a DynamoDB test file needs: a DynamoClient layer on the run's DynamoDB Local (see
 * DynamoDbLocal.ts) whose tables live under a random prefix of their own — created from
 * Tables.ts when the layer is built, deleted when it is released — and a CommandRecorder on that
 * client that refuses Scan, so any request path that scans fails its test (and the file, through
 * assertNoScanAfterAll, even where an adapter turned the refusal into a port error).
 *
 *   const dynamo = DynamoTest.make()
 *   UserRepositoryContract.suite("dynamodb", UserRepositoryDynamo.layer.pipe(Layer.provide(dynamo.layer)))
 *   … dynamo.recorder.take()  // → ["TransactWriteItems"]
 *   DynamoTest.assertNoScanAfterAll(dynamo)
 *
 * Every build of `layer` (each @effect/vitest `layer(...)` block) gets a fresh prefix, so blocks
 * and files never see each other's items. The recorder is shared by those builds.
 */
import { randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { afterAll, assert, inject } from "vitest"
import * as CommandRecorder from "../../src/dynamodb/CommandRecorder.js"
import { DynamoClient, make as makeClient } from "../../src/dynamodb/DynamoClient.js"
import * as TableSetup from "../../src/dynamodb/TableSetup.js"
import { type TableKey, tableKeys } from "../../src/dynamodb/Tables.js"

/**
 * Fixed, fake test credentials and region: DynamoDB Local keeps tables per access key and region,
 * and accepts only letters and digits in an access key.
 */
export const REGION = "us-east-1"
export const CREDENTIALS = { accessKeyId: "adaptersawstest", secretAccessKey: "adaptersawstest" } as const

export interface DynamoTestOptions {
  /** The tables to create (default: all of Tables.ts). */
  readonly tables?: ReadonlyArray<TableKey>
  /** Commands the recorder refuses (default ["Scan"]). */
  readonly forbid?: ReadonlyArray<string>
  /** Per-attempt timeout of the client (default 5 s: the emulator is slow on its first requests). */
  readonly requestTimeoutMs?: number
  /**
   * Enable the tables' TTL (default false): test clocks sit in the past, so DynamoDB Local's sweep
   * would delete items mid-test. Adapters must treat an expired item that is still there as gone
   * by themselves, which is what the tests check.
   */
  readonly ttl?: boolean
}

export interface DynamoTest {
  readonly layer: Layer.Layer<DynamoClient>
  readonly recorder: CommandRecorder.CommandRecorder
}

/** A fresh table prefix: "t" + 10 hex digits + "-". */
export const freshPrefix = (): string => `t${randomBytes(5).toString("hex")}-`

export const endpoint = (): string => inject("dynamoEndpoint")

export const make = (options: DynamoTestOptions = {}): DynamoTest => {
  const recorder = CommandRecorder.make({ forbid: options.forbid ?? ["Scan"] })
  const tables = options.tables ?? tableKeys
  const layer = Layer.effect(
    DynamoClient,
    Effect.gen(function*() {
      const client = DynamoClient.of(
        yield* makeClient({
          region: REGION,
          endpoint: endpoint(),
          credentials: CREDENTIALS,
          tablePrefix: freshPrefix(),
          requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
          recorder
        })
      )
      yield* Effect.acquireRelease(
        TableSetup.createAll(tables, { enableTtl: options.ttl ?? false }).pipe(Effect.provideService(DynamoClient, client), Effect.orDie),
        () => TableSetup.deleteAll(tables).pipe(Effect.provideService(DynamoClient, client), Effect.ignore)
      )
      recorder.take()
      return client
    })
  )
  return { layer, recorder }
}

/**
 * After the file's tests, asserts that no client of `tests` sent or even tried a Scan: a refused
 * Scan fails only the request that tried it, which an adapter could have mapped into a port error.
 */
export const assertNoScanAfterAll = (...tests: ReadonlyArray<DynamoTest>): void =>
  afterAll(() => {
    for (const { recorder } of tests) assert.deepStrictEqual(recorder.all().filter((c) => c.command === "Scan"), [])
  })
