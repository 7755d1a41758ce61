/**
 * SqlClient on PGlite — real Postgres compiled to WASM, in this process, with its data directory
 * on disk (or in memory) — so the product runs on a fresh machine with no database server, on
 * the same SQL and migrations as the server build. PGlite is one backend: queries are serialised
 * here, and a transaction holds the connection until it ends. For a single instance only.
 */
import { PGlite, types } from "@electric-sql/pglite"
import { Config, Effect, Layer, Option, Semaphore } from "effect"
import { type Row, type Sql, SqlClient } from "./SqlClient.js"
import { fromCause, type SqlError } from "./SqlError.js"

export interface PgliteConfig {
  /** Directory of the database files; in memory when absent (tests). */
  readonly dataDir?: string | undefined
}

/** Opens a PGlite database configured as this package expects (int8 read as numbers). */
export const create = (config: PgliteConfig): Promise<PGlite> =>
  PGlite.create({
    ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
    parsers: { [types.INT8]: (value: string) => Number(value) }
  })

/** Opens PGlite; closed when the scope closes. */
export const open = (config: PgliteConfig) =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => create(config), catch: fromCause }),
    (db) => Effect.promise(() => db.close().catch(() => undefined))
  )

/** A SqlClient over an open PGlite (shared, for example, by the tests of one file). */
export const fromDatabase = (db: PGlite) =>
  Effect.gen(function*() {
    const connection = yield* Semaphore.make(1)
    const direct = <R extends Row>(text: string, params?: ReadonlyArray<unknown>) =>
      Effect.tryPromise({
        try: () => db.query<R>(text, params as Array<unknown> | undefined),
        catch: fromCause
      }).pipe(Effect.map((result) => result.rows as ReadonlyArray<R>))

    const script = (text: string) => Effect.asVoid(Effect.tryPromise({ try: () => db.exec(text), catch: fromCause }))
    const inTransaction: Sql = {
      query: direct,
      script,
      transaction: (body) => body(inTransaction)
    }
    const sql: Sql = {
      query: (text, params) => connection.withPermit(direct(text, params)),
      script: (text) => connection.withPermit(script(text)),
      // One backend, so every transaction is already serial: the isolation option changes nothing.
      transaction: (body) =>
        connection.withPermit(
          direct("BEGIN").pipe(
            Effect.andThen(body(inTransaction)),
            Effect.tap(() => direct("COMMIT")),
            Effect.onError(() => Effect.ignore(direct("ROLLBACK")))
          )
        )
    }
    return sql
  })

export const layer = (config: PgliteConfig): Layer.Layer<SqlClient, SqlError> =>
  Layer.effect(SqlClient, Effect.flatMap(open(config), fromDatabase))

/** PGLITE_DATA_DIR (default `.data/pglite` under the working directory). */
export const config: Config.Config<PgliteConfig> = Config.all({
  dataDir: Config.option(Config.String("PGLITE_DATA_DIR")).pipe(
    Config.map((dir) => Option.getOrElse(dir, () => ".data/pglite"))
  )
})
