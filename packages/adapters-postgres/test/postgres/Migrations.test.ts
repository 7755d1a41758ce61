/**
 * Migrations on a real server and on PGlite: a fresh schema gets every migration once, a second
 * run is a no-op, migrators started at once (in one process on separate pools, and as separate
 * processes running the command) apply each migration exactly once, and a failing migration
 * leaves nothing behind. Every server test works in schemas of its own, dropped at the end.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { main } from "../../src/postgres/MigrateCommand.js"
import { type Migration, migrate, migrations } from "../../src/postgres/Migrations.js"
import * as PgPool from "../../src/postgres/PgPool.js"
import * as Pglite from "../../src/postgres/Pglite.js"
import { type Sql, SqlClient } from "../../src/postgres/SqlClient.js"
import { SqlError } from "../../src/postgres/SqlError.js"
import { databaseUrl, freshSchemaName, scopedSchema } from "../support/PostgresTest.js"

const commandSource = fileURLToPath(new URL("../../src/postgres/MigrateCommand.ts", import.meta.url))
const sourceHooks = new URL("../support/SourceHooks.ts", import.meta.url).href

const nameOf = (migration: Migration) => `${String(migration.id).padStart(3, "0")}_${migration.name}`
const allNames = [...migrations].sort((a, b) => a.id - b.id).map(nameOf)

/** A pool of its own on `schema` (closed with the scope): separate pools are separate migrators. */
const poolOn = (schema: string) =>
  PgPool.make({ connectionString: Redacted.make(databaseUrl), schema, maxConnections: 2, applicationName: "migrations-test" })

const migrateOn = (sql: Sql, list?: ReadonlyArray<Migration>) =>
  migrate(list).pipe(Effect.provideService(SqlClient, sql))

const recorded = (sql: Sql) =>
  sql.query<{ id: number; name: string }>("SELECT id, name FROM schema_migrations ORDER BY id").pipe(
    Effect.map((rows) => rows.map((row) => `${String(row.id).padStart(3, "0")}_${row.name}`))
  )

/** Whether a table exists in the current schema (to_regclass follows search_path). */
const tableExists = (sql: Sql, table: string) =>
  sql.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [table]).pipe(
    Effect.map((rows) => rows[0]?.found !== null && rows[0]?.found !== undefined)
  )

/** A schema name that does not exist yet, dropped (if something created it) when the scope closes. */
const missingSchema = (label: string) => {
  const schema = freshSchemaName(label)
  return Effect.as(
    Effect.addFinalizer(() =>
      Effect.promise(async () => {
        const client = new pg.Client({ connectionString: databaseUrl })
        await client.connect()
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        } finally {
          await client.end()
        }
      })
    ),
    schema
  )
}

interface CommandRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the migration command from source in a child process, as `app-migrate` would run. */
const runCommand = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.callback<CommandRun>((resume) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@app/source", "--import", sourceHooks, commandSource, ...args],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const appliedBy = (run: CommandRun) =>
  run.stdout.split("\n").filter((line) => line.startsWith("applied ")).map((line) => line.slice("applied ".length))

/** A list whose last migration fails half-way: its first statement succeeds, then a division by zero. */
const failingList: ReadonlyArray<Migration> = [
  { id: 1, name: "first", sql: "CREATE TABLE mig_first (x integer)" },
  { id: 2, name: "second", sql: "CREATE TABLE mig_second (x integer); INSERT INTO mig_second VALUES (1)" },
  {
    id: 3,
    name: "broken",
    sql: "CREATE TABLE mig_partial (x integer); INSERT INTO mig_partial VALUES (1); SELECT 1 / 0"
  }
]

const expectRolledBack = (sql: Sql, list: ReadonlyArray<Migration>) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(migrateOn(sql, list))
    assert.instanceOf(error, SqlError)
    expect(error.code).toBe("22012")
    expect(error.reason._tag).toBe("Unexpected")
  })

