/** Teams, memberships and invitations (API.md "Teams"); every rule is the domain's Teams. */
import {
  ChangeRoleInput,
  CreateTeamInput,
  GrantableRole,
  InvitationId,
  InviteInput,
  RenameTeamInput,
  Role,
  TeamId,
  TeamName,
  Teams,
  TransferInput,
  UserId
} from "@app/domain"
import { Effect, Schema } from "effect"
import { endpoint } from "../Endpoint.js"
import { Instant } from "../Wire.js"
import { UserIdParams } from "./UserRoutes.js"

export const CreatedTeamBody = Schema.Struct({ teamId: TeamId, name: TeamName, createdAt: Instant, role: Role })
export const TeamBody = Schema.Struct({ teamId: TeamId, name: TeamName, createdAt: Instant, updatedAt: Instant })
export const MyTeamBody = Schema.Struct({ teamId: TeamId, teamName: TeamName, role: Role, joinedAt: Instant })
export const TeamMemberBody = Schema.Struct({
  userId: UserId,
  name: Schema.NullOr(Schema.String),
  role: Role,
  invitedBy: Schema.NullOr(UserId),
  joinedAt: Instant
})
export const TeamDetailsBody = Schema.Struct({
  teamId: TeamId,
  name: TeamName,
  createdAt: Instant,
  members: Schema.Array(TeamMemberBody)
})
export const MembershipBody = Schema.Struct({
  teamId: TeamId,
  userId: UserId,
  role: Role,
  invitedBy: Schema.NullOr(UserId),
  joinedAt: Instant
})
export const InvitationBody = Schema.Struct({
  invitationId: InvitationId,
  teamId: TeamId,
  email: Schema.String,
  role: GrantableRole,
  invitedBy: UserId,
  expiresAt: Instant
})
export const PendingInvitationBody = Schema.Struct({
  invitationId: InvitationId,
  teamId: TeamId,
  teamName: TeamName,
  email: Schema.String,
  role: GrantableRole,
  invitedBy: UserId,
  createdAt: Instant,
  expiresAt: Instant
})

const TeamParams = Schema.Struct({ teamId: TeamId })
const MemberParams = Schema.Struct({ teamId: TeamId, userId: UserId })
const InvitationParams = Schema.Struct({ invitationId: InvitationId })

export const createTeam = endpoint({
  name: "teams.create",
  method: "POST",
  path: "/api/teams",
  tag: "teams",
  summary: "Create a team; the caller is its owner",
  auth: "bearer",
  body: CreateTeamInput,
  status: 201,
  response: CreatedTeamBody,
  errors: [400, 401],
  handle: ({ actor, body }) => Teams.use((teams) => teams.create(actor, body))
})

export const myTeams = endpoint({
  name: "teams.listMine",
  method: "GET",
  path: "/api/users/{userId}/teams",
  tag: "teams",
  summary: "The caller's teams and role in each (another user's id: 403)",
  auth: "bearer",
  params: UserIdParams,
  response: Schema.Array(MyTeamBody),
  errors: [401, 403],
  handle: ({ actor, params }) => Teams.use((teams) => teams.listMine(actor, params.userId))
})

export const getTeam = endpoint({
  name: "teams.get",
  method: "GET",
  path: "/api/teams/{teamId}",
  tag: "teams",
  summary: "A team and its members (members only; others get 404)",
  auth: "bearer",
  params: TeamParams,
  response: TeamDetailsBody,
  errors: [401, 404],
  handle: ({ actor, params }) => Teams.use((teams) => teams.get(actor, params.teamId))
})

export const renameTeam = endpoint({
  name: "teams.rename",
  method: "PUT",
  path: "/api/teams/{teamId}",
  tag: "teams",
  summary: "Rename a team (owner or admin)",
  auth: "bearer",
  params: TeamParams,
  body: RenameTeamInput,
  response: TeamBody,
  errors: [400, 401, 403, 404],
  handle: ({ actor, body, params }) => Teams.use((teams) => teams.rename(actor, params.teamId, body))
})

