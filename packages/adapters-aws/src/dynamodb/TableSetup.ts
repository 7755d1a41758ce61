/**
 * Creates and deletes the tables of Tables.ts under the client's prefix: what tests do around each
 * test file and what a developer runs once against DynamoDB Local. (Deployed stages get their
 * tables from the SAM template, generated from the same definitions.) Creation waits until each
 * table is ACTIVE and enables its TTL attribute; an existing table is left as it is.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
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

const errorName = (cause: unknown) => (cause as { name?: unknown } | undefined)?.name

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
  Effect.gen(function*() {
    const { raw, tablePrefix } = yield* DynamoClient
    yield* Effect.forEach(tables, (table) =>
      Effect.gen(function*() {
        const name = physicalName(tablePrefix, table)
        yield* Effect.tryPromise({
          try: () => raw.send(new CreateTableCommand(createTableInput(tablePrefix, table))),
          catch: (cause) => cause
        }).pipe(
          Effect.catch((cause) =>
            errorName(cause) === "ResourceInUseException" ? Effect.void : Effect.fail(fromSdkError(`CreateTable ${table}`, cause))
          )
        )
        yield* sdk(`CreateTable ${table}`, (abortSignal) =>
          waitUntilTableExists({ client: raw, maxWaitTime: WAIT_SECONDS, abortSignal }, { TableName: name }))
        const ttl = definition(table).ttlAttribute
        if (ttl !== undefined && options.enableTtl !== false) {
          yield* Effect.tryPromise({
            try: () =>
              raw.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } })),
            catch: (cause) => cause
          }).pipe(
            // Already enabled (a re-run against an existing table) is fine.
            Effect.catch((cause) =>
              errorName(cause) === "ValidationException" ? Effect.void : Effect.fail(fromSdkError(`UpdateTimeToLive ${table}`, cause))
            )
          )
        }
      }), { concurrency: 4, discard: true })
  })

/** Deletes `tables` (default: all) under the client's prefix; missing tables are fine. */
export const deleteAll = (
  tables: ReadonlyArray<TableKey> = tableKeys
): Effect.Effect<void, DynamoError, DynamoClient> =>
  Effect.gen(function*() {
    const { raw, tablePrefix } = yield* DynamoClient
    yield* Effect.forEach(tables, (table) =>
      Effect.gen(function*() {
        const name = physicalName(tablePrefix, table)
        const deleted = yield* Effect.tryPromise({
          try: () => raw.send(new DeleteTableCommand({ TableName: name })),
          catch: (cause) => cause
        }).pipe(
          Effect.as(true),
          Effect.catch((cause) =>
            errorName(cause) === "ResourceNotFoundException" ? Effect.succeed(false) : Effect.fail(fromSdkError(`DeleteTable ${table}`, cause))
          )
        )
        if (deleted) {
          yield* sdk(`DeleteTable ${table}`, (abortSignal) =>
            waitUntilTableNotExists({ client: raw, maxWaitTime: WAIT_SECONDS, abortSignal }, { TableName: name }))
        }
      }), { concurrency: 4, discard: true })
  })
