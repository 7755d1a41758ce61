/** The caller's own user and teammates' names (API.md "Users"). */
import { Profile, UpdateUserInput, User, UserId, UserName, Users } from "@app/domain"
import { Effect, Schema } from "effect"
import { endpoint } from "../Endpoint.js"
import { Instant } from "../Wire.js"

export const UserBody = Schema.Struct({
  userId: UserId,
  email: Schema.String,
  name: UserName,
  emailVerified: Schema.Boolean,
  profile: Profile,
  createdAt: Instant,
  updatedAt: Instant
})

export const UserSummaryBody = Schema.Struct({ userId: UserId, name: UserName })

export const UserIdParams = Schema.Struct({ userId: UserId })

export const me = endpoint({
  name: "users.me",
  method: "GET",
  path: "/api/users/me",
  tag: "users",
  summary: "The caller's own user",
  auth: "bearer",
  response: UserBody,
  errors: [401, 404],
  handle: ({ actor }) => Users.use((users) => users.me(actor))
})

export const getUser = endpoint({
  name: "users.get",
  method: "GET",
  path: "/api/users/{userId}",
  tag: "users",
  summary: "Self: the full user; a teammate: {userId, name}; anyone else: 404",
  auth: "bearer",
  params: UserIdParams,
  response: Schema.Union([UserBody, UserSummaryBody]),
  errors: [401, 404],
  handle: ({ actor, params }) =>
    Users.use((users) => users.get(actor, params.userId)).pipe(
      // A summary must not be encoded as a (partial) full user: pick the shape by class.
      Effect.map((user) => (user instanceof User ? user : { userId: user.userId, name: user.name }))
    )
})

export const updateUser = endpoint({
  name: "users.update",
  method: "PUT",
  path: "/api/users/{userId}",
  tag: "users",
  summary: "Update the caller's own name and profile (another user: 403)",
  auth: "bearer",
  params: UserIdParams,
  body: UpdateUserInput,
  response: UserBody,
  errors: [400, 401, 403, 404],
  handle: ({ actor, body, params }) => Users.use((users) => users.update(actor, params.userId, body))
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [me, getUser, updateUser] as const
