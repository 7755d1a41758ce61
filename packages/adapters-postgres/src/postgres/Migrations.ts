/**
 * Forward-only schema migrations, recorded in `schema_migrations`. Applying them is one
 * transaction under an advisory lock scoped to the current schema, so running twice is a no-op and
 * two processes starting at once apply each migration exactly once. The same list runs on a
 * Postgres server and on PGlite.
 */
import { Effect } from "effect"
import { migrations as all } from "./migrations/index.js"
import { SqlClient } from "./SqlClient.js"

export interface Migration {
  readonly id: number
  readonly name: string
  readonly sql: string
}

export interface MigrationReport {
  readonly applied: ReadonlyArray<string>
  readonly alreadyApplied: number
}

export const migrations: ReadonlyArray<Migration> = all

/** Applies every migration of `list` not yet recorded, in id order. */
export const migrate = (list: ReadonlyArray<Migration> = migrations) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    return yield* sql.transaction((tx) =>
      Effect.gen(function*() {
        yield* tx.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':schema_migrations'))")
        yield* tx.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             id integer PRIMARY KEY,
             name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
           )`
        )
        const done = new Set(
          (yield* tx.query<{ id: number }>("SELECT id FROM schema_migrations")).map((row) => row.id)
        )
        const applied: Array<string> = []
        for (const migration of [...list].sort((a, b) => a.id - b.id)) {
          if (done.has(migration.id)) continue
          yield* tx.script(migration.sql)
          yield* tx.query("INSERT INTO schema_migrations (id, name) VALUES ($1, $2)", [migration.id, migration.name])
          applied.push(`${String(migration.id).padStart(3, "0")}_${migration.name}`)
        }
        return { applied, alreadyApplied: done.size } satisfies MigrationReport
      })
    )
  }).pipe(Effect.withSpan("Migrations.migrate"))
