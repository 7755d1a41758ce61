/**
 * The one DynamoDB client of a process (per layer): a DynamoDBDocumentClient created when the layer
 * is built and destroyed when it is released, and the only way the adapters talk to DynamoDB. Its
 * operations take logical tables (Tables.TableKey) and plain JavaScript items, and guarantee for
 * every request:
 * - bad input never leaves the process: keys and items are checked (RequestGuard), attribute names
 *   go through ExpressionAttributeNames (Expression), else RequestRejected;
 * - reads are GetItem, Query (on the table or a GSI) and BatchGetItem only — there is no Scan here;
 * - a transaction that lost a race (TransactionConflict) is retried with jittered backoff, and so
 *   are the UnprocessedKeys / UnprocessedItems of batches; throttling is retried by the SDK
 *   (maxAttempts); what still fails is classified into a DynamoError (see DynamoError.ts).
 * Backoff sleeps run on real timers, not Effect's Clock, so a TestClock in a test cannot freeze a
 * retry of real I/O.
 */
import { Unavailable } from "@app/domain"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand
} from "@aws-sdk/lib-dynamodb"
import { Config, Context, Effect, Layer, Option, Result, type Scope } from "effect"
import * as CommandRecorder from "./CommandRecorder.js"
import type { StartKey } from "./Cursor.js"
import { type DynamoError, fromSdkError, isTransientConflict, RequestRejected, StoreFailed } from "./DynamoError.js"
import * as Expression from "./Expression.js"
import { checkItem, checkKey, checkStartKey, compositeKey as joinKey, itemSize, MAX_ITEM_BYTES } from "./RequestGuard.js"
import { definition, indexOf, type IndexName, keyAttributes, physicalName, type TableKey } from "./Tables.js"

export type Item = Record<string, unknown>
export type Key = Readonly<Record<string, string | number>>

export interface DynamoSettings {
  readonly region: string
  /** DynamoDB Local or LocalStack; absent for AWS. */
  readonly endpoint?: string | undefined
  /** Prepended to every table name ("sivera-" → "sivera-users"). */
  readonly tablePrefix: string
  /** Per attempt: no response within this time is a TimedOut. Default 3000. */
  readonly requestTimeoutMs?: number | undefined
  /** Per attempt: connection not established within this time. Default 1000. */
  readonly connectTimeoutMs?: number | undefined
  /** SDK attempts per request (throttling, 5xx, network). Default 3. */
  readonly maxAttempts?: number | undefined
  /** Extra rounds for lost transaction races and unprocessed batch items. Default 8. */
  readonly maxConflictRetries?: number | undefined
  /** Fixed credentials (tests, DynamoDB Local); absent: the SDK's default provider chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined
  /** Records (and may forbid) every command sent: see CommandRecorder. */
  readonly recorder?: CommandRecorder.CommandRecorder | undefined
}

export const defaults = {
  tablePrefix: "sivera-",
  requestTimeoutMs: 3_000,
  connectTimeoutMs: 1_000,
  maxAttempts: 3,
  maxConflictRetries: 8
} as const

/** Values of the `:placeholders` of a request's expressions, and names for unusual attributes. */
export interface Expressions {
  readonly values?: Readonly<Record<string, unknown>>
  /** Only for attribute names that are not [A-Za-z0-9_]+ (e.g. map keys): `{ "#cfg": configId }`. */
  readonly names?: Readonly<Record<string, string>>
}

export interface GetOptions {
  /** Strongly consistent read; default true. */
  readonly consistent?: boolean
  /** Only these attributes (plain names). */
  readonly attributes?: ReadonlyArray<string>
}

export interface PutOptions extends Expressions {
  readonly condition?: string
  /** On a failed condition, the stored item comes back in ConditionFailed.itemAt(0). */
  readonly returnItemOnConditionFailure?: boolean
}

export interface UpdateOptions extends Expressions {
  /** e.g. "SET #name = :name, #updatedAt = :at REMOVE #x". */
  readonly update: string
  readonly condition?: string
  /** Default ALL_NEW. */
  readonly returnValues?: "NONE" | "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW"
  readonly returnItemOnConditionFailure?: boolean
}

