/**
 * The authenticated caller of a use case. Shells build it from a verified access token or from
 * Cognito authorizer claims; use cases decide every permission from it.
 */
import { Effect, Schema } from "effect"
import { Forbidden } from "./DomainError.js"
import { Email, UserId } from "./Users/User.js"

export class Actor extends Schema.Class<Actor>("@app/domain/Actor")({
  userId: UserId,
  email: Email
}) {}

/**
 * A `{userId}` in a path must be the caller's own (API.md: another user's id → 403): a user's
 * teams list, profile and platform data are theirs alone.
 */
export const requireSelf = (actor: Actor, userId: UserId): Effect.Effect<void, Forbidden> =>
  actor.userId === userId
    ? Effect.void
    : Effect.fail(new Forbidden({ code: "NotSelf", message: "this resource belongs to another user" }))
