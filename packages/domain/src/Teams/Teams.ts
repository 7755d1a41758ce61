/**
 * The team use cases of 002 behind the team routes of API.md: who may create, read, rename and
 * delete a team, invite, answer an invitation, change roles, transfer ownership and remove members.
 * The rule (which role may do what) is decided here; every write whose precondition a concurrent
 * request could invalidate is handed to the repository as a conditional operation (`expected`
 * roles, transferOwnership, acceptInvitation), so the store decides races and a team keeps exactly
 * one owner whatever runs in parallel.
 *
 * Refusals, in the order they are checked:
 * - a caller who is not a member of the team (or a team that does not exist) → NotFound("team"),
 *   for every team operation, before any role check;
 * - a member whose role does not allow the action → Forbidden ("AdminOrOwnerRequired",
 *   "OwnerRequired", "CannotRemoveOwner");
 * - the target's state does not allow it → Conflict ("TransferOwnershipFirst" when the owner tries
 *   to leave or change their own role, "AlreadyOwner", "AlreadyMember", "InvitationPending",
 *   "InvitationNotPending", "RoleChanged"/"NotOwner" when a race was lost), NotFound("member") for a
 *   user who is not a member, Gone("InvitationExpired").
 * An invitation addressed to another email than the caller's is NotFound("invitation"), exactly as
 * if it did not exist: invitation ids are not confirmed to anyone but the invitee.
 */
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import { type Actor, requireSelf } from "../Actor.js"
import { Conflict, Forbidden, Gone, NotFound } from "../DomainError.js"
import { Ids } from "../Ids.js"
import { DAY, Millis } from "../Millis.js"
import { Email, UserId } from "../Users/User.js"
import { UserRepository, type UserRepositoryError } from "../Users/UserRepository.js"
import {
  GrantableRole,
  Invitation,
  InvitationId,
  Membership,
  Role,
  Team,
  TeamId,
  TeamName
} from "./Team.js"
import { requireMembership, TeamRepository, type TeamRepositoryError } from "./TeamRepository.js"

/** How long an invitation can be answered. */
export const INVITATION_TTL_MILLIS = 7 * DAY

export const CreateTeamInput = Schema.Struct({ name: TeamName })
export type CreateTeamInput = typeof CreateTeamInput.Type

/** The body of a rename is the body of a create: `{ name }`. */
export const RenameTeamInput = CreateTeamInput
export type RenameTeamInput = CreateTeamInput

export const InviteInput = Schema.Struct({ email: Email, role: GrantableRole })
export type InviteInput = typeof InviteInput.Type

export const ChangeRoleInput = Schema.Struct({ role: GrantableRole })
export type ChangeRoleInput = typeof ChangeRoleInput.Type

export const TransferInput = Schema.Struct({ userId: UserId })
export type TransferInput = typeof TransferInput.Type

/** The answer to create: the new team and the creator's role, always "owner". */
export class CreatedTeam extends Schema.Class<CreatedTeam>("@app/domain/Teams/CreatedTeam")({
  teamId: TeamId,
  name: TeamName,
  createdAt: Millis,
  role: Role
}) {}

/** One of the caller's teams, as listed by listMine. */
export class MyTeam extends Schema.Class<MyTeam>("@app/domain/Teams/MyTeam")({
  teamId: TeamId,
  teamName: TeamName,
  role: Role,
  joinedAt: Millis
}) {}

/** A member as a teammate sees them; `name` is null when the user record is missing. */
export class TeamMember extends Schema.Class<TeamMember>("@app/domain/Teams/TeamMember")({
  userId: UserId,
  name: Schema.NullOr(Schema.String),
  role: Role,
  invitedBy: Schema.NullOr(UserId),
  joinedAt: Millis
}) {}

/** A team with its members: owner first, then admins, then members, each by joinedAt. */
export class TeamDetails extends Schema.Class<TeamDetails>("@app/domain/Teams/TeamDetails")({
  teamId: TeamId,
  name: TeamName,
  createdAt: Millis,
  members: Schema.Array(TeamMember)
}) {}

/** A pending, unexpired invitation addressed to the caller, with the team's name. */
export class PendingInvitation extends Schema.Class<PendingInvitation>("@app/domain/Teams/PendingInvitation")({
  invitationId: InvitationId,
  teamId: TeamId,
  teamName: TeamName,
  email: Email,
  role: GrantableRole,
  invitedBy: UserId,
  createdAt: Millis,
  expiresAt: Millis
}) {}

