/**
 * The user entity and its value objects. Email is normalised (trimmed, lower-cased) on decode, so
 * two spellings of one address can never become two accounts.
 */
import { Schema, SchemaTransformation } from "effect"
import { DisplayName } from "../DisplayName.js"
import { IdString } from "../Identifier.js"
import { Millis } from "../Millis.js"

export const UserId = IdString.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Decodes any spelling of an address into its normal form. */
export const Email = Schema.String.pipe(
  Schema.decodeTo(
    Schema.String.check(
      Schema.isMaxLength(254),
      Schema.isPattern(emailPattern, { message: "must be an email address" })
    ).pipe(Schema.brand("Email")),
    SchemaTransformation.transform({
      decode: (s: string) => s.trim().toLowerCase(),
      encode: (s: string) => s
    })
  )
)
export type Email = typeof Email.Type

export const UserName = DisplayName

/** Free-form profile of 000: a short bio and a list of competencies, all optional. */
export class Profile extends Schema.Class<Profile>("@app/domain/Users/Profile")({
  bio: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(2000))),
  title: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))),
  competencies: Schema.optionalKey(
    Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100))).check(Schema.isMaxLength(50))
  ),
  avatarUrl: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(2000)))
}) {}

export class User extends Schema.Class<User>("@app/domain/Users/User")({
  userId: UserId,
  email: Email,
  name: UserName,
  emailVerified: Schema.Boolean,
  profile: Profile,
  createdAt: Millis,
  updatedAt: Millis
}) {}

/** What a teammate may see of another user (GET /api/users/{userId} for a non-self teammate). */
export class UserSummary extends Schema.Class<UserSummary>("@app/domain/Users/UserSummary")({
  userId: UserId,
  name: UserName
}) {}
