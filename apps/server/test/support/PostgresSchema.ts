/**
 * A schema of its own on the real Postgres for one test file (created now, dropped after), and
 * the environment that points STORE=postgres at it and at Redis under a key prefix of its own.
 */
import { randomBytes } from "node:crypto"
import pg from "pg"

export const databaseUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
export const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"

/** Runs `f` on a fresh connection to the test database, closed afterwards whatever happens. */
export const withAdminClient = async <A>(f: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

const admin = async (statement: string) => {
  await withAdminClient((client) => client.query(statement))
}

/**
 * STORE=postgres in `schema`, Redis under `redisKeyPrefix`, and fresh secrets: instances given
 * the same environment share tokens and ciphertexts.
 */
export const storeEnv = (schema: string, redisKeyPrefix: string): Record<string, string> => ({
  STORE: "postgres",
  DATABASE_URL: databaseUrl,
  DATABASE_SCHEMA: schema,
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: redisKeyPrefix,
  AUTH_ACCESS_TOKEN_SECRET: randomBytes(32).toString("hex"),
  AUTH_REFRESH_TOKEN_SECRET: randomBytes(32).toString("hex"),
  SECRETS_MASTER_KEY: randomBytes(32).toString("base64")
})

export interface PostgresSchema {
  readonly name: string
  /** STORE=postgres in this schema, with fresh secrets and a fresh Redis key prefix. */
  readonly env: Record<string, string>
  readonly drop: () => Promise<void>
}

export const create = async (label: string): Promise<PostgresSchema> => {
  const name = `${label}_${process.pid}_${randomBytes(4).toString("hex")}`
  await admin(`CREATE SCHEMA "${name}"`)
  return {
    name,
    env: storeEnv(name, `test:${label}:${randomBytes(6).toString("hex")}:`),
    drop: () => admin(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
  }
}
