import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { TestClock } from "effect/testing"
import { DAY, HOUR } from "../../src/Millis.js"
import { InvitationId, TeamId } from "../../src/Teams/Team.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import {
  ChangeRoleInput,
  CreateTeamInput,
  INVITATION_TTL_MILLIS,
  InviteInput,
  RenameTeamInput,
  Teams,
  TransferInput
} from "../../src/Teams/Teams.js"
import { decodeInput } from "../../src/Validation.js"
import { emailOf, refusal, register, slowRepositoryLayer, T0, teamsLayer } from "./fixtures.js"

const notFound = (resource: string) => ({ tag: "NotFound", resource })
const forbidden = (code: string) => ({ tag: "Forbidden", code })
const conflict = (code: string) => ({ tag: "Conflict", code })

/** A team owned by `owner` with one admin and one member who joined by invitation, and a stranger. */
const world = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  const teams = yield* Teams
  const owner = yield* register("owner")
  const admin = yield* register("admin")
  const admin2 = yield* register("admin2")
  const member = yield* register("member")
  const member2 = yield* register("member2")
  const stranger = yield* register("stranger")
  const { teamId } = yield* teams.create(owner, { name: "Crew" })
  for (const [who, role] of [[admin, "admin"], [admin2, "admin"], [member, "member"], [member2, "member"]] as const) {
    const invitation = yield* teams.invite(owner, teamId, { email: who.email, role })
    yield* teams.accept(who, invitation.invitationId)
  }
  return { teams, teamId, owner, admin, admin2, member, member2, stranger }
})

const roleOf = (teamId: TeamId, userId: string) =>
  Effect.gen(function*() {
    const repo = yield* TeamRepository
    return Option.getOrUndefined(yield* repo.membership(teamId, userId as never))?.role
  })

const ownerCount = (teamId: TeamId) =>
  Effect.map(TeamRepository.use((repo) => repo.members(teamId)), (ms) => ms.filter((m) => m.role === "owner").length)