export const deleteTeam = endpoint({
  name: "teams.delete",
  method: "DELETE",
  path: "/api/teams/{teamId}",
  tag: "teams",
  summary: "Delete a team (owner only)",
  auth: "bearer",
  params: TeamParams,
  errors: [401, 403, 404],
  handle: ({ actor, params }) => Teams.use((teams) => teams.delete(actor, params.teamId))
})

export const invite = endpoint({
  name: "teams.invite",
  method: "POST",
  path: "/api/teams/{teamId}/invite",
  tag: "teams",
  summary: "Invite an email with a role (owner or admin); expires after 7 days",
  auth: "bearer",
  params: TeamParams,
  body: InviteInput,
  status: 201,
  response: InvitationBody,
  errors: [400, 401, 403, 404, 409],
  handle: ({ actor, body, params }) => Teams.use((teams) => teams.invite(actor, params.teamId, body))
})

export const myInvitations = endpoint({
  name: "teams.myInvitations",
  method: "GET",
  path: "/api/users/me/invitations",
  tag: "teams",
  summary: "Pending invitations for the caller's email",
  auth: "bearer",
  response: Schema.Array(PendingInvitationBody),
  errors: [401],
  handle: ({ actor }) => Teams.use((teams) => teams.myInvitations(actor))
})

export const acceptInvitation = endpoint({
  name: "teams.accept",
  method: "POST",
  path: "/api/invitations/{invitationId}/accept",
  tag: "teams",
  summary: "Accept an invitation addressed to the caller's email",
  auth: "bearer",
  params: InvitationParams,
  response: MembershipBody,
  errors: [401, 404, 409, 410],
  handle: ({ actor, params }) => Teams.use((teams) => teams.accept(actor, params.invitationId))
})

export const declineInvitation = endpoint({
  name: "teams.decline",
  method: "POST",
  path: "/api/invitations/{invitationId}/decline",
  tag: "teams",
  summary: "Decline an invitation addressed to the caller's email",
  auth: "bearer",
  params: InvitationParams,
  errors: [401, 404, 409, 410],
  handle: ({ actor, params }) => Teams.use((teams) => teams.decline(actor, params.invitationId))
})

export const changeRole = endpoint({
  name: "teams.changeRole",
  method: "PATCH",
  path: "/api/teams/{teamId}/members/{userId}",
  tag: "teams",
  summary: "Change a member's role (owner only)",
  auth: "bearer",
  params: MemberParams,
  body: ChangeRoleInput,
  response: MembershipBody,
  errors: [400, 401, 403, 404, 409],
  handle: ({ actor, body, params }) => Teams.use((teams) => teams.changeRole(actor, params.teamId, params.userId, body))
})

export const transfer = endpoint({
  name: "teams.transfer",
  method: "POST",
  path: "/api/teams/{teamId}/transfer",
  tag: "teams",
  summary: "Transfer ownership to another member (owner only); the old owner becomes admin",
  auth: "bearer",
  params: TeamParams,
  body: TransferInput,
  response: TeamDetailsBody,
  errors: [400, 401, 403, 404, 409],
  handle: ({ actor, body, params }) =>
    Teams.use((teams) => teams.transfer(actor, params.teamId, body).pipe(Effect.andThen(teams.get(actor, params.teamId))))
})

export const removeMember = endpoint({
  name: "teams.removeMember",
  method: "DELETE",
  path: "/api/teams/{teamId}/members/{userId}",
  tag: "teams",
  summary: "Remove a member, or leave (the owner must transfer first)",
  auth: "bearer",
  params: MemberParams,
  errors: [401, 403, 404, 409],
  handle: ({ actor, params }) => Teams.use((teams) => teams.removeMember(actor, params.teamId, params.userId))
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [createTeam, myTeams, getTeam, renameTeam, deleteTeam, invite, myInvitations, acceptInvitation, declineInvitation, changeRole, transfer, removeMember] as const
