/**
 * TeamRepository in process memory: the reference model the other stores are tested against and
 * the single-process default. Each operation runs as one synchronous step, so it is atomic with
 * respect to every other fiber, which is exactly the guarantee the real stores give with
 * transactions and conditional writes.
 */
import { Effect, Layer, Option } from "effect"
import { Conflict, Gone, NotFound } from "../../DomainError.js"
import type { Email, UserId } from "../../Users/User.js"
import { Invitation, type InvitationId, Membership, Team, type TeamId } from "../Team.js"
import { type AnsweredInvitation, isStoredInvitation, TeamRepository } from "../TeamRepository.js"

export const make = Effect.sync(() => {
  const teams = new Map<TeamId, Team>()
  /** teamId → userId → membership */
  const memberships = new Map<TeamId, Map<UserId, Membership>>()
  const invitations = new Map<InvitationId, Invitation>()

  const membersOf = (teamId: TeamId) => {
    let members = memberships.get(teamId)
    if (members === undefined) {
      members = new Map()
      memberships.set(teamId, members)
    }
    return members
  }

  const withRole = (membership: Membership, role: Membership["role"]) =>
    new Membership({ ...membership, role })

  /** The stored invitation `given` names, while its team exists; its state is read here, not from the copy. */
  const answerable = (given: AnsweredInvitation) => {
    const stored = invitations.get(given.invitationId)
    return stored !== undefined && isStoredInvitation(stored, given) && teams.has(stored.teamId) ? stored : undefined
  }

  return TeamRepository.of({
    create: (team, owner) =>
      Effect.sync(() => {
        teams.set(team.teamId, team)
        membersOf(team.teamId).set(owner.userId, owner)
      }),
    get: (teamId) => Effect.sync(() => Option.fromUndefinedOr(teams.get(teamId))),
    rename: (teamId, name, at) =>
      Effect.suspend(() => {
        const team = teams.get(teamId)
        if (team === undefined) return Effect.fail(NotFound.of("team"))
        const renamed = new Team({ ...team, name, updatedAt: at })
        teams.set(teamId, renamed)
        return Effect.succeed(renamed)
      }),
    delete: (teamId) =>
      Effect.sync(() => {
        teams.delete(teamId)
        memberships.delete(teamId)
        for (const [id, invitation] of invitations) {
          if (invitation.teamId === teamId) invitations.delete(id)
        }
      }),
    membership: (teamId, userId) =>
      Effect.sync(() => (teams.has(teamId) ? Option.fromUndefinedOr(memberships.get(teamId)?.get(userId)) : Option.none())),
    members: (teamId) =>
      Effect.sync(() => (teams.has(teamId) ? Array.from(memberships.get(teamId)?.values() ?? []) : [])),
    teamsOf: (userId) =>
      Effect.sync(() => {
        const result = []
        for (const [teamId, members] of memberships) {
          const membership = members.get(userId)
          const team = teams.get(teamId)
          if (membership !== undefined && team !== undefined) result.push({ team, membership })
        }
        return result
      }),
    addInvitation: (invitation) =>
      Effect.suspend((): Effect.Effect<void, Conflict | NotFound> => {
        if (!teams.has(invitation.teamId)) return Effect.fail(NotFound.of("team"))
        if (invitations.has(invitation.invitationId)) {
          return Effect.fail(new Conflict({ code: "InvitationExists", message: "invitation already exists" }))
        }
        for (const other of invitations.values()) {
          if (
            other.teamId === invitation.teamId && other.email === invitation.email && other.status === "pending" &&
            other.expiresAt > invitation.createdAt
          ) {
            return Effect.fail(
              new Conflict({ code: "InvitationPending", message: "a pending invitation for this email exists" })
            )
          }
        }
        invitations.set(invitation.invitationId, invitation)
        return Effect.void
      }),
    invitation: (id) => Effect.sync(() => Option.fromUndefinedOr(invitations.get(id))),
    pendingInvitationsFor: (email: Email, now) =>
      Effect.sync(() =>
        Array.from(invitations.values()).filter((i) => i.email === email && i.status === "pending" && i.expiresAt > now)
      ),
    acceptInvitation: (given, membership) =>
      Effect.suspend((): Effect.Effect<Membership, Conflict | Gone | NotFound> => {
        const invitation = answerable(given)
        if (invitation === undefined || invitation.teamId !== membership.teamId) return Effect.fail(NotFound.of("invitation"))
        if (invitation.status !== "pending") {
          return Effect.fail(new Conflict({ code: "InvitationNotPending", message: `invitation is ${invitation.status}` }))
        }
        if (invitation.expiresAt <= membership.joinedAt) {
          return Effect.fail(new Gone({ code: "InvitationExpired", message: "invitation has expired" }))
        }
        const members = membersOf(invitation.teamId)
        if (members.has(membership.userId)) {
          return Effect.fail(new Conflict({ code: "AlreadyMember", message: "already a member of this team" }))
        }
        invitations.set(invitation.invitationId, new Invitation({ ...invitation, status: "accepted" }))
        members.set(membership.userId, membership)
        return Effect.succeed(membership)
      }),
    declineInvitation: (given) =>
      Effect.suspend((): Effect.Effect<void, Conflict | NotFound> => {
        const invitation = answerable(given)
        if (invitation === undefined) return Effect.fail(NotFound.of("invitation"))
        if (invitation.status !== "pending") {
          return Effect.fail(new Conflict({ code: "InvitationNotPending", message: `invitation is ${invitation.status}` }))
        }
        invitations.set(invitation.invitationId, new Invitation({ ...invitation, status: "declined" }))
        return Effect.void
      }),
    changeRole: (teamId, userId, role, expected) =>
      Effect.suspend((): Effect.Effect<Membership, Conflict | NotFound> => {
        const current = memberships.get(teamId)?.get(userId)
        if (current === undefined || !teams.has(teamId)) return Effect.fail(NotFound.of("member"))
        if (!expected.includes(current.role)) {
          return Effect.fail(new Conflict({ code: "RoleChanged", message: `member's role is ${current.role}` }))
        }
        const updated = withRole(current, role)
        membersOf(teamId).set(userId, updated)
        return Effect.succeed(updated)
      }),
    transferOwnership: (teamId, from, to) =>
      Effect.suspend((): Effect.Effect<void, Conflict | NotFound> => {
        const members = memberships.get(teamId)
        const owner = members?.get(from)
        const next = members?.get(to)
        if (members === undefined || !teams.has(teamId) || owner === undefined || next === undefined) {
          return Effect.fail(NotFound.of("member"))
        }
        if (from === to) {
          return Effect.fail(new Conflict({ code: "AlreadyOwner", message: "ownership cannot move to its owner" }))
        }
        if (owner.role !== "owner") {
          return Effect.fail(new Conflict({ code: "NotOwner", message: "only the current owner can transfer ownership" }))
        }
        members.set(to, withRole(next, "owner"))
        members.set(from, withRole(owner, "admin"))
        return Effect.void
      }),
    removeMember: (teamId, userId, expected) =>
      Effect.suspend((): Effect.Effect<void, Conflict | NotFound> => {
        const current = memberships.get(teamId)?.get(userId)
        if (current === undefined || !teams.has(teamId)) return Effect.fail(NotFound.of("member"))
        if (!expected.includes(current.role)) {
          return Effect.fail(new Conflict({ code: "RoleChanged", message: `member's role is ${current.role}` }))
        }
        memberships.get(teamId)!.delete(userId)
        return Effect.void
      })
  })
})

export const layer = Layer.effect(TeamRepository, make)