describe("Teams", () => {
  describe("inputs", () => {
    it.effect("decode names, emails and grantable roles; owner is never grantable", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* decodeInput(CreateTeamInput)({ name: "  Crew " }), { name: "Crew" })
        const invite = yield* decodeInput(InviteInput)({ email: " Bob@Example.COM ", role: "admin" })
        assert.deepStrictEqual(invite, { email: "bob@example.com", role: "admin" })
        const bad = yield* decodeInput(InviteInput)({ email: "nope", role: "owner" }).pipe(Effect.flip)
        assert.deepStrictEqual(bad.errors.map((e) => e.path).sort(), ["email", "role"])
        assert.deepStrictEqual(
          (yield* decodeInput(ChangeRoleInput)({ role: "owner" }).pipe(Effect.flip)).errors.map((e) => e.path),
          ["role"]
        )
        assert.deepStrictEqual(
          (yield* decodeInput(RenameTeamInput)({ name: "" }).pipe(Effect.flip)).errors.map((e) => e.path),
          ["name"]
        )
        assert.deepStrictEqual(
          (yield* decodeInput(RenameTeamInput)({ name: "x".repeat(101) }).pipe(Effect.flip)).errors.map((e) => e.path),
          ["name"]
        )
        assert.deepStrictEqual(
          (yield* decodeInput(TransferInput)({ userId: "" }).pipe(Effect.flip)).errors.map((e) => e.path),
          ["userId"]
        )
      }))
  })

  describe("create, list, get", () => {
    it.effect("the creator is the owner; the team is listed and readable with member names", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const teams = yield* Teams
        const ada = yield* register("ada")
        const created = yield* teams.create(ada, { name: "Crew" })
        assert.strictEqual(created.role, "owner")
        assert.strictEqual(created.name, "Crew")
        assert.strictEqual(created.createdAt, T0)
        const mine = yield* teams.listMine(ada, ada.userId)
        assert.deepStrictEqual(mine.map((t) => ({ ...t })), [
          { teamId: created.teamId, teamName: "Crew", role: "owner", joinedAt: T0 }
        ])
        const details = yield* teams.get(ada, created.teamId)
        assert.deepStrictEqual(details.members.map((m) => ({ ...m })), [
          { userId: ada.userId, name: "ada", role: "owner", invitedBy: null, joinedAt: T0 }
        ])
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("get lists owner, admins and members with who invited them", () =>
      Effect.gen(function*() {
        const { admin, member, owner, teamId, teams } = yield* world
        const details = yield* teams.get(member, teamId)
        assert.strictEqual(details.name, "Crew")
        assert.deepStrictEqual(details.members.map((m) => m.role), ["owner", "admin", "admin", "member", "member"])
        const adminRow = details.members.find((m) => m.userId === admin.userId)!
        assert.strictEqual(adminRow.invitedBy, owner.userId)
        assert.strictEqual(adminRow.name, "admin")
        assert.strictEqual(details.members.find((m) => m.userId === member.userId)!.role, "member")
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("non-members and unknown teams get NotFound; listing another user's teams is Forbidden", () =>
      Effect.gen(function*() {
        const { member, stranger, teamId, teams } = yield* world
        assert.deepStrictEqual(yield* refusal(teams.get(stranger, teamId)), notFound("team"))
        assert.deepStrictEqual(yield* refusal(teams.get(member, TeamId.make("no-such-team"))), notFound("team"))
        assert.deepStrictEqual(yield* refusal(teams.listMine(stranger, member.userId)), forbidden("NotSelf"))
        assert.deepStrictEqual(yield* teams.listMine(stranger, stranger.userId), [])
      }).pipe(Effect.provide(teamsLayer())))
  })

  describe("rename and delete", () => {
    it.effect("owner and admins rename; members are Forbidden; strangers NotFound", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        yield* TestClock.adjust(HOUR)
        const renamed = yield* teams.rename(owner, teamId, { name: "Crew 2" })
        assert.strictEqual(renamed.name, "Crew 2")
        assert.strictEqual(renamed.updatedAt, T0 + HOUR)
        assert.strictEqual((yield* teams.rename(admin, teamId, { name: "Crew 3" })).name, "Crew 3")
        assert.deepStrictEqual(yield* refusal(teams.rename(member, teamId, { name: "X" })), forbidden("AdminOrOwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.rename(stranger, teamId, { name: "X" })), notFound("team"))
        assert.strictEqual((yield* teams.get(member, teamId)).name, "Crew 3")
        assert.strictEqual((yield* teams.listMine(member, member.userId))[0]!.teamName, "Crew 3")
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("only the owner deletes; the team, memberships and invitations are gone", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        assert.deepStrictEqual(yield* refusal(teams.delete(admin, teamId)), forbidden("OwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.delete(member, teamId)), forbidden("OwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.delete(stranger, teamId)), notFound("team"))
        const invitation = yield* teams.invite(owner, teamId, { email: stranger.email, role: "member" })
        yield* teams.delete(owner, teamId)
        assert.deepStrictEqual(yield* refusal(teams.get(owner, teamId)), notFound("team"))
        assert.deepStrictEqual(yield* teams.listMine(member, member.userId), [])
        assert.deepStrictEqual(yield* teams.myInvitations(stranger), [])
        assert.deepStrictEqual(yield* refusal(teams.accept(stranger, invitation.invitationId)), notFound("invitation"))
        assert.deepStrictEqual(yield* refusal(teams.delete(owner, teamId)), notFound("team"))
      }).pipe(Effect.provide(teamsLayer())))
  })

  describe("invitations", () => {
    it.effect("owner and admins invite for 7 days; members Forbidden; strangers NotFound", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        const now = T0 + 3 * HOUR
        yield* TestClock.setTime(now)
        const invitation = yield* teams.invite(owner, teamId, { email: emailOf("newbie"), role: "admin" })
        assert.deepStrictEqual(
          { ...invitation },
          {
            invitationId: invitation.invitationId,
            teamId,
            email: emailOf("newbie"),
            role: "admin",
            invitedBy: owner.userId,
            status: "pending",
            createdAt: now,
            expiresAt: now + 7 * DAY
          }
        )
        assert.strictEqual(INVITATION_TTL_MILLIS, 7 * DAY)
        const byAdmin = yield* teams.invite(admin, teamId, { email: emailOf("other"), role: "member" })
        assert.strictEqual(byAdmin.invitedBy, admin.userId)
        assert.deepStrictEqual(
          yield* refusal(teams.invite(member, teamId, { email: emailOf("x"), role: "member" })),
          forbidden("AdminOrOwnerRequired")
        )
        assert.deepStrictEqual(
          yield* refusal(teams.invite(stranger, teamId, { email: emailOf("x"), role: "member" })),
          notFound("team")
        )
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("inviting a member's email, or an email with a pending invitation, is a Conflict", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        assert.deepStrictEqual(
          yield* refusal(teams.invite(owner, teamId, { email: member.email, role: "admin" })),
          conflict("AlreadyMember")
        )
        assert.deepStrictEqual(
          yield* refusal(teams.invite(admin, teamId, { email: owner.email, role: "member" })),
          conflict("AlreadyMember")
        )
        yield* teams.invite(owner, teamId, { email: stranger.email, role: "member" })
        assert.deepStrictEqual(
          yield* refusal(teams.invite(admin, teamId, { email: stranger.email, role: "admin" })),
          conflict("InvitationPending")
        )
        // Once expired, the email may be invited again.
        yield* TestClock.adjust(7 * DAY)
        yield* teams.invite(admin, teamId, { email: stranger.email, role: "admin" })
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("myInvitations lists the caller's pending, unexpired invitations with the team name", () =>
      Effect.gen(function*() {
        const { owner, stranger, teamId, teams } = yield* world
        const other = yield* teams.create(owner, { name: "Other" })
        const first = yield* teams.invite(owner, teamId, { email: stranger.email, role: "member" })
        yield* TestClock.adjust(DAY)
        const second = yield* teams.invite(owner, other.teamId, { email: stranger.email, role: "admin" })
        yield* teams.invite(owner, other.teamId, { email: emailOf("someone-else"), role: "admin" })
        const listed = yield* teams.myInvitations(stranger)
        assert.deepStrictEqual(listed.map((i) => [i.invitationId, i.teamName, i.role]), [
          [first.invitationId, "Crew", "member"],
          [second.invitationId, "Other", "admin"]
        ])
        yield* teams.decline(stranger, second.invitationId)
        assert.deepStrictEqual((yield* teams.myInvitations(stranger)).map((i) => i.invitationId), [first.invitationId])
        yield* TestClock.adjust(6 * DAY)
        assert.deepStrictEqual(yield* teams.myInvitations(stranger), [])
        assert.deepStrictEqual(yield* teams.myInvitations(owner), [])
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("the invitee accepts: a membership with the invited role and invitedBy", () =>
      Effect.gen(function*() {
        const { admin, stranger, teamId, teams } = yield* world
        const invitation = yield* teams.invite(admin, teamId, { email: stranger.email, role: "admin" })
        yield* TestClock.adjust(HOUR)
        const membership = yield* teams.accept(stranger, invitation.invitationId)
        assert.deepStrictEqual({ ...membership }, {
          teamId,
          userId: stranger.userId,
          role: "admin",
          invitedBy: admin.userId,
          joinedAt: T0 + HOUR
        })
        assert.strictEqual(yield* roleOf(teamId, stranger.userId), "admin")
        assert.deepStrictEqual((yield* teams.listMine(stranger, stranger.userId)).map((t) => t.role), ["admin"])
        assert.deepStrictEqual(yield* refusal(teams.accept(stranger, invitation.invitationId)), conflict("InvitationNotPending"))
        assert.deepStrictEqual(yield* refusal(teams.decline(stranger, invitation.invitationId)), conflict("InvitationNotPending"))
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("an invitation sent before sign-up is accepted by the user who later registers that email", () =>
      Effect.gen(function*() {
        const { owner, teamId, teams } = yield* world
        const invitation = yield* teams.invite(owner, teamId, { email: emailOf("later"), role: "member" })
        const later = yield* register("later")
        assert.deepStrictEqual((yield* teams.myInvitations(later)).map((i) => i.invitationId), [invitation.invitationId])
        yield* teams.accept(later, invitation.invitationId)
        assert.strictEqual(yield* roleOf(teamId, later.userId), "member")
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("anyone but the invitee gets NotFound, members and the inviter included", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        const invitation = yield* teams.invite(owner, teamId, { email: emailOf("invitee"), role: "member" })
        for (const actor of [owner, admin, member, stranger]) {
          assert.deepStrictEqual(yield* refusal(teams.accept(actor, invitation.invitationId)), notFound("invitation"))
          assert.deepStrictEqual(yield* refusal(teams.decline(actor, invitation.invitationId)), notFound("invitation"))
        }
        assert.deepStrictEqual(
          yield* refusal(teams.accept(stranger, InvitationId.make("no-such-invitation"))),
          notFound("invitation")
        )
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("an expired invitation is Gone for accept and decline", () =>
      Effect.gen(function*() {
        const { owner, stranger, teamId, teams } = yield* world
        const invitation = yield* teams.invite(owner, teamId, { email: stranger.email, role: "member" })
        yield* TestClock.adjust(7 * DAY - 1)
        assert.strictEqual((yield* teams.myInvitations(stranger)).length, 1)
        yield* TestClock.adjust(1)
        const gone = { tag: "Gone", code: "InvitationExpired" }
        assert.deepStrictEqual(yield* refusal(teams.accept(stranger, invitation.invitationId)), gone)
        assert.deepStrictEqual(yield* refusal(teams.decline(stranger, invitation.invitationId)), gone)
        assert.strictEqual(yield* roleOf(teamId, stranger.userId), undefined)
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("a declined invitation cannot be accepted", () =>
      Effect.gen(function*() {
        const { owner, stranger, teamId, teams } = yield* world
        const invitation = yield* teams.invite(owner, teamId, { email: stranger.email, role: "member" })
        yield* teams.decline(stranger, invitation.invitationId)
        assert.deepStrictEqual(yield* refusal(teams.accept(stranger, invitation.invitationId)), conflict("InvitationNotPending"))
        assert.strictEqual(yield* roleOf(teamId, stranger.userId), undefined)
      }).pipe(Effect.provide(teamsLayer())))
  })

  describe("roles and ownership", () => {
    it.effect("only the owner changes roles, never their own; strangers NotFound", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        const promoted = yield* teams.changeRole(owner, teamId, member.userId, { role: "admin" })
        assert.strictEqual(promoted.role, "admin")
        assert.strictEqual(promoted.invitedBy, owner.userId)
        yield* teams.changeRole(owner, teamId, admin.userId, { role: "member" })
        assert.strictEqual(yield* roleOf(teamId, admin.userId), "member")
        assert.deepStrictEqual(
          yield* refusal(teams.changeRole(member, teamId, admin.userId, { role: "admin" })),
          forbidden("OwnerRequired")
        )
        assert.deepStrictEqual(
          yield* refusal(teams.changeRole(admin, teamId, member.userId, { role: "member" })),
          forbidden("OwnerRequired")
        )
        assert.deepStrictEqual(
          yield* refusal(teams.changeRole(stranger, teamId, member.userId, { role: "member" })),
          notFound("team")
        )
        assert.deepStrictEqual(
          yield* refusal(teams.changeRole(owner, teamId, owner.userId, { role: "admin" })),
          conflict("TransferOwnershipFirst")
        )
        assert.deepStrictEqual(
          yield* refusal(teams.changeRole(owner, teamId, stranger.userId, { role: "admin" })),
          notFound("member")
        )
        assert.strictEqual(yield* ownerCount(teamId), 1)
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("transfer: the target becomes owner, the old owner admin; only the owner, only to a member", () =>
      Effect.gen(function*() {
        const { admin, member, owner, stranger, teamId, teams } = yield* world
        assert.deepStrictEqual(yield* refusal(teams.transfer(admin, teamId, { userId: member.userId })), forbidden("OwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.transfer(member, teamId, { userId: member.userId })), forbidden("OwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.transfer(stranger, teamId, { userId: member.userId })), notFound("team"))
        assert.deepStrictEqual(yield* refusal(teams.transfer(owner, teamId, { userId: owner.userId })), conflict("AlreadyOwner"))
        assert.deepStrictEqual(yield* refusal(teams.transfer(owner, teamId, { userId: stranger.userId })), notFound("member"))
        yield* teams.transfer(owner, teamId, { userId: member.userId })
        assert.strictEqual(yield* roleOf(teamId, member.userId), "owner")
        assert.strictEqual(yield* roleOf(teamId, owner.userId), "admin")
        assert.strictEqual(yield* ownerCount(teamId), 1)
        // The old owner is an admin now: no more owner actions; the new owner has them.
        assert.deepStrictEqual(yield* refusal(teams.delete(owner, teamId)), forbidden("OwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.transfer(owner, teamId, { userId: admin.userId })), forbidden("OwnerRequired"))
        yield* teams.changeRole(member, teamId, owner.userId, { role: "member" })
        assert.strictEqual(yield* roleOf(teamId, owner.userId), "member")
        // The old owner may now leave.
        yield* teams.removeMember(owner, teamId, owner.userId)
        assert.strictEqual(yield* roleOf(teamId, owner.userId), undefined)
      }).pipe(Effect.provide(teamsLayer())))
  })

  describe("removing members", () => {
    it.effect("the owner removes admins and members", () =>
      Effect.gen(function*() {
        const { admin, member, owner, teamId, teams } = yield* world
        yield* teams.removeMember(owner, teamId, admin.userId)
        yield* teams.removeMember(owner, teamId, member.userId)
        assert.strictEqual(yield* roleOf(teamId, admin.userId), undefined)
        assert.strictEqual(yield* roleOf(teamId, member.userId), undefined)
        assert.deepStrictEqual(yield* refusal(teams.get(admin, teamId)), notFound("team"))
        assert.deepStrictEqual(yield* refusal(teams.removeMember(owner, teamId, admin.userId)), notFound("member"))
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("an admin removes members, not other admins and not the owner", () =>
      Effect.gen(function*() {
        const { admin, admin2, member, owner, stranger, teamId, teams } = yield* world
        yield* teams.removeMember(admin, teamId, member.userId)
        assert.strictEqual(yield* roleOf(teamId, member.userId), undefined)
        assert.deepStrictEqual(yield* refusal(teams.removeMember(admin, teamId, admin2.userId)), forbidden("OwnerRequired"))
        assert.deepStrictEqual(yield* refusal(teams.removeMember(admin, teamId, owner.userId)), forbidden("CannotRemoveOwner"))
        assert.deepStrictEqual(yield* refusal(teams.removeMember(admin, teamId, stranger.userId)), notFound("member"))
        assert.strictEqual(yield* roleOf(teamId, admin2.userId), "admin")
        assert.strictEqual(yield* roleOf(teamId, owner.userId), "owner")
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("a member removes nobody else; strangers get NotFound", () =>
      Effect.gen(function*() {
        const { admin, member, member2, owner, stranger, teamId, teams } = yield* world
        for (const target of [member2, admin, owner, stranger]) {
          assert.deepStrictEqual(
            yield* refusal(teams.removeMember(member, teamId, target.userId)),
            forbidden("AdminOrOwnerRequired")
          )
        }
        assert.deepStrictEqual(yield* refusal(teams.removeMember(stranger, teamId, member.userId)), notFound("team"))
        assert.deepStrictEqual(yield* refusal(teams.removeMember(stranger, teamId, stranger.userId)), notFound("team"))
      }).pipe(Effect.provide(teamsLayer())))

    it.effect("members and admins leave; the owner must transfer first", () =>
      Effect.gen(function*() {
        const { admin, member, owner, teamId, teams } = yield* world
        yield* teams.removeMember(member, teamId, member.userId)
        yield* teams.removeMember(admin, teamId, admin.userId)
        assert.strictEqual(yield* roleOf(teamId, member.userId), undefined)
        assert.strictEqual(yield* roleOf(teamId, admin.userId), undefined)
        assert.deepStrictEqual(yield* refusal(teams.removeMember(owner, teamId, owner.userId)), conflict("TransferOwnershipFirst"))
        assert.strictEqual(yield* ownerCount(teamId), 1)
      }).pipe(Effect.provide(teamsLayer())))
  })

  describe("races decided by the store (the repository yields before every call)", () => {
    it.effect("the owner transferring to two members at once: one wins, one owner", () =>
      Effect.gen(function*() {
        const { admin, member, owner, teamId, teams } = yield* world
        const exits = yield* Effect.all(
          [teams.transfer(owner, teamId, { userId: admin.userId }), teams.transfer(owner, teamId, { userId: member.userId })]
            .map((e) => Effect.exit(e)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        assert.strictEqual(yield* ownerCount(teamId), 1)
        assert.strictEqual(yield* roleOf(teamId, owner.userId), "admin")
      }).pipe(Effect.provide(teamsLayer(slowRepositoryLayer))))

    it.effect("a transfer racing the demotion and removal of its target: one owner", () =>
      Effect.gen(function*() {
        const { admin, owner, teamId, teams } = yield* world
        yield* Effect.all(
          [
            teams.transfer(owner, teamId, { userId: admin.userId }),
            teams.changeRole(owner, teamId, admin.userId, { role: "member" }),
            teams.removeMember(owner, teamId, admin.userId),
            teams.removeMember(admin, teamId, admin.userId)
          ].map((e) => Effect.exit(e)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(yield* ownerCount(teamId), 1)
      }).pipe(Effect.provide(teamsLayer(slowRepositoryLayer))))

    it.effect("an admin removing a member while the owner promotes them: exactly one happens", () =>
      Effect.gen(function*() {
        const { admin, member, owner, teamId, teams } = yield* world
        const [removed, promoted] = yield* Effect.all(
          [
            Effect.exit(teams.removeMember(admin, teamId, member.userId)),
            Effect.exit(teams.changeRole(owner, teamId, member.userId, { role: "admin" }))
          ],
          { concurrency: "unbounded" }
        )
        const removedOk = Exit.isSuccess(removed as Exit.Exit<unknown, unknown>)
        const promotedOk = Exit.isSuccess(promoted as Exit.Exit<unknown, unknown>)
        assert.strictEqual(Number(removedOk) + Number(promotedOk), 1)
        assert.strictEqual(yield* roleOf(teamId, member.userId), removedOk ? undefined : "admin")
      }).pipe(Effect.provide(teamsLayer(slowRepositoryLayer))))

    it.effect("the invitee accepting from several tabs joins once", () =>
      Effect.gen(function*() {
        const { owner, stranger, teamId, teams } = yield* world
        const invitation = yield* teams.invite(owner, teamId, { email: stranger.email, role: "member" })
        const exits = yield* Effect.all(
          Array.from({ length: 5 }, () => Effect.exit(teams.accept(stranger, invitation.invitationId))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        assert.strictEqual((yield* teams.get(owner, teamId)).members.length, 6)
      }).pipe(Effect.provide(teamsLayer(slowRepositoryLayer))))

    it.effect("two admins inviting one email at once: one invitation", () =>
      Effect.gen(function*() {
        const { admin, admin2, stranger, teamId, teams } = yield* world
        const exits = yield* Effect.all(
          [admin, admin2].map((a) => Effect.exit(teams.invite(a, teamId, { email: stranger.email, role: "member" }))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        assert.strictEqual((yield* teams.myInvitations(stranger)).length, 1)
      }).pipe(Effect.provide(teamsLayer(slowRepositoryLayer))))
  })
})