export interface DeleteOptions extends Expressions {
  readonly condition?: string
  /** Answer the deleted item. */
  readonly returnOld?: boolean
  readonly returnItemOnConditionFailure?: boolean
}

/** The sort-key part of a Query's key condition. */
export type KeyRange =
  | { readonly op: "=" | "<" | "<=" | ">" | ">="; readonly value: string | number }
  | { readonly op: "between"; readonly low: string | number; readonly high: string | number }
  | { readonly op: "begins_with"; readonly prefix: string }

export interface QueryOptions<T extends TableKey> extends Expressions {
  readonly index?: IndexName<T>
  /** The value of the (index's) partition key. */
  readonly partition: string | number
  readonly range?: KeyRange
  /** A FilterExpression (applied after Limit, by DynamoDB). */
  readonly filter?: string
  readonly attributes?: ReadonlyArray<string>
  /** Items evaluated per page (DynamoDB's Limit). */
  readonly limit?: number
  /** Ascending sort key; default true. */
  readonly forward?: boolean
  /** Default: true on the table, false (the only choice) on a GSI. */
  readonly consistent?: boolean
  /** Where to continue: a previous page's lastKey (or a decoded Cursor). */
  readonly startKey?: StartKey
}

export interface QueryPage {
  readonly items: ReadonlyArray<Item>
  /** Present when more items may follow: pass it as startKey, or Cursor.encode it for a client. */
  readonly lastKey: Option.Option<StartKey>
}

/** One action of a TransactWriteItems, in the order its CancellationReasons are indexed. */
export type TransactItem =
  | ({ readonly kind: "put"; readonly table: TableKey; readonly item: Item; readonly condition?: string } & Expressions & {
    readonly returnItemOnConditionFailure?: boolean
  })
  | ({
    readonly kind: "update"
    readonly table: TableKey
    readonly key: Key
    readonly update: string
    readonly condition?: string
  } & Expressions & { readonly returnItemOnConditionFailure?: boolean })
  | ({ readonly kind: "delete"; readonly table: TableKey; readonly key: Key; readonly condition?: string } & Expressions & {
    readonly returnItemOnConditionFailure?: boolean
  })
  | ({ readonly kind: "conditionCheck"; readonly table: TableKey; readonly key: Key; readonly condition: string } & Expressions & {
    readonly returnItemOnConditionFailure?: boolean
  })

export interface BatchWrite {
  readonly puts?: ReadonlyArray<Item>
  readonly deletes?: ReadonlyArray<Key>
}

export interface DynamoClientShape {
  /** The SDK clients, for what the operations below do not cover (table setup). */
  readonly document: DynamoDBDocumentClient
  readonly raw: DynamoDBClient
  readonly tablePrefix: string
  readonly tableName: (table: TableKey) => string
  readonly get: (table: TableKey, key: Key, options?: GetOptions) => Effect.Effect<Option.Option<Item>, DynamoError>
  readonly put: (table: TableKey, item: Item, options?: PutOptions) => Effect.Effect<void, DynamoError>
  /** Answers the attributes asked for by returnValues (ALL_NEW by default); None for NONE. */
  readonly update: (table: TableKey, key: Key, options: UpdateOptions) => Effect.Effect<Option.Option<Item>, DynamoError>
  /** Answers the deleted item when returnOld and it existed. */
  readonly delete: (table: TableKey, key: Key, options?: DeleteOptions) => Effect.Effect<Option.Option<Item>, DynamoError>
  readonly query: <T extends TableKey>(table: T, options: QueryOptions<T>) => Effect.Effect<QueryPage, DynamoError>
  /** Every page of a query (or the first `maxItems` items), following LastEvaluatedKey. */
  readonly queryAll: <T extends TableKey>(
    table: T,
    options: QueryOptions<T> & { readonly maxItems?: number }
  ) => Effect.Effect<ReadonlyArray<Item>, DynamoError>
  /** All or nothing, at most 100 actions on distinct items. A failed condition is ConditionFailed. */
  readonly transactWrite: (items: ReadonlyArray<TransactItem>) => Effect.Effect<void, DynamoError>
  /** The items of `keys` that exist, in no particular order (duplicate keys are read once). */
  readonly batchGet: (
    table: TableKey,
    keys: ReadonlyArray<Key>,
    options?: GetOptions
  ) => Effect.Effect<ReadonlyArray<Item>, DynamoError>
  /** Unconditional puts and deletes in chunks of 25, each retried until processed. */
  readonly batchWrite: (table: TableKey, writes: BatchWrite) => Effect.Effect<void, DynamoError>
}

