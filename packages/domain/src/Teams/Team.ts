/**
 * Teams, memberships and invitations (002): the teams table keyed by teamId + userId with a
 * userId index, roles owner | admin | member, and a pending → accepted | declined invitation.
 */
import { Schema } from "effect"
import { IdString } from "../Identifier.js"
import { Millis } from "../Millis.js"
import { Email, UserId } from "../Users/User.js"
import { DisplayName } from "../DisplayName.js"

export const TeamId = IdString.pipe(Schema.brand("TeamId"))
export type TeamId = typeof TeamId.Type

export const InvitationId = IdString.pipe(Schema.brand("InvitationId"))
export type InvitationId = typeof InvitationId.Type

export const Role = Schema.Literals(["owner", "admin", "member"])
export type Role = typeof Role.Type

/** The roles an invitation or a role change may grant: ownership only moves by transfer. */
export const GrantableRole = Schema.Literals(["admin", "member"])
export type GrantableRole = typeof GrantableRole.Type

export const TeamName = DisplayName

export class Team extends Schema.Class<Team>("@app/domain/Teams/Team")({
  teamId: TeamId,
  name: TeamName,
  createdAt: Millis,
  updatedAt: Millis
}) {}

export class Membership extends Schema.Class<Membership>("@app/domain/Teams/Membership")({
  teamId: TeamId,
  userId: UserId,
  role: Role,
  invitedBy: Schema.NullOr(UserId),
  joinedAt: Millis
}) {}

export const InvitationStatus = Schema.Literals(["pending", "accepted", "declined"])
export type InvitationStatus = typeof InvitationStatus.Type

export class Invitation extends Schema.Class<Invitation>("@app/domain/Teams/Invitation")({
  invitationId: InvitationId,
  teamId: TeamId,
  email: Email,
  role: GrantableRole,
  invitedBy: UserId,
  status: InvitationStatus,
  createdAt: Millis,
  expiresAt: Millis
}) {}
