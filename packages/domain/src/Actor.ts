/**
 * The authenticated caller of a use case. Shells build it from a verified access token or from
 * Cognito authorizer claims; use cases decide every permission from it.
 */
import { Schema } from "effect"
import { Email, UserId } from "./Users/User.js"

export class Actor extends Schema.Class<Actor>("@app/domain/Actor")({
  userId: UserId,
  email: Email
}) {}
