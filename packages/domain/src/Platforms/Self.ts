/**
 * Every route of this area is under /users/{userId}/platforms/…: a user's platform data is theirs
 * alone, so the path's userId must be the caller (403 otherwise, as API.md says).
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.js"
import { Forbidden } from "../DomainError.js"
import type { UserId } from "../Users/User.js"

export const requireSelf = (actor: Actor, userId: UserId): Effect.Effect<void, Forbidden> =>
  actor.userId === userId
    ? Effect.void
    : Effect.fail(new Forbidden({ code: "NotSelf", message: "only the user themselves may access their platforms" }))
