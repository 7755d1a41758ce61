/**
 * The databases the benchmarks write to: a fresh schema of the real Postgres server (DATABASE_URL,
 * default the local `test` database), migrated with the product's migrations and dropped when the
 * scope closes, and an in-memory PGlite migrated the same way. The server side also hands out plain
 * pg clients in that schema, because the floor the adapters are measured against (COPY) is not
 * something the SqlClient port offers.
 */
import { Effect, Redacted } from "effect"
import pg from "pg"
import { migrate } from "../src/postgres/Migrations.js"
import * as PgPool from "../src/postgres/PgPool.js"
import * as Pglite from "../src/postgres/Pglite.js"
import { SqlClient } from "../src/postgres/SqlClient.js"
import { databaseUrl, freshSchemaName, scopedSchema } from "../test/support/PostgresTest.js"

const quoteIdent = (name: string) => `"${name.replaceAll("\"", "\"\"")}"`

/** Bulk loads and contended appends run longer than a request; the pool's 10 s default would cut them off. */
const QUERY_TIMEOUT_MILLIS = 120_000

/** A migrated schema of its own on the server, with a pg pool of `maxConnections` working in it. */
export const server = (options: { readonly maxConnections: number }) =>
  Effect.gen(function*() {
    const schema = freshSchemaName("bench")
    yield* scopedSchema(schema)
    const sql = yield* PgPool.make({
      connectionString: Redacted.make(databaseUrl),
      schema,
      maxConnections: options.maxConnections,
      queryTimeoutMillis: QUERY_TIMEOUT_MILLIS,
      applicationName: "bench"
    })
    yield* Effect.orDie(migrate().pipe(Effect.provideService(SqlClient, sql)))

    /** A plain pg client in the schema, closed with the scope (before the schema is dropped). */
    const client = Effect.acquireRelease(
      Effect.promise(async () => {
        const created = new pg.Client({
          connectionString: databaseUrl,
          application_name: "bench-copy",
          options: `-c search_path=${quoteIdent(schema)}`
        })
        await created.connect()
        return created
      }),
      (client) => Effect.promise(() => client.end().catch(() => undefined))
    )
    return { schema, sql, client }
  })

/** An in-memory PGlite, migrated; closed with the scope. */
export const pglite = Effect.gen(function*() {
  const db = yield* Effect.orDie(Pglite.open({}))
  const sql = yield* Pglite.fromDatabase(db)
  yield* Effect.orDie(migrate().pipe(Effect.provideService(SqlClient, sql)))
  return { db, sql }
})
