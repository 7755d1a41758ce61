/**
 * Test databases: each layer built here works in a schema of its own on the real server
 * (DATABASE_URL, default the local `test` database), migrated from scratch and dropped when the
 * layer is released, so test files and repeated runs never see each other's rows. PGlite layers
 * share one in-memory database per test file (opening one costs seconds).
 */
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import pg from "pg"
import { migrate } from "../../src/postgres/Migrations.js"
import * as PgPool from "../../src/postgres/PgPool.js"
import * as Pglite from "../../src/postgres/Pglite.js"
import { type Sql, SqlClient } from "../../src/postgres/SqlClient.js"

export const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

export const freshSchemaName = (label = "t") =>
  `${label}_${process.pid}_${Math.floor(Math.random() * 0xffffffff).toString(36)}`

const admin = <A>(f: (client: pg.Client) => Promise<A>) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      return await f(client)
    } finally {
      await client.end()
    }
  })

/** Creates `schema` now and drops it (with everything in it) when the scope closes. */
export const scopedSchema = (schema: string) =>
  Effect.acquireRelease(
    admin((client) => client.query(`CREATE SCHEMA "${schema}"`)),
    () => admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
  )

export interface PostgresTestOptions {
  /** Overrides the connection (e.g. through a TCP proxy); the schema is still created directly. */
  readonly connectionString?: string
  readonly queryTimeoutMillis?: number
  readonly connectTimeoutMillis?: number
  readonly maxConnections?: number
  /** Run migrations (default true). */
  readonly migrate?: boolean
}

/** A migrated SqlClient in a fresh schema of the real Postgres server. */
export const layer = (options: PostgresTestOptions = {}): Layer.Layer<SqlClient> =>
  Layer.effect(
    SqlClient,
    Effect.gen(function*() {
      const schema = freshSchemaName()
      yield* scopedSchema(schema)
      const sql = yield* PgPool.make({
        connectionString: Redacted.make(options.connectionString ?? databaseUrl),
        schema,
        queryTimeoutMillis: options.queryTimeoutMillis ?? 15_000,
        connectTimeoutMillis: options.connectTimeoutMillis ?? 5_000,
        maxConnections: options.maxConnections ?? 10
      })
      if (options.migrate !== false) yield* Effect.orDie(migrate().pipe(Effect.provideService(SqlClient, sql)))
      return sql
    })
  )

let sharedPglite: Promise<Sql> | undefined

/**
 * A migrated SqlClient on one in-memory PGlite shared by every layer of the current test file
 * (closed after the file). Suites sharing it never collide: contract suites draw every id from a
 * fresh scope.
 */
export const layerPglite: Layer.Layer<SqlClient> = Layer.effect(
  SqlClient,
  Effect.promise(() => {
    sharedPglite ??= (async () => {
      const db = await Pglite.create({})
      afterAll(() => db.close())
      const sql = await Effect.runPromise(Pglite.fromDatabase(db))
      await Effect.runPromise(migrate().pipe(Effect.provideService(SqlClient, sql)))
      return sql
    })()
    return sharedPglite
  })
)

/**
 * Opens this file's PGlite (WASM start-up and migrations) once up front, in a `beforeAll` with a
 * minute to spare: opened by the first suite's layer instead, it can outlast that layer's hook
 * timeout when other files run alongside.
 */
export const openPgliteBeforeAll = (): void =>
  beforeAll(() => Effect.runPromise(Effect.scoped(Layer.build(layerPglite))), 60_000)

/**
 * The real server (a fresh schema, `options`) and this file's PGlite, named, for suites that run
 * the same tests on both: races run truly parallel on the server's pool and serialised on PGlite's
 * one connection.
 */
export const backends = (
  options: PostgresTestOptions = {}
): ReadonlyArray<readonly [name: "postgres" | "pglite", layer: Layer.Layer<SqlClient>]> => [
  ["postgres", layer(options)],
  ["pglite", layerPglite]
]