/** The rollback checks, on any SqlClient whose current schema is empty. */
const failingMigrationLeavesNothing = (sql: Sql) =>
  Effect.gen(function*() {
    // Nothing applied yet: the failure takes schema_migrations itself with it.
    yield* expectRolledBack(sql, failingList)
    assert.isFalse(yield* tableExists(sql, "schema_migrations"))
    for (const table of ["mig_first", "mig_second", "mig_partial"]) assert.isFalse(yield* tableExists(sql, table))

    // With the first applied, the failing run records nothing more and leaves no table of its own.
    expect((yield* migrateOn(sql, failingList.slice(0, 1))).applied).toEqual(["001_first"])
    yield* expectRolledBack(sql, failingList)
    expect(yield* recorded(sql)).toEqual(["001_first"])
    assert.isTrue(yield* tableExists(sql, "mig_first"))
    assert.isFalse(yield* tableExists(sql, "mig_second"))
    assert.isFalse(yield* tableExists(sql, "mig_partial"))

    // Once fixed, the same ids apply.
    const fixed = [...failingList.slice(0, 2), { id: 3, name: "broken", sql: "CREATE TABLE mig_partial (x integer)" }]
    expect((yield* migrateOn(sql, fixed)).applied).toEqual(["002_second", "003_broken"])
    expect(yield* sql.query("SELECT x FROM mig_second")).toEqual([{ x: 1 }])
  })

describe("migrations on the Postgres server", () => {
  it.live("a fresh schema gets every migration, recorded in schema_migrations; a second run applies nothing", () =>
    Effect.gen(function*() {
      const schema = freshSchemaName("mig")
      yield* scopedSchema(schema)
      const sql = yield* poolOn(schema)
      const first = yield* migrateOn(sql)
      expect(first).toEqual({ applied: allNames, alreadyApplied: 0 })
      expect(yield* recorded(sql)).toEqual(allNames)
      assert.isTrue(yield* tableExists(sql, "users"))
      const second = yield* migrateOn(sql)
      expect(second).toEqual({ applied: [], alreadyApplied: allNames.length })
      expect(yield* recorded(sql)).toEqual(allNames)
    }), 60_000)

  it.live("migrators on separate pools started at once apply each migration exactly once", () =>
    Effect.gen(function*() {
      const schema = freshSchemaName("mig")
      yield* scopedSchema(schema)
      const pools = yield* Effect.all(Array.from({ length: 4 }, () => poolOn(schema)))
      const reports = yield* Effect.all(pools.map((sql) => migrateOn(sql)), { concurrency: "unbounded" })
      const applied = reports.flatMap((report) => report.applied)
      expect([...applied].sort()).toEqual(allNames)
      expect(reports.filter((report) => report.applied.length > 0)).toHaveLength(1)
      expect(yield* recorded(pools[0]!)).toEqual(allNames)
    }), 60_000)

  it.live("two migration commands started at once on one fresh schema apply each migration exactly once", () =>
    Effect.gen(function*() {
      const schema = freshSchemaName("mig")
      yield* scopedSchema(schema)
      const env = { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }
      const runs = yield* Effect.all([runCommand([], env), runCommand([], env)], { concurrency: "unbounded" })
      for (const run of runs) {
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.stdout).toMatch(/^done: /m)
      }
      expect(runs.flatMap(appliedBy).sort()).toEqual(allNames)
      const sql = yield* poolOn(schema)
      expect(yield* recorded(sql)).toEqual(allNames)

      const again = yield* runCommand([], env)
      expect(again.code).toBe(0)
      expect(appliedBy(again)).toEqual([])
      expect(again.stdout).toContain(`done: nothing to apply (${allNames.length} already applied)`)
    }), 60_000)

  it.live("commands started at once on a schema that does not exist yet create it once and migrate it", () =>
    Effect.gen(function*() {
      const schema = yield* missingSchema("mig")
      const env = { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema }
      const runs = yield* Effect.all([runCommand([], env), runCommand([], env)], { concurrency: "unbounded" })
      for (const run of runs) expect(run).toMatchObject({ code: 0, stderr: "" })
      expect(runs.filter((run) => run.stdout.includes(`created schema "${schema}"`))).toHaveLength(1)
      expect(runs.flatMap(appliedBy).sort()).toEqual(allNames)
      expect(yield* recorded(yield* poolOn(schema))).toEqual(allNames)
    }), 60_000)

  it.live("the command never prints the connection string's password", () =>
    Effect.gen(function*() {
      const schema = freshSchemaName("mig")
      yield* scopedSchema(schema)
      // The local server trusts every connection, so this password is sent but never checked.
      const password = "Pa55-w0rd-never-printed"
      const url = new URL(databaseUrl)
      url.password = password
      const ok = yield* runCommand([], { DATABASE_URL: url.href, DATABASE_SCHEMA: schema })
      expect(ok.code).toBe(0)
      expect(appliedBy(ok)).toEqual(allNames)
      expect(ok.stdout + ok.stderr).not.toContain(password)

      // Unreachable: a port nothing listens on (the discard port).
      const down = new URL(url)
      down.port = "9"
      const failed = yield* runCommand([], { DATABASE_URL: down.href, DATABASE_SCHEMA: schema })
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/^migrate failed \((Unavailable|TimedOut)\)/m)
      expect(failed.stdout + failed.stderr).not.toContain(password)
    }), 60_000)

  it.live("a failing migration rolls back entirely: nothing recorded, no partial table", () =>
    Effect.gen(function*() {
      const schema = freshSchemaName("mig")
      yield* scopedSchema(schema)
      yield* failingMigrationLeavesNothing(yield* poolOn(schema))
    }), 60_000)

  it.live("the command reports a failure in one line and exits 1", () =>
    Effect.gen(function*() {
      const out: Array<string> = []
      const err: Array<string> = []
      const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }
      const missingDatabase = new URL(databaseUrl)
      missingDatabase.pathname = "/no_such_database_for_migrations"
      const code = yield* Effect.promise(() => main([], { ...io, env: { DATABASE_URL: missingDatabase.href } }))
      expect(code).toBe(1)
      expect(err).toEqual([expect.stringMatching(/^migrate failed \(Unexpected\) \[SQLSTATE 3D000\]: .*does not exist/)])

      const usage = yield* Effect.promise(() => main(["--no-such-flag"], { ...io, env: {} }))
      expect(usage).toBe(1)
      expect(err.at(-1)).toContain("usage: app-migrate")
    }), 60_000)
})

