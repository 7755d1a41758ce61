/**
 * SqlClient on a PostgreSQL server through a pg pool. Every query is bounded: a connect timeout,
 * a client-side query timeout and a server-side statement timeout, with an Effect deadline
 * behind them wherever pg's own might not settle (see `boundedStatement`), so a database that
 * is down or unreachable fails fast with a retryable error instead of hanging, and the pool
 * reconnects by itself when it comes back.
 */
import { Config, Effect, Exit, Layer, Option, Redacted } from "effect"
import pg from "pg"
import { type Row, type Sql, SqlClient, type TransactionOptions } from "./SqlClient.js"
import { fromCause, isTransactionConflict, SqlError, timedOut } from "./SqlError.js"

export interface PgPoolConfig {
  readonly connectionString: Redacted.Redacted<string>
  /** Schema to work in (search_path); the server's default when absent. */
  readonly schema?: string | undefined
  readonly maxConnections?: number | undefined
  readonly connectTimeoutMillis?: number | undefined
  readonly queryTimeoutMillis?: number | undefined
  readonly applicationName?: string | undefined
}

const INT8_OID = 20
/** int8 columns hold epoch millis and counts, all well inside 2^53: read them as numbers. */
const typeParsers = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")
} as unknown as pg.CustomTypesConfig

const quoteIdent = (name: string) => `"${name.replaceAll("\"", "\"\"")}"`

const SERIALIZATION_RETRIES = 8

