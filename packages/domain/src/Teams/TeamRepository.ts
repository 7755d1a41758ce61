/**
 * Storage of teams, memberships and invitations. Every method that changes more than one row, or
 * that depends on a row's current state, is one atomic operation here (a transaction, a
 * conditional write), so the single-owner rule and a double accept cannot be broken by two
 * concurrent requests: the use case checks the rule, the store re-checks its precondition.
 * Answering an invitation takes the invitation the use case has read, so the store need not read
 * it again for the fields that never change; it re-checks them in the same atomic step.
 */
import { Context, Effect, Option, Schema } from "effect"
import { type Conflict, type Gone, NotFound } from "../DomainError.js"
import { StoreFailure } from "../StoreFailure.js"
import type { Email, UserId } from "../Users/User.js"
import type { GrantableRole, Invitation, InvitationId, Membership, Role, Team, TeamId } from "./Team.js"

export class TeamRepositoryError extends Schema.TaggedError<TeamRepositoryError>()("TeamRepositoryError", {
  reason: StoreFailure
}) {}

/**
 * The invitation an answer is about, as the caller read it (an `Invitation` from `invitation`
 * fits). The store trusts none of it: the id, team and email (which never change) name what the
 * answer writes, and are checked against the stored invitation in the same atomic step — another
 * team or email than stored is NotFound. What can change (the status) and the expiry are read from
 * the store, never taken from this copy.
 */
export type AnsweredInvitation = Pick<Invitation, "invitationId" | "teamId" | "email">

/** Whether `stored` is the invitation `given` names: same id, team and email. */
export const isStoredInvitation = (stored: AnsweredInvitation, given: AnsweredInvitation): boolean =>
  stored.invitationId === given.invitationId && stored.teamId === given.teamId && stored.email === given.email

export interface TeamWithRole {
  readonly team: Team
  readonly membership: Membership
}

export class TeamRepository extends Context.Service<TeamRepository, {
  /** Stores a new team and its owner's membership together. */
  readonly create: (team: Team, owner: Membership) => Effect.Effect<void, TeamRepositoryError>
  readonly get: (teamId: TeamId) => Effect.Effect<Option.Option<Team>, TeamRepositoryError>
  readonly rename: (teamId: TeamId, name: string, at: number) => Effect.Effect<Team, NotFound | TeamRepositoryError>
  /** Removes the team with its memberships and invitations. */
  readonly delete: (teamId: TeamId) => Effect.Effect<void, TeamRepositoryError>

  readonly membership: (teamId: TeamId, userId: UserId) => Effect.Effect<Option.Option<Membership>, TeamRepositoryError>
  readonly members: (teamId: TeamId) => Effect.Effect<ReadonlyArray<Membership>, TeamRepositoryError>
  /** The caller's teams with their role, by the userId index. */
  readonly teamsOf: (userId: UserId) => Effect.Effect<ReadonlyArray<TeamWithRole>, TeamRepositoryError>

  /**
   * Stores a pending invitation if no other pending invitation of the same team for the same email
   * is still unexpired at `invitation.createdAt` (Conflict "InvitationPending"), and the id is new
   * (Conflict "InvitationExists"). NotFound when the team does not exist.
   */
  readonly addInvitation: (invitation: Invitation) => Effect.Effect<void, Conflict | NotFound | TeamRepositoryError>
  readonly invitation: (id: InvitationId) => Effect.Effect<Option.Option<Invitation>, TeamRepositoryError>
  /** Pending invitations addressed to `email` that have not expired at `now`. */
  readonly pendingInvitationsFor: (email: Email, now: number) => Effect.Effect<ReadonlyArray<Invitation>, TeamRepositoryError>
  /**
   * Atomically: the invitation goes pending → accepted and `membership` is inserted. In this order:
   * NotFound when the invitation (or its team) does not exist, its stored team or email is not the
   * given one, or it belongs to another team than `membership.teamId`; Conflict
   * "InvitationNotPending" when it was already answered (whatever status the caller's copy shows);
   * Gone "InvitationExpired" when it expired, as stored, at or before `membership.joinedAt`;
   * Conflict "AlreadyMember" when the user is already a member.
   */
  readonly acceptInvitation: (
    invitation: AnsweredInvitation,
    membership: Membership
  ) => Effect.Effect<Membership, Conflict | Gone | NotFound | TeamRepositoryError>
  /**
   * Atomically pending → declined. NotFound when the invitation (or its team) does not exist or its
   * stored team or email is not the given one; Conflict "InvitationNotPending" when no longer pending.
   */
  readonly declineInvitation: (invitation: AnsweredInvitation) => Effect.Effect<void, Conflict | NotFound | TeamRepositoryError>

  /**
   * Sets a member's role if their current role is one of `expected`; otherwise Conflict
   * "RoleChanged". NotFound when the team or the member does not exist.
   */
  readonly changeRole: (
    teamId: TeamId,
    userId: UserId,
    role: GrantableRole,
    expected: ReadonlyArray<Role>
  ) => Effect.Effect<Membership, Conflict | NotFound | TeamRepositoryError>
  /**
   * Atomically makes `to` the owner and `from` an admin, if `from` is the owner and `to` a member
   * of the team at that moment. NotFound when the team, `from` or `to` is not there; Conflict
   * "AlreadyOwner" when `from` is `to`, "NotOwner" when `from` is no longer the owner.
   */
  readonly transferOwnership: (teamId: TeamId, from: UserId, to: UserId) => Effect.Effect<void, Conflict | NotFound | TeamRepositoryError>
  /**
   * Removes a member if their current role is one of `expected`; otherwise Conflict "RoleChanged".
   * NotFound when the team or the member does not exist.
   */
  readonly removeMember: (
    teamId: TeamId,
    userId: UserId,
    expected: ReadonlyArray<Role>
  ) => Effect.Effect<void, Conflict | NotFound | TeamRepositoryError>
}>()("@app/domain/Teams/TeamRepository") {}

/**
 * The caller's membership of `teamId`, or NotFound(resource) for a non-member or a missing team
 * alike: an outsider learns nothing about a team, not even that it exists. Every team-scoped use
 * case (teams, chat rooms, devices) starts here.
 */
export const requireMembership = (
  repo: TeamRepository["Service"],
  teamId: TeamId,
  userId: UserId,
  resource = "team"
): Effect.Effect<Membership, NotFound | TeamRepositoryError> =>
  Effect.flatMap(
    repo.membership(teamId, userId),
    Option.match({
      onNone: () => Effect.fail(NotFound.of(resource)),
      onSome: Effect.succeed
    })
  )