describe("migrations on PGlite", () => {
  it.live("migrate, close, reopen, migrate again: nothing applied the second time", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "migrations-pglite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const dataDir = join(dir, "db")
      const session = <A, E>(use: (sql: Sql) => Effect.Effect<A, E>) =>
        Effect.scoped(Effect.flatMap(Effect.flatMap(Pglite.open({ dataDir }), Pglite.fromDatabase), use))

      const first = yield* session((sql) => migrateOn(sql))
      expect(first).toEqual({ applied: allNames, alreadyApplied: 0 })

      // Reopened from disk; two migrators at once on the one connection still apply nothing.
      const reports = yield* session((sql) =>
        Effect.all([migrateOn(sql), migrateOn(sql)], { concurrency: "unbounded" }).pipe(
          Effect.tap(() => Effect.flatMap(recorded(sql), (names) => Effect.sync(() => expect(names).toEqual(allNames))))
        )
      )
      expect(reports).toEqual([
        { applied: [], alreadyApplied: allNames.length },
        { applied: [], alreadyApplied: allNames.length }
      ])

      // The command, with --pglite, finds the same directory up to date.
      const run = yield* runCommand(["--pglite"], { PGLITE_DATA_DIR: dataDir })
      expect(run).toMatchObject({ code: 0, stderr: "" })
      expect(run.stdout).toContain(`done: nothing to apply (${allNames.length} already applied)`)
    }), 120_000)

  it.live("migrators started at once on a fresh PGlite apply each migration exactly once", () =>
    Effect.gen(function*() {
      const sql = yield* Effect.flatMap(Pglite.open({}), Pglite.fromDatabase)
      const reports = yield* Effect.all([migrateOn(sql), migrateOn(sql)], { concurrency: "unbounded" })
      expect(reports.flatMap((report) => report.applied).sort()).toEqual(allNames)
      expect(yield* recorded(sql)).toEqual(allNames)
    }), 120_000)

  it.live("a failing migration rolls back entirely: nothing recorded, no partial table", () =>
    Effect.gen(function*() {
      const sql = yield* Effect.flatMap(Pglite.open({}), Pglite.fromDatabase)
      yield* failingMigrationLeavesNothing(sql)
    }), 120_000)
})