export const make = (config: PgPoolConfig) =>
  Effect.gen(function*() {
    const connectTimeout = config.connectTimeoutMillis ?? 5_000
    const queryTimeout = config.queryTimeoutMillis ?? 10_000
    const deadline = connectTimeout + queryTimeout + 250
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const created = new pg.Pool({
          connectionString: Redacted.value(config.connectionString),
          max: config.maxConnections ?? 10,
          connectionTimeoutMillis: connectTimeout,
          query_timeout: queryTimeout,
          statement_timeout: queryTimeout,
          idle_in_transaction_session_timeout: queryTimeout * 2,
          keepAlive: true,
          application_name: config.applicationName ?? "app",
          types: typeParsers,
          ...(config.schema === undefined ? {} : { options: `-c search_path=${quoteIdent(config.schema)}` })
        })
        // An idle client whose server went away emits here; the pool drops it and the next query
        // reconnects. Without a listener the process would crash.
        created.on("error", () => {})
        return created
      }),
      (pool) => Effect.promise(() => pool.end().catch(() => undefined))
    )

    const bounded = <A>(effect: Effect.Effect<A, SqlError>): Effect.Effect<A, SqlError> =>
      Effect.timeoutOrElse(effect, { duration: deadline, orElse: () => Effect.fail(timedOut(deadline)) })
    /**
     * A single statement needs no Effect deadline when both pg timeouts are on: pg-pool fails a
     * `connect` after connectTimeout whether it waits in the queue or opens a connection (up to
     * ReadyForQuery), and the client fails a query after query_timeout by itself, so the promise
     * always settles. The race costs a fiber and a timer per query on the busiest path.
     */
    const boundedStatement: <A>(effect: Effect.Effect<A, SqlError>) => Effect.Effect<A, SqlError> =
      connectTimeout > 0 && queryTimeout > 0 ? (effect) => effect : bounded

    const run = <R extends Row>(queryable: pg.PoolClient, text: string, params?: ReadonlyArray<unknown>) =>
      bounded(
        Effect.tryPromise({
          try: (): Promise<pg.QueryResult<R>> => queryable.query<R>(text, params === undefined ? undefined : [...params]),
          catch: fromCause
        })
      ).pipe(Effect.map((result): ReadonlyArray<R> => result.rows))

    /**
     * One statement on a pooled connection. Unlike `pool.query`, which destroys the connection on
     * any error, a connection that answered with a server error (a unique violation behind an
     * idempotent retry, say) goes back to the pool; only a connection-level failure drops it.
     */
    const runPooled = <R extends Row>(text: string, params?: ReadonlyArray<unknown>) =>
      boundedStatement(
        Effect.tryPromise({
          try: async (): Promise<pg.QueryResult<R>> => {
            const client = await pool.connect()
            const onError = () => {}
            client.on("error", onError)
            try {
              const result = await client.query<R>(text, params === undefined ? undefined : [...params])
              client.off("error", onError)
              client.release()
              return result
            } catch (error) {
              client.off("error", onError)
              client.release(fromCause(error).code === undefined ? (error as Error) : undefined)
              throw error
            }
          },
          catch: fromCause
        })
      ).pipe(Effect.map((result): ReadonlyArray<R> => result.rows))

    const inTransaction = (client: pg.PoolClient): Sql => {
      const sql: Sql = {
        query: (text, params) => run(client, text, params),
        script: (text) => Effect.asVoid(run(client, text)),
        transaction: (body) => body(sql)
      }
      return sql
    }

    const once = <A, E, R>(body: (sql: Sql) => Effect.Effect<A, E, R>, options: TransactionOptions | undefined) =>
      Effect.acquireUseRelease(
        bounded(Effect.tryPromise({ try: () => pool.connect(), catch: fromCause })).pipe(
          Effect.map((client) => {
            // pg-pool listens for a client's "error" only while it is idle. A checked-out client
            // whose connection drops emits one too (its query in flight fails on its own), and
            // without a listener the process would crash.
            const onError = () => {}
            client.on("error", onError)
            return { client, onError, healthy: false }
          })
        ),
        (held) => {
          const sql = inTransaction(held.client)
          const begin = options?.isolation === "serializable" ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN"
          return sql.query(begin).pipe(
            Effect.andThen(body(sql)),
            Effect.tap(() => sql.query("COMMIT")),
            Effect.tap(() => Effect.sync(() => (held.healthy = true))),
            Effect.onError(() =>
              sql.query("ROLLBACK").pipe(
                Effect.tap(() => Effect.sync(() => (held.healthy = true))),
                Effect.ignore
              )
            )
          )
        },
        // A connection whose transaction state is unknown (interrupted, rollback failed) is
        // destroyed rather than returned to the pool.
        (held, exit) =>
          Effect.sync(() => {
            held.client.off("error", held.onError)
            held.client.release(Exit.isSuccess(exit) || held.healthy ? undefined : true)
          })
      )

    const sql: Sql = {
      query: (text, params) => runPooled(text, params),
      script: (text) => Effect.asVoid(runPooled(text)),
      transaction: (body, options) =>
        once(body, options).pipe(
          // Retried at once: the conflicting transaction has already been rolled back by then, and
          // a sleep here would run on the caller's Clock (frozen under TestClock in tests).
          Effect.retry({
            while: (error) => error instanceof SqlError && isTransactionConflict(error),
            times: SERIALIZATION_RETRIES
          })
        )
    }
    return sql
  })

export const layer = (config: PgPoolConfig): Layer.Layer<SqlClient> => Layer.effect(SqlClient, make(config))

/** DATABASE_URL (default the local server's `test` database), DATABASE_SCHEMA, DATABASE_POOL_MAX, DATABASE_TIMEOUT_MS. */
export const config: Config.Config<PgPoolConfig> = Config.all({
  connectionString: Config.Redacted("DATABASE_URL").pipe(
    Config.withDefault(Redacted.make("postgres://postgres@127.0.0.1:5432/test"))
  ),
  schema: Config.option(Config.String("DATABASE_SCHEMA")).pipe(Config.map(Option.getOrUndefined)),
  maxConnections: Config.Int("DATABASE_POOL_MAX").pipe(Config.withDefault(10)),
  queryTimeoutMillis: Config.Int("DATABASE_TIMEOUT_MS").pipe(Config.withDefault(10_000)),
  connectTimeoutMillis: Config.Int("DATABASE_CONNECT_TIMEOUT_MS").pipe(Config.withDefault(5_000))
})

export const layerConfig: Layer.Layer<SqlClient, Config.ConfigError> = Layer.effect(
  SqlClient,
  Effect.flatMap(config, make)
)