/** A composite key value ("<userId>#<platform>"); a part that is empty or holds '#' is refused. */
export const compositeKey = (...parts: ReadonlyArray<string>): Effect.Effect<string, RequestRejected> => {
  const joined = joinKey(...parts)
  return Result.isSuccess(joined)
    ? Effect.succeed(joined.success)
    : Effect.fail(new RequestRejected({ operation: "compositeKey", message: joined.failure }))
}

/** Sleeps on a real timer (see the module comment), interruptibly. */
const sleepReal = (millis: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/** Full-jitter exponential backoff: 0..min(1 s, 25 ms · 2^attempt). Jitter needs no determinism. */
const backoff = (attempt: number): number => Math.floor(Math.random() * Math.min(1_000, 25 * 2 ** attempt))

const MAX_TRANSACT_ITEMS = 100
const BATCH_GET_CHUNK = 100
const BATCH_WRITE_CHUNK = 25

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

/** A key's identity for de-duplication: its key attribute values in key order. */
const keyIdentity = (table: TableKey, key: Readonly<Record<string, unknown>>): string =>
  JSON.stringify(keyAttributes(table).map((a) => key[a.name]))

const keyOf = (table: TableKey, item: Item): Key => {
  const key: Record<string, string | number> = {}
  for (const attribute of keyAttributes(table)) key[attribute.name] = item[attribute.name] as string | number
  return key
}

/** A request's condition and, when asked, the stored item on its failure (ReturnValuesOnConditionCheckFailure). */
const conditionParameters = (options: { readonly condition?: string; readonly returnItemOnConditionFailure?: boolean }) => ({
  ...(options.condition === undefined ? {} : { ConditionExpression: options.condition }),
  ...(options.returnItemOnConditionFailure === true ? { ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } : {})
})

export const make = (settings: DynamoSettings): Effect.Effect<DynamoClientShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = settings.tablePrefix
    const maxConflictRetries = settings.maxConflictRetries ?? defaults.maxConflictRetries
    const raw = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new DynamoDBClient({
          region: settings.region,
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
          ...(settings.credentials === undefined ? {} : { credentials: { ...settings.credentials } }),
          maxAttempts: settings.maxAttempts ?? defaults.maxAttempts,
          requestHandler: {
            requestTimeout: settings.requestTimeoutMs ?? defaults.requestTimeoutMs,
            connectionTimeout: settings.connectTimeoutMs ?? defaults.connectTimeoutMs,
            // Without it the handler only logs a warning when the timeout passes.
            throwOnRequestTimeout: true
          }
        })
      ),
      (client) => Effect.sync(() => client.destroy())
    )
    if (settings.recorder !== undefined) CommandRecorder.attach(raw, settings.recorder, prefix)
    const document = DynamoDBDocumentClient.from(raw, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true }
    })
    const tableName = (table: TableKey) => physicalName(prefix, table)

    const reject = (operation: string, message: string) => Effect.fail(new RequestRejected({ operation, message }))

    /** One SDK call, retried while it is a transaction that lost a race, classified on failure. */
    const call = <O>(operation: string, run: (signal: AbortSignal) => Promise<O>): Effect.Effect<O, DynamoError> => {
      const attempt = (n: number): Effect.Effect<O, DynamoError> =>
        Effect.tryPromise({ try: (signal) => run(signal), catch: (cause) => cause }).pipe(
          Effect.catch((cause) =>
            isTransientConflict(cause) && n < maxConflictRetries
              ? Effect.andThen(sleepReal(backoff(n)), attempt(n + 1))
              : Effect.fail(fromSdkError(operation, cause))
          )
        )
      return attempt(0).pipe(Effect.withSpan(`DynamoDB.${operation}`))
    }

    const expressions = (
      operation: string,
      parts: ReadonlyArray<string | undefined>,
      options: Expressions
    ): Effect.Effect<{ ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> }, RequestRejected> => {
      const resolved = Expression.resolve(parts, options.names, options.values)
      if (Result.isFailure(resolved)) return Effect.fail(new RequestRejected({ operation, message: resolved.failure }))
      const { names, values } = resolved.success
      return Effect.succeed({
        ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
        ...(values === undefined ? {} : { ExpressionAttributeValues: values })
      })
    }

    const guardKey = (operation: string, table: TableKey, key: Key) => {
      const problem = checkKey(table, key)
      return problem === undefined ? Effect.void : reject(operation, problem)
    }
    const guardItem = (operation: string, table: TableKey, item: Item) => {
      const problem = checkItem(table, item)
      return problem === undefined ? Effect.void : reject(operation, problem)
    }

    const get: DynamoClientShape["get"] = (table, key, options = {}) =>
      Effect.gen(function*() {
        const operation = `GetItem ${table}`
        yield* guardKey(operation, table, key)
        const projection = Expression.projection(options.attributes ?? [])
        const expr = yield* expressions(operation, [projection], {})
        const output = yield* call(operation, (abortSignal) =>
          document.send(
            new GetCommand({
              TableName: tableName(table),
              Key: key,
              ConsistentRead: options.consistent ?? true,
              ...(projection === undefined ? {} : { ProjectionExpression: projection }),
              ...expr
            }),
            { abortSignal }
          ))
        return Option.fromUndefinedOr(output.Item)
      })

    const put: DynamoClientShape["put"] = (table, item, options = {}) =>
      Effect.gen(function*() {
        const operation = `PutItem ${table}`
        yield* guardItem(operation, table, item)
        const expr = yield* expressions(operation, [options.condition], options)
        yield* call(operation, (abortSignal) =>
          document.send(
            new PutCommand({
              TableName: tableName(table),
              Item: item,
              ...conditionParameters(options),
              ...expr
            }),
            { abortSignal }
          ))
      })

    const update: DynamoClientShape["update"] = (table, key, options) =>
      Effect.gen(function*() {
        const operation = `UpdateItem ${table}`
        yield* guardKey(operation, table, key)
        const expr = yield* expressions(operation, [options.update, options.condition], options)
        const size = itemSize(options.values ?? {})
        if (Result.isFailure(size)) return yield* reject(operation, size.failure)
        if (size.success > MAX_ITEM_BYTES) return yield* reject(operation, `values of ${size.success} bytes exceed the item limit`)
        const returnValues = options.returnValues ?? "ALL_NEW"
        const output = yield* call(operation, (abortSignal) =>
          document.send(
            new UpdateCommand({
              TableName: tableName(table),
              Key: key,
              UpdateExpression: options.update,
              ReturnValues: returnValues,
              ...conditionParameters(options),
              ...expr
            }),
            { abortSignal }
          ))
        return Option.fromUndefinedOr(output.Attributes)
      })

    const del: DynamoClientShape["delete"] = (table, key, options = {}) =>
      Effect.gen(function*() {
        const operation = `DeleteItem ${table}`
        yield* guardKey(operation, table, key)
        const expr = yield* expressions(operation, [options.condition], options)
        const output = yield* call(operation, (abortSignal) =>
          document.send(
            new DeleteCommand({
              TableName: tableName(table),
              Key: key,
              ...(options.returnOld === true ? { ReturnValues: "ALL_OLD" } : {}),
              ...conditionParameters(options),
              ...expr
            }),
            { abortSignal }
          ))
        return Option.fromUndefinedOr(output.Attributes)
      })

    const keyCondition = <T extends TableKey>(
      operation: string,
      table: T,
      options: QueryOptions<T>
    ): Effect.Effect<{ expression: string; values: Record<string, unknown> }, RequestRejected> => {
      const index = options.index === undefined ? undefined : indexOf(table, options.index)
      if (options.index !== undefined && index === undefined) {
        return Effect.fail(new RequestRejected({ operation, message: `${table} has no index ${options.index}` }))
      }
      const partitionKey = index?.partitionKey ?? definition(table).partitionKey
      const sortKey = index === undefined ? definition(table).sortKey : index.sortKey
      const bad = (message: string) => Effect.fail(new RequestRejected({ operation, message }))
      const wellFormed = (attribute: { name: string; type: "S" | "N" }, value: unknown) =>
        attribute.type === "S"
          ? typeof value === "string" && value.length > 0
          : typeof value === "number" && Number.isFinite(value)
      if (!wellFormed(partitionKey, options.partition)) return bad(`partition value of ${partitionKey.name} is malformed`)
      const values: Record<string, unknown> = { ":_pk": options.partition }
      let expression = `#${partitionKey.name} = :_pk`
      const range = options.range
      if (range !== undefined) {
        if (sortKey === undefined) return bad(`${table} ${options.index ?? ""} has no sort key`)
        const sk = `#${sortKey.name}`
        if (range.op === "between") {
          if (!wellFormed(sortKey, range.low) || !wellFormed(sortKey, range.high)) return bad("malformed range bounds")
          expression += ` AND ${sk} BETWEEN :_lo AND :_hi`
          values[":_lo"] = range.low
          values[":_hi"] = range.high
        } else if (range.op === "begins_with") {
          if (sortKey.type !== "S" || range.prefix.length === 0) return bad("begins_with needs a string sort key and prefix")
          expression += ` AND begins_with(${sk}, :_lo)`
          values[":_lo"] = range.prefix
        } else {
          if (!wellFormed(sortKey, range.value)) return bad("malformed range value")
          expression += ` AND ${sk} ${range.op} :_lo`
          values[":_lo"] = range.value
        }
      }
      return Effect.succeed({ expression, values })
    }

    const query = <T extends TableKey>(table: T, options: QueryOptions<T>): Effect.Effect<QueryPage, DynamoError> =>
      Effect.gen(function*() {
        const operation = `Query ${table}${options.index === undefined ? "" : `.${options.index}`}`
        const key = yield* keyCondition(operation, table, options)
        for (const placeholder of Object.keys(options.values ?? {})) {
          if (placeholder.startsWith(":_")) return yield* reject(operation, `value placeholders starting with :_ are reserved`)
        }
        if (options.startKey !== undefined) {
          const problem = checkStartKey(table, options.index, options.startKey)
          if (problem !== undefined) return yield* reject(operation, `start key ${problem}`)
        }
        if (options.index !== undefined && options.consistent === true) {
          return yield* reject(operation, "a GSI cannot be read consistently")
        }
        if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 1)) {
          return yield* reject(operation, "limit must be a positive integer")
        }
        const projection = Expression.projection(options.attributes ?? [])
        const expr = yield* expressions(operation, [key.expression, options.filter, projection], {
          ...options,
          values: { ...options.values, ...key.values }
        })
        const output = yield* call(operation, (abortSignal) =>
          document.send(
            new QueryCommand({
              TableName: tableName(table),
              ...(options.index === undefined ? {} : { IndexName: options.index }),
              KeyConditionExpression: key.expression,
              ...(options.filter === undefined ? {} : { FilterExpression: options.filter }),
              ...(projection === undefined ? {} : { ProjectionExpression: projection }),
              ...(options.limit === undefined ? {} : { Limit: options.limit }),
              ScanIndexForward: options.forward ?? true,
              ConsistentRead: options.consistent ?? options.index === undefined,
              ...(options.startKey === undefined ? {} : { ExclusiveStartKey: { ...options.startKey } }),
              ...expr
            }),
            { abortSignal }
          ))
        return {
          items: output.Items ?? [],
          lastKey: Option.fromUndefinedOr(output.LastEvaluatedKey as StartKey | undefined)
        }
      })

    const queryAll: DynamoClientShape["queryAll"] = (table, options) =>
      Effect.gen(function*() {
        const items: Array<Item> = []
        let startKey = options.startKey
        const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY
        while (items.length < maxItems) {
          const page = yield* query(table, { ...options, ...(startKey === undefined ? {} : { startKey }) })
          items.push(...page.items)
          if (Option.isNone(page.lastKey)) break
          startKey = page.lastKey.value
        }
        return items.length > maxItems ? items.slice(0, maxItems) : items
      })

    const transactWrite: DynamoClientShape["transactWrite"] = (items) =>
      Effect.gen(function*() {
        const tables = Array.from(new Set(items.map((i) => i.table))).join(",")
        const operation = `TransactWriteItems ${tables}`
        if (items.length === 0) return
        if (items.length > MAX_TRANSACT_ITEMS) return yield* reject(operation, `more than ${MAX_TRANSACT_ITEMS} actions`)
        const seen = new Set<string>()
        const actions: Array<Record<string, unknown>> = []
        for (const item of items) {
          const key = item.kind === "put" ? keyOf(item.table, item.item) : item.key
          if (item.kind === "put") yield* guardItem(operation, item.table, item.item)
          else yield* guardKey(operation, item.table, item.key)
          const identity = `${item.table}:${keyIdentity(item.table, key)}`
          if (seen.has(identity)) return yield* reject(operation, `two actions on one item of ${item.table}`)
          seen.add(identity)
          const expr = yield* expressions(
            operation,
            [item.condition, item.kind === "update" ? item.update : undefined],
            item
          )
          const common = {
            TableName: tableName(item.table),
            ...conditionParameters(item),
            ...expr
          }
          switch (item.kind) {
            case "put":
              actions.push({ Put: { ...common, Item: item.item } })
              break
            case "update":
              actions.push({ Update: { ...common, Key: item.key, UpdateExpression: item.update } })
              break
            case "delete":
              actions.push({ Delete: { ...common, Key: item.key } })
              break
            case "conditionCheck":
              actions.push({ ConditionCheck: { ...common, Key: item.key } })
              break
          }
        }
        yield* call(operation, (abortSignal) =>
          document.send(
            new TransactWriteCommand({ TransactItems: actions as never }),
            { abortSignal }
          ))
      })

    const unprocessedLeft = (operation: string) =>
      new StoreFailed({
        operation,
        reason: new Unavailable({ message: `${operation}: items still unprocessed after ${maxConflictRetries} retries` })
      })

    /**
     * A batch's requests in chunks of `size`: each chunk is sent, then what came back unprocessed
     * is sent again after a backoff until nothing is left — Unavailable after maxConflictRetries rounds.
     */
    const untilProcessed = (
      operation: string,
      requests: ReadonlyArray<Record<string, unknown>>,
      size: number,
      send: (pending: ReadonlyArray<Record<string, unknown>>) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, DynamoError>
    ): Effect.Effect<void, DynamoError> =>
      Effect.gen(function*() {
        for (const chunk of chunksOf(requests, size)) {
          let pending = chunk
          for (let round = 0; pending.length > 0; round++) {
            if (round > maxConflictRetries) return yield* Effect.fail(unprocessedLeft(operation))
            if (round > 0) yield* sleepReal(backoff(round))
            pending = yield* send(pending)
          }
        }
      })

    const batchGet: DynamoClientShape["batchGet"] = (table, keys, options = {}) =>
      Effect.gen(function*() {
        const operation = `BatchGetItem ${table}`
        const unique = new Map<string, Key>()
        for (const key of keys) {
          yield* guardKey(operation, table, key)
          unique.set(keyIdentity(table, key), key)
        }
        if (unique.size === 0) return []
        const projection = Expression.projection(options.attributes ?? [])
        const expr = yield* expressions(operation, [projection], {})
        const name = tableName(table)
        const found: Array<Item> = []
        yield* untilProcessed(operation, Array.from(unique.values()), BATCH_GET_CHUNK, (keysNow) =>
          call(operation, (abortSignal) =>
            document.send(
              new BatchGetCommand({
                RequestItems: {
                  [name]: {
                    Keys: [...keysNow],
                    ConsistentRead: options.consistent ?? true,
                    ...(projection === undefined ? {} : { ProjectionExpression: projection }),
                    ...(expr.ExpressionAttributeNames === undefined ? {} : { ExpressionAttributeNames: expr.ExpressionAttributeNames })
                  }
                }
              }),
              { abortSignal }
            )).pipe(Effect.map((output) => {
              found.push(...(output.Responses?.[name] ?? []))
              return output.UnprocessedKeys?.[name]?.Keys ?? []
            })))
        return found
      })

    const batchWrite: DynamoClientShape["batchWrite"] = (table, writes) =>
      Effect.gen(function*() {
        const operation = `BatchWriteItem ${table}`
        const requests: Array<Record<string, unknown>> = []
        const seen = new Set<string>()
        const once = (key: Readonly<Record<string, unknown>>) => {
          const identity = keyIdentity(table, key)
          if (seen.has(identity)) return false
          seen.add(identity)
          return true
        }
        for (const item of writes.puts ?? []) {
          yield* guardItem(operation, table, item)
          if (!once(item)) return yield* reject(operation, "two writes of one item in a batch")
          requests.push({ PutRequest: { Item: item } })
        }
        for (const key of writes.deletes ?? []) {
          yield* guardKey(operation, table, key)
          if (!once(key)) return yield* reject(operation, "two writes of one item in a batch")
          requests.push({ DeleteRequest: { Key: key } })
        }
        const name = tableName(table)
        yield* untilProcessed(operation, requests, BATCH_WRITE_CHUNK, (requestsNow) =>
          call(operation, (abortSignal) =>
            document.send(new BatchWriteCommand({ RequestItems: { [name]: [...requestsNow] as never } }), { abortSignal })).pipe(
              Effect.map((output) => (output.UnprocessedItems?.[name] ?? []) as ReadonlyArray<Record<string, unknown>>)
            ))
      })

    return {
      document,
      raw,
      tablePrefix: prefix,
      tableName,
      get,
      put,
      update,
      delete: del,
      query,
      queryAll,
      transactWrite,
      batchGet,
      batchWrite
    } satisfies DynamoClientShape
  })

