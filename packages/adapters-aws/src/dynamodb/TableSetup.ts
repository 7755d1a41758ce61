/**
 * Creates and deletes the tables of Tables.ts under the client's prefix: what tests do around each
 * test file and what a developer runs once against DynamoDB Local. (Deployed stages get their
 * tables from the SAM template, generated from the same definitions.) Creation waits until each
 * table is ACTIVE and enables its TTL attribute; an existing table is left as it is.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists
} from "@aws-sdk/client-dynamodb"
import { Effect } from "effect"
import { DynamoClient } from "./DynamoClient.js"
import { type DynamoError, fromSdkError } from "./DynamoError.js"
import { createTableInput, definition, physicalName, type TableKey, tableKeys } from "./Tables.js"

const WAIT_SECONDS = 120

const sdk = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, DynamoError> =>
  Effect.tryPromise({ try: (signal) => run(signal), catch: (cause) => fromSdkError(operation, cause) })

/**
 * One SDK call whose error named `settled` means its work is already done (the table exists, its
 * TTL is already on, the table is already gone): true when the call did the work, false when settled.
 */
const unlessSettled = (operation: string, settled: string, run: () => Promise<unknown>): Effect.Effect<boolean, DynamoError> =>
  Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
    Effect.as(true),
    Effect.catch((cause) =>
      (cause as { name?: unknown } | undefined)?.name === settled ? Effect.succeed(false) : Effect.fail(fromSdkError(operation, cause))
    )
  )

interface TableAt {
  readonly table: TableKey
  /** Its physical name under the client's prefix. */
  readonly name: string
  readonly tablePrefix: string
  readonly raw: DynamoDBClient
}

/** Runs `each` for every one of `tables` under the client's prefix, four at a time. */
const forEachTable = (
  tables: ReadonlyArray<TableKey>,
  each: (at: TableAt) => Effect.Effect<void, DynamoError>
): Effect.Effect<void, DynamoError, DynamoClient> =>
  Effect.gen(function*() {
    const { raw, tablePrefix } = yield* DynamoClient
    yield* Effect.forEach(tables, (table) => each({ table, name: physicalName(tablePrefix, table), tablePrefix, raw }), {
      concurrency: 4,
      discard: true
    })
  })

export interface CreateOptions {
  /**
   * Enable each table's TTL attribute (default true). Tests turn it off: their clocks sit in the
   * past, so DynamoDB Local's sweep would delete items mid-test — and no adapter may rely on the
   * sweep anyway (AWS deletes expired items up to days late).
   */
  readonly enableTtl?: boolean
}

/** Creates `tables` (default: all) under the client's prefix, in parallel. */
export const createAll = (
  tables: ReadonlyArray<TableKey> = tableKeys,
  options: CreateOptions = {}
): Effect.Effect<void, DynamoError, DynamoClient> =>
  forEachTable(tables, ({ name, raw, table, tablePrefix }) =>
    Effect.gen(function*() {
      yield* unlessSettled(`CreateTable ${table}`, "ResourceInUseException", () =>
        raw.send(new CreateTableCommand(createTableInput(tablePrefix, table))))
      yield* sdk(`CreateTable ${table}`, (abortSignal) =>
        waitUntilTableExists({ client: raw, maxWaitTime: WAIT_SECONDS, abortSignal }, { TableName: name }))
      const ttl = definition(table).ttlAttribute
      if (ttl !== undefined && options.enableTtl !== false) {
        // Already enabled (a re-run against an existing table) is a ValidationException.
        yield* unlessSettled(`UpdateTimeToLive ${table}`, "ValidationException", () =>
          raw.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } })))
      }
    }))

/** Deletes `tables` (default: all) under the client's prefix; missing tables are fine. */
export const deleteAll = (
  tables: ReadonlyArray<TableKey> = tableKeys
): Effect.Effect<void, DynamoError, DynamoClient> =>
  forEachTable(tables, ({ name, raw, table }) =>
    Effect.gen(function*() {
      const deleted = yield* unlessSettled(`DeleteTable ${table}`, "ResourceNotFoundException", () =>
        raw.send(new DeleteTableCommand({ TableName: name })))
      if (deleted) {
        yield* sdk(`DeleteTable ${table}`, (abortSignal) =>
          waitUntilTableNotExists({ client: raw, maxWaitTime: WAIT_SECONDS, abortSignal }, { TableName: name }))
      }
    }))
