#!/usr/bin/env node
/**
 * `app-migrate`: applies the schema migrations before a deploy, outside the servers. It reads the
 * same settings as the servers — DATABASE_URL / DATABASE_SCHEMA (PgPool.config), or with
 * `--pglite` PGLITE_DATA_DIR (Pglite.config) — prints the name of each migration it applied, and
 * exits 0, or prints one line saying what went wrong and exits 1. Several copies may start at
 * once (one per instance of a deploy): Migrations.migrate applies each migration exactly once.
 * Nothing printed carries the connection string's credentials.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Cause, Config, ConfigProvider, Effect, Exit, Option, Redacted } from "effect"
import { migrate, type MigrationReport } from "./Migrations.js"
import * as PgPool from "./PgPool.js"
import * as Pglite from "./Pglite.js"
import { SqlClient } from "./SqlClient.js"
import { SqlError } from "./SqlError.js"

const usage = `usage: app-migrate [--pglite]

Applies the pending schema migrations and prints their names.
  (default)  the Postgres server of DATABASE_URL, in schema DATABASE_SCHEMA (created when missing)
  --pglite   the embedded PGlite database in PGLITE_DATA_DIR (default .data/pglite)
Exits 0 when every migration is applied, 1 otherwise.`

export interface MigrateCommandIo {
  /** The environment to read the settings from; process.env when absent. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  readonly out?: ((line: string) => void) | undefined
  readonly err?: ((line: string) => void) | undefined
}

/** Where the migrations go, for the first line of output: host, port, database and schema, no credentials. */
const describeServer = (config: PgPool.PgPoolConfig): string => {
  const schema = config.schema === undefined ? "the default schema" : `schema "${config.schema}"`
  try {
    const url = new URL(Redacted.value(config.connectionString))
    return `postgres ${url.host}${url.pathname} (${schema})`
  } catch {
    return `postgres (${schema})`
  }
}

/** The strings that must never be printed: the connection string and its password, as written and decoded. */
const secretsOf = (connectionString: string): ReadonlyArray<string> => {
  const secrets = [connectionString]
  try {
    const password = new URL(connectionString).password
    if (password !== "") secrets.push(password, decodeURIComponent(password))
  } catch {
    // Not a URL: the whole string is the only secret we can name.
  }
  return secrets.filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length)
}

const scrub = (secrets: ReadonlyArray<string>, text: string): string =>
  secrets.reduce((scrubbed, secret) => scrubbed.replaceAll(secret, "***"), text)

/**
 * Creates the configured schema when it does not exist yet, under an advisory lock so two
 * migrators starting at once do not race on CREATE SCHEMA. Skipped when it exists, so a role
 * without the CREATE privilege on the database can still migrate a schema made for it.
 */
const ensureSchema = (schema: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    return yield* sql.transaction((tx) =>
      Effect.gen(function*() {
        yield* tx.query("SELECT pg_advisory_xact_lock(hashtext('app-migrate create schema ' || $1))", [schema])
        const existing = yield* tx.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])
        if (existing.length > 0) return false
        yield* tx.query(`CREATE SCHEMA "${schema.replaceAll("\"", "\"\"")}"`)
        return true
      })
    )
  })

const onServer = (say: (line: string) => void) =>
  Effect.gen(function*() {
    const config = yield* PgPool.config
    say(`migrating ${describeServer(config)}`)
    const sql = yield* PgPool.make({ ...config, applicationName: "app-migrate" })
    return yield* Effect.gen(function*() {
      if (config.schema !== undefined && (yield* ensureSchema(config.schema))) say(`created schema "${config.schema}"`)
      return yield* migrate()
    }).pipe(Effect.provideService(SqlClient, sql))
  }).pipe(Effect.scoped)

const onPglite = (say: (line: string) => void) =>
  Effect.gen(function*() {
    const config = yield* Pglite.config
    say(`migrating pglite ${config.dataDir ?? "(in memory)"}`)
    const sql = yield* Effect.flatMap(Pglite.open(config), Pglite.fromDatabase)
    return yield* migrate().pipe(Effect.provideService(SqlClient, sql))
  }).pipe(Effect.scoped)

const summary = (report: MigrationReport): string =>
  report.applied.length === 0
    ? `done: nothing to apply (${report.alreadyApplied} already applied)`
    : `done: ${report.applied.length} applied (${report.alreadyApplied} already applied)`

/** The one line an operator reads when it failed: what kind of failure, and the database's message. */
const explain = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.findErrorOption(cause)
  if (Option.isSome(error)) {
    const failure = error.value
    if (failure instanceof SqlError) {
      const code = failure.code === undefined ? "" : ` [SQLSTATE ${failure.code}]`
      return `migrate failed (${failure.reason._tag})${code}: ${failure.reason.message}`
    }
    if (failure instanceof Config.ConfigError) return `migrate failed: invalid configuration: ${failure.message}`
  }
  if (Cause.hasInterruptsOnly(cause)) return "migrate failed: interrupted"
  const defect = Cause.squash(cause)
  return `migrate failed (unexpected): ${defect instanceof Error ? defect.message : String(defect)}`
}

/** Runs the command with `argv` (without node and the script) and resolves to its exit code. */
export const main = async (argv: ReadonlyArray<string> = process.argv.slice(2), io: MigrateCommandIo = {}): Promise<number> => {
  const env = io.env ?? process.env
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`))
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`))
  const secrets = secretsOf(env["DATABASE_URL"] ?? "")
  const say = (line: string) => out(scrub(secrets, line))

  let options: { readonly pglite: boolean; readonly help: boolean }
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { pglite: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
      strict: true,
      allowPositionals: false
    })
    options = { pglite: values.pglite, help: values.help }
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
    return 1
  }
  if (options.help) {
    out(usage)
    return 0
  }

  const definedEnv = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)
  )
  const program = (options.pglite ? onPglite(say) : onServer(say)).pipe(
    Effect.tap((report) =>
      Effect.sync(() => {
        for (const name of report.applied) say(`applied ${name}`)
        say(summary(report))
      })
    ),
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: definedEnv }))
  )
  const exit = await Effect.runPromiseExit(program)
  if (Exit.isSuccess(exit)) return 0
  err(scrub(secrets, explain(exit.cause)))
  return 1
}

const isEntryPoint = (): boolean => {
  const entry = process.argv[1]
  if (entry === undefined) return false
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) process.exitCode = await main()