/** DYNAMODB_ENDPOINT (optional), AWS_REGION, DYNAMODB_TABLE_PREFIX (default "sivera-"), … */
export const settingsConfig: Config.Config<DynamoSettings> = Config.all({
  region: Config.String("AWS_REGION"),
  endpoint: Config.option(Config.String("DYNAMODB_ENDPOINT")),
  tablePrefix: Config.String("DYNAMODB_TABLE_PREFIX").pipe(Config.withDefault(defaults.tablePrefix)),
  requestTimeoutMs: Config.Int("DYNAMODB_REQUEST_TIMEOUT_MS").pipe(Config.withDefault(defaults.requestTimeoutMs)),
  maxAttempts: Config.Int("DYNAMODB_MAX_ATTEMPTS").pipe(Config.withDefault(defaults.maxAttempts)),
  connectTimeoutMs: Config.Int("DYNAMODB_CONNECT_TIMEOUT_MS").pipe(Config.withDefault(defaults.connectTimeoutMs)),
  maxConflictRetries: Config.Int("DYNAMODB_MAX_CONFLICT_RETRIES").pipe(Config.withDefault(defaults.maxConflictRetries))
}).pipe(
  Config.map(({ endpoint, ...rest }): DynamoSettings => ({ ...rest, endpoint: Option.getOrUndefined(endpoint) }))
)

export class DynamoClient extends Context.Service<DynamoClient, DynamoClientShape>()(
  "@app/adapters-aws/dynamodb/DynamoClient"
) {
  /** A client for explicit settings, destroyed with the layer. */
  static readonly layer = (settings: DynamoSettings): Layer.Layer<DynamoClient> =>
    Layer.effect(DynamoClient, Effect.map(make(settings), DynamoClient.of))

  /**
   * A client from the environment: AWS_REGION (required), DYNAMODB_ENDPOINT (DynamoDB Local,
   * LocalStack; absent for AWS), DYNAMODB_TABLE_PREFIX (default "sivera-"),
   * DYNAMODB_REQUEST_TIMEOUT_MS (3000), DYNAMODB_MAX_ATTEMPTS (3), DYNAMODB_CONNECT_TIMEOUT_MS (1000),
   * DYNAMODB_MAX_CONFLICT_RETRIES (8). Credentials: the SDK's chain.
   */
  static readonly layerConfig: Layer.Layer<DynamoClient, Config.ConfigError> = Layer.effect(
    DynamoClient,
    Effect.gen(function*() {
      const settings = yield* settingsConfig
      return DynamoClient.of(yield* make(settings))
    })
  )
}
