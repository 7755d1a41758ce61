/**
 * The shared stores of a multi-instance test: a fresh schema on the real Postgres and a fresh key
 * prefix on the real Redis, and the STORE=postgres environment every instance of the test gets
 * (the same schema, prefix and secrets, so a token issued by one instance verifies on another).
 * `drop()` removes the schema and the prefix's keys; `query()` reads the schema directly, to check
 * what the instances wrote.
 */
import { randomBytes } from "node:crypto"
import { Redis } from "ioredis"
import { redisUrl, storeEnv, withAdminClient } from "./PostgresSchema.js"

export interface SharedStores {
  readonly schema: string
  readonly redisKeyPrefix: string
  /** The environment of a STORE=postgres instance on these stores. */
  readonly env: Readonly<Record<string, string>>
  /** Runs one statement in the test's schema. */
  readonly query: <Row>(text: string, values?: ReadonlyArray<unknown>) => Promise<Array<Row>>
  /** Drops the schema and deletes the prefix's keys. */
  readonly drop: () => Promise<void>
}

const deleteKeysUnder = async (prefix: string): Promise<void> => {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  redis.on("error", () => {})
  try {
    await redis.connect()
    let cursor = "0"
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== "0")
  } finally {
    redis.disconnect()
  }
}

/**
 * Creates an empty schema (the instances migrate it themselves when they start) and a prefix;
 * `label` makes them recognisable when a run leaves something behind.
 */
export const create = async (label: string): Promise<SharedStores> => {
  const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`
  const schema = `${label}_${suffix}`
  const redisKeyPrefix = `test:${label}:${suffix}:`
  await withAdminClient((client) => client.query(`CREATE SCHEMA "${schema}"`))
  return {
    schema,
    redisKeyPrefix,
    env: storeEnv(schema, redisKeyPrefix),
    query: <Row>(text: string, values: ReadonlyArray<unknown> = []) =>
      withAdminClient(async (client) => {
        await client.query(`SET search_path TO "${schema}"`)
        return (await client.query(text, [...values])).rows as Array<Row>
      }),
    drop: async () => {
      await withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
      await deleteKeysUnder(redisKeyPrefix)
    }
  }
}