const roleRank: Record<Role, number> = { owner: 0, admin: 1, member: 2 }

const teamNotFound = () => NotFound.of("team")
const memberNotFound = () => NotFound.of("member")
const invitationNotFound = () => NotFound.of("invitation")

const adminOrOwnerRequired = () =>
  new Forbidden({ code: "AdminOrOwnerRequired", message: "only the owner or an admin of the team may do this" })
const ownerRequired = () => new Forbidden({ code: "OwnerRequired", message: "only the owner of the team may do this" })
const transferOwnershipFirst = () =>
  new Conflict({
    code: "TransferOwnershipFirst",
    message: "the owner keeps the owner role until ownership is transferred to another member"
  })

export class Teams extends Context.Service<Teams, {
  /** Any caller: a new team whose owner is the caller. */
  readonly create: (actor: Actor, input: CreateTeamInput) => Effect.Effect<CreatedTeam, TeamRepositoryError>
  /** The caller's own teams; another user's id → Forbidden "NotSelf". */
  readonly listMine: (
    actor: Actor,
    userId: UserId
  ) => Effect.Effect<ReadonlyArray<MyTeam>, Forbidden | TeamRepositoryError>
  /** Any member. */
  readonly get: (
    actor: Actor,
    teamId: TeamId
  ) => Effect.Effect<TeamDetails, NotFound | TeamRepositoryError | UserRepositoryError>
  /** Owner or admin. */
  readonly rename: (
    actor: Actor,
    teamId: TeamId,
    input: RenameTeamInput
  ) => Effect.Effect<Team, NotFound | Forbidden | TeamRepositoryError>
  /** Owner only; removes memberships and invitations with the team. */
  readonly delete: (actor: Actor, teamId: TeamId) => Effect.Effect<void, NotFound | Forbidden | TeamRepositoryError>
  /** Owner or admin; expires after 7 days. Conflict "AlreadyMember" / "InvitationPending". */
  readonly invite: (
    actor: Actor,
    teamId: TeamId,
    input: InviteInput
  ) => Effect.Effect<Invitation, NotFound | Forbidden | Conflict | TeamRepositoryError | UserRepositoryError>
  /** Pending, unexpired invitations addressed to the caller's email, oldest first. */
  readonly myInvitations: (actor: Actor) => Effect.Effect<ReadonlyArray<PendingInvitation>, TeamRepositoryError>
  /** The invited email's user only: the new membership, with invitedBy. */
  readonly accept: (
    actor: Actor,
    invitationId: InvitationId
  ) => Effect.Effect<Membership, NotFound | Conflict | Gone | TeamRepositoryError>
  /** The invited email's user only. */
  readonly decline: (
    actor: Actor,
    invitationId: InvitationId
  ) => Effect.Effect<void, NotFound | Conflict | Gone | TeamRepositoryError>
  /** Owner only, never the owner's own role: ownership moves only by transfer. */
  readonly changeRole: (
    actor: Actor,
    teamId: TeamId,
    userId: UserId,
    input: ChangeRoleInput
  ) => Effect.Effect<Membership, NotFound | Forbidden | Conflict | TeamRepositoryError>
  /** Owner only, to another member; the old owner becomes admin. */
  readonly transfer: (
    actor: Actor,
    teamId: TeamId,
    input: TransferInput
  ) => Effect.Effect<void, NotFound | Forbidden | Conflict | TeamRepositoryError>
  /**
   * The owner removes admins and members; an admin removes members; anyone but the owner removes
   * themselves (leaves); the owner leaving → Conflict "TransferOwnershipFirst".
   */
  readonly removeMember: (
    actor: Actor,
    teamId: TeamId,
    userId: UserId
  ) => Effect.Effect<void, NotFound | Forbidden | Conflict | TeamRepositoryError>
}>()("@app/domain/Teams/Teams") {
  static readonly layer = Layer.effect(
    Teams,
    Effect.gen(function*() {
      const repo = yield* TeamRepository
      const users = yield* UserRepository
      const ids = yield* Ids

      /** The caller's membership, or NotFound("team") for a non-member or a missing team. */
      const membershipOf = (actor: Actor, teamId: TeamId) => requireMembership(repo, teamId, actor.userId)

      const requireAdminOrOwner = (membership: Membership) =>
        membership.role === "member" ? Effect.fail(adminOrOwnerRequired()) : Effect.void

      const requireOwner = (membership: Membership) =>
        membership.role === "owner" ? Effect.void : Effect.fail(ownerRequired())

      /** The invitation if it is addressed to the caller; NotFound for anyone else. */
      const invitationFor = (actor: Actor, invitationId: InvitationId) =>
        Effect.gen(function*() {
          const found = yield* repo.invitation(invitationId)
          if (Option.isNone(found) || found.value.email !== actor.email) return yield* invitationNotFound()
          const invitation = found.value
          if (invitation.status !== "pending") {
            return yield* new Conflict({ code: "InvitationNotPending", message: `invitation is ${invitation.status}` })
          }
          const now = yield* Clock.currentTimeMillis
          if (invitation.expiresAt <= now) {
            return yield* new Gone({ code: "InvitationExpired", message: "invitation has expired" })
          }
          return { invitation, now }
        })

      const create = Effect.fn("Teams.create")(function*(actor: Actor, input: CreateTeamInput) {
        const now = yield* Clock.currentTimeMillis
        const teamId = TeamId.make(yield* ids.next)
        const team = new Team({ teamId, name: input.name, createdAt: now, updatedAt: now })
        const owner = new Membership({ teamId, userId: actor.userId, role: "owner", invitedBy: null, joinedAt: now })
        yield* repo.create(team, owner)
        return new CreatedTeam({ teamId, name: team.name, createdAt: now, role: "owner" })
      })

      const listMine = Effect.fn("Teams.listMine")(function*(actor: Actor, userId: UserId) {
        yield* requireSelf(actor, userId)
        const teams = yield* repo.teamsOf(userId)
        return teams
          .map(({ membership, team }) =>
            new MyTeam({ teamId: team.teamId, teamName: team.name, role: membership.role, joinedAt: membership.joinedAt })
          )
          .sort((a, b) => a.joinedAt - b.joinedAt || (a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0))
      })

      const get = Effect.fn("Teams.get")(function*(actor: Actor, teamId: TeamId) {
        yield* membershipOf(actor, teamId)
        const team = yield* repo.get(teamId)
        if (Option.isNone(team)) return yield* teamNotFound()
        const members = yield* repo.members(teamId)
        const names = new Map((yield* users.byIds(members.map((m) => m.userId))).map((u) => [u.userId, u.name]))
        return new TeamDetails({
          teamId,
          name: team.value.name,
          createdAt: team.value.createdAt,
          members: [...members]
            .sort((a, b) => roleRank[a.role] - roleRank[b.role] || a.joinedAt - b.joinedAt)
            .map((m) =>
              new TeamMember({
                userId: m.userId,
                name: names.get(m.userId) ?? null,
                role: m.role,
                invitedBy: m.invitedBy,
                joinedAt: m.joinedAt
              })
            )
        })
      })

      const rename = Effect.fn("Teams.rename")(function*(actor: Actor, teamId: TeamId, input: RenameTeamInput) {
        yield* requireAdminOrOwner(yield* membershipOf(actor, teamId))
        const now = yield* Clock.currentTimeMillis
        return yield* repo.rename(teamId, input.name, now).pipe(
          Effect.catchTag("NotFound", () => Effect.fail(teamNotFound()))
        )
      })

      const delete_ = Effect.fn("Teams.delete")(function*(actor: Actor, teamId: TeamId) {
        yield* requireOwner(yield* membershipOf(actor, teamId))
        yield* repo.delete(teamId)
      })

      const invite = Effect.fn("Teams.invite")(function*(actor: Actor, teamId: TeamId, input: InviteInput) {
        yield* requireAdminOrOwner(yield* membershipOf(actor, teamId))
        const invitee = yield* users.byEmail(input.email)
        if (Option.isSome(invitee)) {
          const existing = yield* repo.membership(teamId, invitee.value.user.userId)
          if (Option.isSome(existing)) {
            return yield* new Conflict({ code: "AlreadyMember", message: "this email belongs to a member of the team" })
          }
        }
        const now = yield* Clock.currentTimeMillis
        const invitation = new Invitation({
          invitationId: InvitationId.make(yield* ids.next),
          teamId,
          email: input.email,
          role: input.role,
          invitedBy: actor.userId,
          status: "pending",
          createdAt: now,
          expiresAt: now + INVITATION_TTL_MILLIS
        })
        yield* repo.addInvitation(invitation).pipe(
          Effect.catchTag("NotFound", () => Effect.fail(teamNotFound()))
        )
        return invitation
      })

      const myInvitations = Effect.fn("Teams.myInvitations")(function*(actor: Actor) {
        const now = yield* Clock.currentTimeMillis
        const pending = yield* repo.pendingInvitationsFor(actor.email, now)
        const ordered = [...pending].sort((a, b) => a.createdAt - b.createdAt)
        // Each team is read once, and the reads run together rather than one after another.
        const teamIds = [...new Set(ordered.map((invitation) => invitation.teamId))]
        const teams = new Map(
          yield* Effect.forEach(teamIds, (teamId) => Effect.map(repo.get(teamId), (team) => [teamId, team] as const), {
            concurrency: 8
          })
        )
        const result: Array<PendingInvitation> = []
        for (const invitation of ordered) {
          const team = teams.get(invitation.teamId) ?? Option.none()
          if (Option.isNone(team)) continue
          result.push(
            new PendingInvitation({
              invitationId: invitation.invitationId,
              teamId: invitation.teamId,
              teamName: team.value.name,
              email: invitation.email,
              role: invitation.role,
              invitedBy: invitation.invitedBy,
              createdAt: invitation.createdAt,
              expiresAt: invitation.expiresAt
            })
          )
        }
        return result
      })

      const accept = Effect.fn("Teams.accept")(function*(actor: Actor, invitationId: InvitationId) {
        const { invitation, now } = yield* invitationFor(actor, invitationId)
        // The invitation as just read: the store re-checks it and decides what may have changed since.
        return yield* repo.acceptInvitation(
          invitation,
          new Membership({
            teamId: invitation.teamId,
            userId: actor.userId,
            role: invitation.role,
            invitedBy: invitation.invitedBy,
            joinedAt: now
          })
        )
      })

      const decline = Effect.fn("Teams.decline")(function*(actor: Actor, invitationId: InvitationId) {
        const { invitation } = yield* invitationFor(actor, invitationId)
        yield* repo.declineInvitation(invitation)
      })

      const changeRole = Effect.fn("Teams.changeRole")(
        function*(actor: Actor, teamId: TeamId, userId: UserId, input: ChangeRoleInput) {
          yield* requireOwner(yield* membershipOf(actor, teamId))
          if (userId === actor.userId) return yield* transferOwnershipFirst()
          // The owner's role is never in `expected`: if the target became the owner meanwhile, the store refuses.
          return yield* repo.changeRole(teamId, userId, input.role, ["admin", "member"]).pipe(
            Effect.catchTag("NotFound", () => Effect.fail(memberNotFound()))
          )
        }
      )

      const transfer = Effect.fn("Teams.transfer")(function*(actor: Actor, teamId: TeamId, input: TransferInput) {
        yield* requireOwner(yield* membershipOf(actor, teamId))
        if (input.userId === actor.userId) {
          return yield* new Conflict({ code: "AlreadyOwner", message: "you already own this team" })
        }
        yield* repo.transferOwnership(teamId, actor.userId, input.userId).pipe(
          Effect.catchTag("NotFound", () => Effect.fail(memberNotFound()))
        )
      })

      const removeMember = Effect.fn("Teams.removeMember")(function*(actor: Actor, teamId: TeamId, userId: UserId) {
        const mine = yield* membershipOf(actor, teamId)
        if (userId === actor.userId) {
          if (mine.role === "owner") return yield* transferOwnershipFirst()
          return yield* repo.removeMember(teamId, userId, [mine.role]).pipe(
            Effect.catchTag("NotFound", () => Effect.fail(memberNotFound()))
          )
        }
        yield* requireAdminOrOwner(mine)
        const target = yield* repo.membership(teamId, userId)
        if (Option.isNone(target)) return yield* memberNotFound()
        if (target.value.role === "owner") {
          return yield* new Forbidden({ code: "CannotRemoveOwner", message: "the owner cannot be removed" })
        }
        if (mine.role === "admin" && target.value.role === "admin") return yield* ownerRequired()
        // Removable roles for this actor: the store refuses if the target's role changed meanwhile.
        const expected: ReadonlyArray<Role> = mine.role === "owner" ? ["admin", "member"] : ["member"]
        yield* repo.removeMember(teamId, userId, expected).pipe(
          Effect.catchTag("NotFound", () => Effect.fail(memberNotFound()))
        )
      })

      return Teams.of({
        create,
        listMine,
        get,
        rename,
        delete: delete_,
        invite,
        myInvitations,
        accept,
        decline,
        changeRole,
        transfer,
        removeMember
      })
    })
  )
}
