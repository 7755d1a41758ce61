/**
 * The floor `GET /api/users/me` is measured against: a bare Fastify app (no logger, no plugins)
 * with one route that does the same work the server does, directly — the Bearer token verified
 * with jose exactly as JoseAccessTokens verifies it (HS256 only, same secret, issuer, audience,
 * typ, maximum age, required claims), then the very query UserRepositoryPostgres runs for `byId`
 * on a pg pool of its own, configured as PgPool configures the server's (size, timeouts, schema,
 * int8 parser), and the user written back in the contract's shape.
 */
import Fastify, { type FastifyInstance } from "fastify"
import { jwtVerify } from "jose"
import pg from "pg"

export interface BareUserRouteOptions {
  readonly databaseUrl: string
  readonly schema: string
  readonly maxConnections: number
  readonly accessTokenSecret: string
  readonly issuer: string
  readonly audience: string
  readonly accessTokenTtlSeconds: number
}

export interface BareUserRoute {
  readonly url: string
  readonly close: () => Promise<void>
}

/** UserRepositoryPostgres' columns and `byId` query, verbatim. */
const COLUMNS = "user_id, email, name, email_verified, profile, password_hash, created_at, updated_at"
const BY_ID = `SELECT ${COLUMNS} FROM users WHERE user_id = $1`

interface UserRow {
  readonly user_id: string
  readonly email: string
  readonly name: string
  readonly email_verified: boolean
  readonly profile: Record<string, unknown>
  readonly created_at: number
  readonly updated_at: number
}

const INT8_OID = 20
const typeParsers = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")
} as unknown as pg.CustomTypesConfig

const BEARER = /^Bearer[ ]+([^ ]+)[ ]*$/i

const unauthenticated = { type: "about:blank", title: "Unauthorized", status: 401 }

export const start = async (options: BareUserRouteOptions): Promise<BareUserRoute> => {
  const queryTimeout = 10_000
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections,
    connectionTimeoutMillis: 5_000,
    query_timeout: queryTimeout,
    statement_timeout: queryTimeout,
    idle_in_transaction_session_timeout: queryTimeout * 2,
    keepAlive: true,
    application_name: "bench-bare",
    types: typeParsers,
    options: `-c search_path="${options.schema.replaceAll("\"", "\"\"")}"`
  })
  pool.on("error", () => {})
  const key = new TextEncoder().encode(options.accessTokenSecret)

  const app: FastifyInstance = Fastify({ logger: false })
  app.get("/api/users/me", async (request, reply) => {
    const header = request.headers.authorization
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1]
    if (token === undefined) return reply.code(401).type("application/problem+json").send(unauthenticated)
    let userId: string
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ["HS256"],
        issuer: options.issuer,
        audience: options.audience,
        typ: "JWT",
        maxTokenAge: options.accessTokenTtlSeconds,
        requiredClaims: ["sub", "email", "iat", "exp"],
        clockTolerance: 0
      })
      userId = payload.sub!
    } catch {
      return reply.code(401).type("application/problem+json").send(unauthenticated)
    }
    const { rows } = await pool.query<UserRow>(BY_ID, [userId])
    const row = rows[0]
    if (row === undefined) return reply.code(404).type("application/problem+json").send({ status: 404, title: "Not Found" })
    return {
      userId: row.user_id,
      email: row.email,
      name: row.name,
      emailVerified: row.email_verified,
      profile: row.profile,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString()
    }
  })
  await app.listen({ host: "127.0.0.1", port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === "string") throw new Error("the bare app has no TCP address")
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close()
      await pool.end()
    }
  }
}
