/**
 * UserRepository on Postgres. Email uniqueness is the `users_email_key` constraint, so two racing
 * sign-ups of one address are decided by the database: exactly one insert commits, the other
 * becomes Conflict "EmailTaken".
 */
import { Conflict, NotFound, Profile, User, type UserId, UserRecord, UserRepository, UserRepositoryError } from "@app/domain"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "./SqlClient.js"
import { conflictOrFailure, type SqlError } from "./SqlError.js"

interface UserRow {
  readonly [column: string]: unknown
  readonly user_id: string
  readonly email: string
  readonly name: string
  readonly email_verified: boolean
  readonly profile: Record<string, unknown>
  readonly password_hash: string | null
  readonly created_at: number
  readonly updated_at: number
}

const COLUMNS = "user_id, email, name, email_verified, profile, password_hash, created_at, updated_at"

const userOf = (row: UserRow) =>
  new User({
    userId: row.user_id as UserId,
    email: row.email as User["email"],
    name: row.name,
    emailVerified: row.email_verified,
    profile: new Profile(row.profile),
    createdAt: row.created_at,
    updatedAt: row.updated_at
  })

const recordOf = (row: UserRow) => new UserRecord({ user: userOf(row), passwordHash: row.password_hash })

const failure = (error: SqlError) => new UserRepositoryError({ reason: error.reason })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient

  const one = (where: string, value: string) =>
    sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE ${where} = $1`, [value]).pipe(
      Effect.map((rows) => Option.map(Option.fromUndefinedOr(rows[0]), recordOf)),
      Effect.mapError(failure)
    )

  return UserRepository.of({
    insert: Effect.fn("UserRepositoryPostgres.insert")(function*(record) {
      const { user } = record
      yield* sql.query(
        `INSERT INTO users (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [user.userId, user.email, user.name, user.emailVerified, JSON.stringify(user.profile), record.passwordHash, user.createdAt, user.updatedAt]
      ).pipe(
        Effect.mapError(conflictOrFailure(failure, (constraint) =>
          constraint === "users_email_key"
            ? new Conflict({ code: "EmailTaken", message: "email is already registered" })
            : new Conflict({ code: "UserExists", message: "user already exists" })
        ))
      )
    }),
    byId: (userId) => one("user_id", userId),
    byEmail: (email) => one("email", email),
    byIds: (userIds) =>
      userIds.length === 0
        ? Effect.succeed([])
        : sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE user_id = ANY($1::text[])`, [[...new Set(userIds)]]).pipe(
          Effect.map((rows) => rows.map(userOf)),
          Effect.mapError(failure)
        ),
    update: Effect.fn("UserRepositoryPostgres.update")(function*(userId, patch, at) {
      const rows = yield* sql.query<UserRow>(
        `UPDATE users
            SET name = COALESCE($2, name), profile = COALESCE($3::jsonb, profile), updated_at = $4
          WHERE user_id = $1
          RETURNING ${COLUMNS}`,
        [userId, patch.name ?? null, patch.profile === undefined ? null : JSON.stringify(patch.profile), at]
      ).pipe(Effect.mapError(failure))
      const row = rows[0]
      if (row === undefined) return yield* Effect.fail(NotFound.of("user"))
      return userOf(row)
    })
  })
})

export const layer: Layer.Layer<UserRepository, never, SqlClient> = Layer.effect(UserRepository, make)
