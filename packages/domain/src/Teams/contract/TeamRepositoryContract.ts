/**
 * What every TeamRepository adapter must do, run unchanged against the in-memory adapter now and
 * Postgres and DynamoDB later: example tests of each method and of each atomic precondition,
 * racing calls (real concurrency) of which exactly one may win, answers given a stale or forged
 * copy of the invitation, and an fc.commands model run against TeamRepositoryMemory. Every id comes from a fresh scope, so the store may be shared and
 * non-empty.
 */
import { assert, describe, layer as layerTest } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Schema } from "effect"
import * as fc from "fast-check"
import { freshScope, modelRun, type ModelState, type PortCommand, agree } from "../../contract/ModelRun.js"
import { DAY, HOUR } from "../../Millis.js"
import { Email, UserId } from "../../Users/User.js"
import * as TeamRepositoryMemory from "../memory/TeamRepositoryMemory.js"
import {
  type GrantableRole,
  Invitation,
  InvitationId,
  Membership,
  type Role,
  Team,
  TeamId
} from "../Team.js"
import { TeamRepository, type TeamWithRole } from "../TeamRepository.js"

type Repo = TeamRepository["Service"]

export interface SuiteOptions {
  /** Runs of the model-based test (default 50). */
  readonly numRuns?: number
}

const T0 = 1_700_000_000_000

const decodeEmail = Schema.decodeSync(Email)

/** Ids of one scope: teams, users and their emails, invitations. */
const idsOf = (scope: string) => ({
  team: (i: number | string) => TeamId.make(`${scope}-t${i}`),
  user: (i: number | string) => UserId.make(`${scope}-u${i}`),
  email: (i: number | string) => decodeEmail(`${scope}-u${i}@example.com`),
  invitation: (i: number | string) => InvitationId.make(`${scope}-i${i}`)
})

const newTeam = (teamId: TeamId, at = T0) => new Team({ teamId, name: "Team", createdAt: at, updatedAt: at })

const member = (teamId: TeamId, userId: UserId, role: Role, invitedBy: UserId | null = null, at = T0) =>
  new Membership({ teamId, userId, role, invitedBy, joinedAt: at })

const invitationOf = (
  invitationId: InvitationId,
  teamId: TeamId,
  email: Email,
  invitedBy: UserId,
  options: { readonly role?: GrantableRole; readonly createdAt?: number; readonly expiresAt?: number } = {}
) =>
  new Invitation({
    invitationId,
    teamId,
    email,
    role: options.role ?? "member",
    invitedBy,
    status: "pending",
    createdAt: options.createdAt ?? T0,
    expiresAt: options.expiresAt ?? (options.createdAt ?? T0) + 7 * DAY
  })

/** The failure of an exit as `{ tag, code }`, for assertions. */
const failure = (exit: Exit.Exit<unknown, unknown>): { tag: string; code?: string } | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const found = Exit.findErrorOption(exit)
  if (Option.isNone(found)) return { tag: `defect: ${String(exit.cause)}` }
  const error = found.value as { _tag: string; code?: string }
  return error.code === undefined ? { tag: error._tag } : { tag: error._tag, code: error.code }
}

const assertFails = (exit: Exit.Exit<unknown, unknown>, tag: string, code?: string) => {
  assert.deepStrictEqual(failure(exit), code === undefined ? { tag } : { tag, code })
}

const byString = <A>(key: (a: A) => string) => (a: A, b: A) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)

// Normalised forms with a fixed key order, so adapters may build their objects in any order.
const teamN = (t: Team) => ({ teamId: t.teamId, name: t.name, createdAt: t.createdAt, updatedAt: t.updatedAt })
const membershipN = (m: Membership) => ({
  teamId: m.teamId,
  userId: m.userId,
  role: m.role,
  invitedBy: m.invitedBy,
  joinedAt: m.joinedAt
})
const invitationN = (i: Invitation) => ({
  invitationId: i.invitationId,
  teamId: i.teamId,
  email: i.email,
  role: i.role,
  invitedBy: i.invitedBy,
  status: i.status,
  createdAt: i.createdAt,
  expiresAt: i.expiresAt
})
const optionN = <A>(f: (a: A) => unknown) => (o: Option.Option<A>) => Option.match(o, { onNone: () => null, onSome: f })
const membersN = (ms: ReadonlyArray<Membership>) => [...ms].sort(byString((m) => m.userId)).map(membershipN)
const invitationsN = (is: ReadonlyArray<Invitation>) => [...is].sort(byString((i) => i.invitationId)).map(invitationN)
const teamsOfN = (ts: ReadonlyArray<TeamWithRole>) =>
  [...ts].sort(byString((t) => t.team.teamId)).map((t) => ({ team: teamN(t.team), membership: membershipN(t.membership) }))

const ownersOf = (ms: ReadonlyArray<Membership>) => ms.filter((m) => m.role === "owner").map((m) => m.userId)

// ---------------------------------------------------------------------------------------------
// Model run over a small universe (3 teams, 6 users u0..u5 with emails, the invitations made so
// far). Command sequences are short, so commands aim at what exists: a team is picked among the
// created ones, a target among the team's current members (read from the model), an invitee's
// own user usually answers; a few picks miss on purpose to cover the NotFound paths.

interface Universe {
  readonly ids: ReturnType<typeof idsOf>
  now: number
  /** Team indexes created so far (deleted ones stay, for the NotFound paths). */
  readonly created: Array<number>
  /** Invitations the model stored, in order: the invitation as added, its team and invitee index. */
  readonly invitations: Array<{ readonly invitation: Invitation; readonly teamId: TeamId; readonly invitee: number }>
  nextInvitation: number
  seeded: boolean
}

const universe = (m: ModelState<Repo>): Universe => {
  let u = m.memory.get("universe") as Universe | undefined
  if (u === undefined) {
    u = { ids: idsOf(m.scope), now: T0, created: [], invitations: [], nextInvitation: 0, seeded: false }
    m.memory.set("universe", u)
  }
  return u
}

const pickTeam = (u: Universe, t: number): TeamId =>
  u.ids.team(u.created.length === 0 ? t : u.created[t % u.created.length]!)

/** The k-th current member of the team in the model (by userId), or user k when `any` or none. */
const pickUser = (u: Universe, model: Repo, teamId: TeamId, who: Who): UserId => {
  if (who.any) return u.ids.user(who.k % 6)
  const members = [...Effect.runSync(model.members(teamId))].sort(byString((m) => m.userId))
  return members.length === 0 ? u.ids.user(who.k % 6) : members[who.k % members.length]!.userId
}

/** The i-th recorded invitation (modulo), or one that never exists. */
const pickInvitation = (u: Universe, i: number) =>
  u.invitations.length === 0
    ? { invitation: invitationOf(u.ids.invitation("none"), u.ids.team(0), u.ids.email(0), u.ids.user(0)), teamId: u.ids.team(0), invitee: 0 }
    : u.invitations[i % u.invitations.length]!

/** How the caller's copy of an invitation differs from the stored one: mostly not at all. */
const copyArb = fc.constantFrom("asStored", "asStored", "asStored", "asStored", "otherEmail", "otherTeam")

/** The invitation as an answer passes it: as stored, or with another user's email or another team. */
const copyOf = (u: Universe, picked: ReturnType<typeof pickInvitation>, copy: string): Invitation => {
  const { invitation } = picked
  switch (copy) {
    case "otherEmail":
      return new Invitation({ ...invitation, email: u.ids.email((picked.invitee + 1) % 6) })
    case "otherTeam":
      return new Invitation({ ...invitation, teamId: u.ids.team(invitation.teamId === u.ids.team(0) ? 1 : 0) })
    default:
      return invitation
  }
}

interface Who {
  readonly any: boolean
  readonly k: number
}
/** One pick in six misses the members on purpose. */
const whoArb: fc.Arbitrary<Who> = fc.record({ any: fc.nat({ max: 5 }).map((n) => n === 0), k: fc.nat({ max: 5 }) })

/** The command; the first one of a run seeds team t0 (owner u0, admin u1, member u2) on both sides. */
const command = (
  label: string,
  run: (u: Universe, model: Repo, real: Repo) => Promise<unknown>,
  check: (u: Universe) => boolean = () => true
): PortCommand<Repo> => ({
  check: async (m) => check(universe(m)),
  run: async (m, real) => {
    const u = universe(m)
    if (!u.seeded) {
      u.seeded = true
      await createWithMembers(u, m.port, real, 0, 0, ["admin", "member"])
    }
    await run(u, m.port, real)
  },
  toString: () => label
})

const roleArb = fc.constantFrom<GrantableRole>("admin", "member")
const expectedArb = fc.oneof(
  fc.constantFrom<ReadonlyArray<Role>>(["admin", "member"], ["member"], ["admin"]),
  fc.subarray<Role>(["owner", "admin", "member"])
)
const teamIdx = fc.nat({ max: 2 })

const addInvitation = async (u: Universe, model: Repo, real: Repo, teamId: TeamId, invitee: number, by: UserId, role: GrantableRole, ttl: number) => {
  const id = u.ids.invitation(u.nextInvitation++)
  const invitation = invitationOf(id, teamId, u.ids.email(invitee), by, { role, createdAt: u.now, expiresAt: u.now + ttl })
  const exit = await agree(model.addInvitation(invitation), real.addInvitation(invitation))
  if (Exit.isSuccess(exit)) u.invitations.push({ invitation, teamId, invitee })
  return exit
}

const accept = (u: Universe, model: Repo, real: Repo, invitation: Invitation, user: number, role: GrantableRole) => {
  const joining = member(invitation.teamId, u.ids.user(user), role, u.ids.user(0), u.now)
  return agree(model.acceptInvitation(invitation, joining), real.acceptInvitation(invitation, joining), membershipN)
}

/** Compares everything the store holds about a team (and optionally a user and an invitation). */
const observe = async (u: Universe, model: Repo, real: Repo, teamId: TeamId, user?: number, invitationId?: InvitationId) => {
  await agree(model.get(teamId), real.get(teamId), optionN(teamN))
  await agree(model.members(teamId), real.members(teamId), membersN)
  if (user !== undefined) {
    const userId = u.ids.user(user)
    const email = u.ids.email(user)
    await agree(model.membership(teamId, userId), real.membership(teamId, userId), optionN(membershipN))
    await agree(model.teamsOf(userId), real.teamsOf(userId), teamsOfN)
    await agree(model.pendingInvitationsFor(email, u.now), real.pendingInvitationsFor(email, u.now), invitationsN)
  }
  if (invitationId !== undefined) {
    await agree(model.invitation(invitationId), real.invitation(invitationId), optionN(invitationN))
  }
}

const userIndex = (u: Universe, userId: UserId) => Number(userId.slice(u.ids.user("").length))

async function createWithMembers(
  u: Universe,
  model: Repo,
  real: Repo,
  t: number,
  owner: number,
  roles: ReadonlyArray<GrantableRole>
) {
  const teamId = u.ids.team(t)
  const owns = member(teamId, u.ids.user(owner), "owner", null, u.now)
  await agree(model.create(newTeam(teamId, u.now), owns), real.create(newTeam(teamId, u.now), owns))
  u.created.push(t)
  for (const [i, role] of roles.entries()) {
    const user = (owner + 1 + i) % 6
    const exit = await addInvitation(u, model, real, teamId, user, u.ids.user(owner), role, 7 * DAY)
    if (Exit.isSuccess(exit)) await accept(u, model, real, u.invitations.at(-1)!.invitation, user, role)
  }
  await observe(u, model, real, teamId, owner)
}

/** The commands of the model run, exported so an adapter may run longer sequences. */
export const commands: ReadonlyArray<fc.Arbitrary<PortCommand<Repo>>> = [
  // A team and some members who joined through invitations.
  fc.record({ t: teamIdx, owner: fc.nat({ max: 5 }), roles: fc.array(roleArb, { maxLength: 3 }) }).map(({ owner, roles, t }) =>
    command(
      `createWithMembers(t${t}, owner u${owner}, [${roles}])`,
      (u, model, real) => createWithMembers(u, model, real, t, owner, roles),
      (u) => t !== 0 && !u.created.includes(t)
    )
  ),
  fc.record({ t: teamIdx, name: fc.constantFrom("Alpha", "Beta", "Gamma") }).map(({ name, t }) =>
    command(`rename(#${t}, ${name})`, async (u, model, real) => {
      const teamId = pickTeam(u, t)
      await agree(model.rename(teamId, name, u.now), real.rename(teamId, name, u.now), teamN)
      await observe(u, model, real, teamId)
    })
  ),
  teamIdx.map((t) =>
    command(`delete(#${t})`, async (u, model, real) => {
      const teamId = pickTeam(u, t)
      const members = Effect.runSync(model.members(teamId))
      await agree(model.delete(teamId), real.delete(teamId))
      await observe(u, model, real, teamId, members.length === 0 ? undefined : userIndex(u, members[0]!.userId))
      for (const { invitation } of u.invitations.filter((i) => i.teamId === teamId)) {
        const id = invitation.invitationId
        await agree(model.invitation(id), real.invitation(id), optionN(invitationN))
      }
    })
  ),
  fc.record({ t: teamIdx, invitee: fc.nat({ max: 5 }), by: whoArb, role: roleArb, ttl: fc.integer({ min: 1, max: 9 }) })
    .map(({ by, invitee, role, t, ttl }) =>
      command(`addInvitation(#${t}, u${invitee}, ${role}, ${ttl}d)`, async (u, model, real) => {
        const teamId = pickTeam(u, t)
        const exit = await addInvitation(u, model, real, teamId, invitee, pickUser(u, model, teamId, by), role, ttl * DAY)
        await observe(u, model, real, teamId, invitee, Exit.isSuccess(exit) ? u.invitations.at(-1)!.invitation.invitationId : undefined)
      })
    ),
  fc.record({ i: fc.nat(), invitee: fc.boolean(), user: fc.nat({ max: 5 }), role: roleArb, copy: copyArb }).map((
    { copy, i, invitee, role, user }
  ) =>
    command(`acceptInvitation(#${i} ${copy}, ${invitee ? "invitee" : `u${user}`})`, async (u, model, real) => {
      const picked = pickInvitation(u, i)
      const who = invitee ? picked.invitee : user
      await accept(u, model, real, copyOf(u, picked, copy), who, role)
      await observe(u, model, real, picked.teamId, who, picked.invitation.invitationId)
    })
  ),
  fc.record({ i: fc.nat(), copy: copyArb }).map(({ copy, i }) =>
    command(`declineInvitation(#${i} ${copy})`, async (u, model, real) => {
      const picked = pickInvitation(u, i)
      const { invitation, invitee, teamId } = picked
      const given = copyOf(u, picked, copy)
      await agree(model.declineInvitation(given), real.declineInvitation(given))
      await observe(u, model, real, teamId, invitee, invitation.invitationId)
    })
  ),
  fc.record({ t: teamIdx, who: whoArb, role: roleArb, expected: expectedArb }).map(({ expected, role, t, who }) =>
    command(`changeRole(#${t}, ${JSON.stringify(who)}, ${role}, [${expected}])`, async (u, model, real) => {
      const teamId = pickTeam(u, t)
      const userId = pickUser(u, model, teamId, who)
      await agree(
        model.changeRole(teamId, userId, role, expected),
        real.changeRole(teamId, userId, role, expected),
        membershipN
      )
      await observe(u, model, real, teamId, userIndex(u, userId))
    })
  ),
  fc.record({ t: teamIdx, from: whoArb, to: whoArb }).map(({ from, t, to }) =>
    command(`transferOwnership(#${t}, ${JSON.stringify(from)} → ${JSON.stringify(to)})`, async (u, model, real) => {
      const teamId = pickTeam(u, t)
      const a = pickUser(u, model, teamId, from)
      const b = pickUser(u, model, teamId, to)
      await agree(model.transferOwnership(teamId, a, b), real.transferOwnership(teamId, a, b))
      await observe(u, model, real, teamId, userIndex(u, b))
    })
  ),
  fc.record({ t: teamIdx, who: whoArb, expected: expectedArb }).map(({ expected, t, who }) =>
    command(`removeMember(#${t}, ${JSON.stringify(who)}, [${expected}])`, async (u, model, real) => {
      const teamId = pickTeam(u, t)
      const userId = pickUser(u, model, teamId, who)
      await agree(model.removeMember(teamId, userId, expected), real.removeMember(teamId, userId, expected))
      await observe(u, model, real, teamId, userIndex(u, userId))
    })
  ),
  fc.oneof(fc.integer({ min: 1, max: 96 }), fc.integer({ min: 1, max: 10 }).map((days) => days * 24)).map((hours) =>
    command(`advance ${hours}h`, async (u, model, real) => {
      u.now += hours * HOUR
      // Expiry is what time changes: every pending list, at the new time.
      for (let user = 0; user < 6; user++) {
        const email = u.ids.email(user)
        await agree(model.pendingInvitationsFor(email, u.now), real.pendingInvitationsFor(email, u.now), invitationsN)
      }
    })
  ),
  // Reads: everything the store holds about one team, one user, one invitation.
  fc.record({ t: teamIdx, user: fc.nat({ max: 5 }), i: fc.nat() }).map(({ i, t, user }) =>
    command(`observe(#${t}, u${user}, #${i})`, (u, model, real) =>
      observe(u, model, real, pickTeam(u, t), user, pickInvitation(u, i).invitation.invitationId))
  )
]

// ---------------------------------------------------------------------------------------------

export const suite = (name: string, layer: Layer.Layer<TeamRepository, unknown>, options: SuiteOptions = {}) => {
  describe(`TeamRepository contract: ${name}`, () => {
    layerTest(layer)((it) => {
      /** A fresh team owned by u0 with the given extra members (u1, u2, … in order). */
      const seedTeam = (repo: Repo, label: string, roles: ReadonlyArray<Role> = []) =>
        Effect.gen(function*() {
          const ids = idsOf(freshScope(label))
          const teamId = ids.team(0)
          yield* repo.create(newTeam(teamId), member(teamId, ids.user(0), "owner"))
          for (const [i, role] of roles.entries()) {
            const invitation = invitationOf(ids.invitation(`seed${i}`), teamId, ids.email(i + 1), ids.user(0), {
              role: role === "admin" ? "admin" : "member"
            })
            yield* repo.addInvitation(invitation)
            yield* repo.acceptInvitation(invitation, member(teamId, ids.user(i + 1), role, ids.user(0), T0 + 1))
          }
          return { ids, teamId }
        })

      it.effect("create stores the team with its owner; get, membership, members and teamsOf read them", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const ids = idsOf(freshScope("create"))
          const teamId = ids.team(0)
          yield* repo.create(newTeam(teamId), member(teamId, ids.user(0), "owner"))
          assert.deepStrictEqual(optionN(teamN)(yield* repo.get(teamId)), teamN(newTeam(teamId)))
          assert.deepStrictEqual(
            optionN(membershipN)(yield* repo.membership(teamId, ids.user(0))),
            membershipN(member(teamId, ids.user(0), "owner"))
          )
          assert.isTrue(Option.isNone(yield* repo.membership(teamId, ids.user(1))))
          assert.deepStrictEqual(membersN(yield* repo.members(teamId)), [membershipN(member(teamId, ids.user(0), "owner"))])
          const mine = yield* repo.teamsOf(ids.user(0))
          assert.deepStrictEqual(teamsOfN(mine), [{ team: teamN(newTeam(teamId)), membership: membershipN(member(teamId, ids.user(0), "owner")) }])
          assert.deepStrictEqual(yield* repo.teamsOf(ids.user(1)), [])
        }))

      it.effect("unknown teams read as absent", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const ids = idsOf(freshScope("absent"))
          assert.isTrue(Option.isNone(yield* repo.get(ids.team(0))))
          assert.isTrue(Option.isNone(yield* repo.membership(ids.team(0), ids.user(0))))
          assert.deepStrictEqual(yield* repo.members(ids.team(0)), [])
          assert.isTrue(Option.isNone(yield* repo.invitation(ids.invitation(0))))
        }))

      it.effect("teamsOf lists every team of a user with the role in each", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const ids = idsOf(freshScope("teamsof"))
          yield* repo.create(newTeam(ids.team(0)), member(ids.team(0), ids.user(0), "owner"))
          yield* repo.create(newTeam(ids.team(1)), member(ids.team(1), ids.user(1), "owner"))
          const invitation = invitationOf(ids.invitation(0), ids.team(1), ids.email(0), ids.user(1), { role: "admin" })
          yield* repo.addInvitation(invitation)
          yield* repo.acceptInvitation(invitation, member(ids.team(1), ids.user(0), "admin", ids.user(1), T0 + 5))
          const mine = teamsOfN(yield* repo.teamsOf(ids.user(0)))
          assert.deepStrictEqual(mine.map((t) => [t.team.teamId, t.membership.role]), [[ids.team(0), "owner"], [ids.team(1), "admin"]])
        }))

      it.effect("rename updates name and updatedAt; an unknown team is NotFound", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "rename")
          const renamed = yield* repo.rename(teamId, "Renamed", T0 + 10)
          assert.deepStrictEqual(teamN(renamed), { teamId, name: "Renamed", createdAt: T0, updatedAt: T0 + 10 })
          assert.deepStrictEqual(optionN(teamN)(yield* repo.get(teamId)), teamN(renamed))
          assertFails(yield* Effect.exit(repo.rename(ids.team(9), "X", T0)), "NotFound")
        }))

      it.effect("delete removes the team, its memberships and its invitations", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "delete", ["admin"])
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(5), ids.user(0))
          yield* repo.addInvitation(invitation)
          yield* repo.delete(teamId)
          assert.isTrue(Option.isNone(yield* repo.get(teamId)))
          assert.deepStrictEqual(yield* repo.members(teamId), [])
          assert.isTrue(Option.isNone(yield* repo.membership(teamId, ids.user(0))))
          assert.deepStrictEqual(yield* repo.teamsOf(ids.user(0)), [])
          assert.deepStrictEqual(yield* repo.teamsOf(ids.user(1)), [])
          assert.isTrue(Option.isNone(yield* repo.invitation(ids.invitation(1))))
          assert.deepStrictEqual(yield* repo.pendingInvitationsFor(ids.email(5), T0), [])
          assertFails(yield* Effect.exit(repo.acceptInvitation(invitation, member(teamId, ids.user(5), "member"))), "NotFound")
          assertFails(yield* Effect.exit(repo.declineInvitation(invitation)), "NotFound")
          yield* repo.delete(teamId)
        }))

      it.effect("addInvitation stores a pending invitation; pendingInvitationsFor skips expired and answered ones", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "invite")
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0), { role: "admin" })
          yield* repo.addInvitation(invitation)
          assert.deepStrictEqual(optionN(invitationN)(yield* repo.invitation(ids.invitation(1))), invitationN(invitation))
          const expiring = invitationOf(ids.invitation(2), teamId, ids.email(2), ids.user(0), { expiresAt: T0 + HOUR })
          yield* repo.addInvitation(expiring)
          assert.deepStrictEqual(invitationsN(yield* repo.pendingInvitationsFor(ids.email(1), T0 + 1)), [invitationN(invitation)])
          assert.deepStrictEqual(invitationsN(yield* repo.pendingInvitationsFor(ids.email(2), T0 + 1)), [invitationN(expiring)])
          // Expired exactly at expiresAt.
          assert.deepStrictEqual(yield* repo.pendingInvitationsFor(ids.email(2), T0 + HOUR), [])
          yield* repo.declineInvitation(invitation)
          assert.deepStrictEqual(yield* repo.pendingInvitationsFor(ids.email(1), T0 + 1), [])
        }))

      it.effect("addInvitation refuses a second pending, unexpired invitation of one team for one email", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "invitedup")
          yield* repo.addInvitation(invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0), { expiresAt: T0 + DAY }))
          assertFails(
            yield* Effect.exit(repo.addInvitation(invitationOf(ids.invitation(2), teamId, ids.email(1), ids.user(0), { createdAt: T0 + 1 }))),
            "Conflict",
            "InvitationPending"
          )
          // Another email, another team: fine.
          const third = invitationOf(ids.invitation(3), teamId, ids.email(2), ids.user(0))
          yield* repo.addInvitation(third)
          yield* repo.create(newTeam(ids.team(1)), member(ids.team(1), ids.user(0), "owner"))
          yield* repo.addInvitation(invitationOf(ids.invitation(4), ids.team(1), ids.email(1), ids.user(0)))
          // Once the first has expired, a new one may be sent.
          yield* repo.addInvitation(invitationOf(ids.invitation(5), teamId, ids.email(1), ids.user(0), { createdAt: T0 + DAY }))
          // Once answered too.
          yield* repo.declineInvitation(third)
          yield* repo.addInvitation(invitationOf(ids.invitation(6), teamId, ids.email(2), ids.user(0), { createdAt: T0 + 2 }))
          // The same id twice, or a team that does not exist.
          assertFails(
            yield* Effect.exit(repo.addInvitation(invitationOf(ids.invitation(6), teamId, ids.email(3), ids.user(0)))),
            "Conflict",
            "InvitationExists"
          )
          assertFails(
            yield* Effect.exit(repo.addInvitation(invitationOf(ids.invitation(7), ids.team(9), ids.email(3), ids.user(0)))),
            "NotFound"
          )
        }))

      it.effect("acceptInvitation inserts the membership and answers the invitation, once", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "accept")
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0), { role: "admin" })
          yield* repo.addInvitation(invitation)
          const joining = member(teamId, ids.user(1), "admin", ids.user(0), T0 + 5)
          assert.deepStrictEqual(membershipN(yield* repo.acceptInvitation(invitation, joining)), membershipN(joining))
          assert.deepStrictEqual(optionN(membershipN)(yield* repo.membership(teamId, ids.user(1))), membershipN(joining))
          assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(1))).status, "accepted")
          // The caller's copy still says pending: the store goes by what it holds.
          assertFails(
            yield* Effect.exit(repo.acceptInvitation(invitation, member(teamId, ids.user(2), "admin", ids.user(0), T0 + 6))),
            "Conflict",
            "InvitationNotPending"
          )
          assert.isTrue(Option.isNone(yield* repo.membership(teamId, ids.user(2))))
        }))

      it.effect("acceptInvitation: unknown → NotFound, other team → NotFound, expired → Gone, member → Conflict", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "acceptpre")
          const unknown = invitationOf(ids.invitation(9), teamId, ids.email(1), ids.user(0))
          assertFails(yield* Effect.exit(repo.acceptInvitation(unknown, member(teamId, ids.user(1), "member"))), "NotFound")

          yield* repo.create(newTeam(ids.team(1)), member(ids.team(1), ids.user(3), "owner"))
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0), { expiresAt: T0 + HOUR })
          yield* repo.addInvitation(invitation)
          assertFails(
            yield* Effect.exit(repo.acceptInvitation(invitation, member(ids.team(1), ids.user(1), "member", ids.user(0), T0 + 1))),
            "NotFound"
          )
          // The expiry is the stored one, whatever the caller's copy says.
          const extended = new Invitation({ ...invitation, expiresAt: T0 + DAY })
          assertFails(
            yield* Effect.exit(repo.acceptInvitation(extended, member(teamId, ids.user(1), "member", ids.user(0), T0 + HOUR))),
            "Gone",
            "InvitationExpired"
          )
          assert.isTrue(Option.isNone(yield* repo.membership(teamId, ids.user(1))))
          assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(1))).status, "pending")

          const toOwner = invitationOf(ids.invitation(2), teamId, ids.email(0), ids.user(0))
          yield* repo.addInvitation(toOwner)
          assertFails(
            yield* Effect.exit(repo.acceptInvitation(toOwner, member(teamId, ids.user(0), "member", ids.user(0), T0 + 1))),
            "Conflict",
            "AlreadyMember"
          )
          assert.deepStrictEqual(ownersOf(yield* repo.members(teamId)), [ids.user(0)])
          assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(2))).status, "pending")
        }))

      it.effect("declineInvitation answers a pending invitation once; unknown → NotFound", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "decline")
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0))
          yield* repo.addInvitation(invitation)
          yield* repo.declineInvitation(invitation)
          assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(1))).status, "declined")
          assertFails(yield* Effect.exit(repo.declineInvitation(invitation)), "Conflict", "InvitationNotPending")
          assertFails(
            yield* Effect.exit(repo.acceptInvitation(invitation, member(teamId, ids.user(1), "member", ids.user(0), T0 + 1))),
            "Conflict",
            "InvitationNotPending"
          )
          assertFails(
            yield* Effect.exit(repo.declineInvitation(invitationOf(ids.invitation(9), teamId, ids.email(1), ids.user(0)))),
            "NotFound"
          )
        }))

      it.effect("answers given a copy whose team or email is not the stored one are NotFound and change nothing", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "forged")
          // Another team u1 does not belong to, and a pending invitation of it for someone else.
          yield* repo.create(newTeam(ids.team(1)), member(ids.team(1), ids.user(3), "owner"))
          const elsewhere = invitationOf(ids.invitation(2), ids.team(1), ids.email(2), ids.user(3))
          yield* repo.addInvitation(elsewhere)
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0))
          yield* repo.addInvitation(invitation)
          const copies = [
            new Invitation({ ...invitation, email: ids.email(2) }),
            new Invitation({ ...invitation, teamId: ids.team(1) }),
            new Invitation({ ...invitation, teamId: ids.team(9) }),
            // Another invitation's id under this one's team and email.
            new Invitation({ ...invitation, invitationId: elsewhere.invitationId })
          ]
          for (const copy of copies) {
            // NotFound comes first: before the expiry (u3 joins past it) and, in team 1, the membership (u3 owns it).
            for (const [userId, at] of [[ids.user(1), T0 + 1], [ids.user(3), T0 + 8 * DAY]] as const) {
              assertFails(yield* Effect.exit(repo.acceptInvitation(copy, member(copy.teamId, userId, "member", ids.user(0), at))), "NotFound")
            }
            assertFails(yield* Effect.exit(repo.declineInvitation(copy)), "NotFound")
          }
          for (const stored of [invitation, elsewhere]) {
            assert.deepStrictEqual(optionN(invitationN)(yield* repo.invitation(stored.invitationId)), invitationN(stored))
          }
          assert.deepStrictEqual(membersN(yield* repo.members(teamId)).map((m) => m.userId), [ids.user(0)])
          assert.deepStrictEqual(membersN(yield* repo.members(ids.team(1))).map((m) => m.userId), [ids.user(3)])
          assert.deepStrictEqual(invitationsN(yield* repo.pendingInvitationsFor(ids.email(1), T0)), [invitationN(invitation)])
          assert.deepStrictEqual(invitationsN(yield* repo.pendingInvitationsFor(ids.email(2), T0)), [invitationN(elsewhere)])
          // Both still hold their (team, email) pending: no refused answer released anything.
          for (const [i, stored] of [invitation, elsewhere].entries()) {
            const next = invitationOf(ids.invitation(`next${i}`), stored.teamId, stored.email, ids.user(0), { createdAt: T0 + 1 })
            assertFails(yield* Effect.exit(repo.addInvitation(next)), "Conflict", "InvitationPending")
          }
          // The copy as stored still answers.
          yield* repo.acceptInvitation(invitation, member(teamId, ids.user(1), "member", ids.user(0), T0 + 1))
          yield* repo.declineInvitation(elsewhere)
        }))

      it.effect("changeRole applies only while the role is one of `expected`", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "role", ["member"])
          const promoted = yield* repo.changeRole(teamId, ids.user(1), "admin", ["member"])
          assert.strictEqual(promoted.role, "admin")
          assert.strictEqual(promoted.invitedBy, ids.user(0))
          assert.strictEqual(Option.getOrThrow(yield* repo.membership(teamId, ids.user(1))).role, "admin")
          assertFails(yield* Effect.exit(repo.changeRole(teamId, ids.user(1), "member", ["member"])), "Conflict", "RoleChanged")
          assertFails(yield* Effect.exit(repo.changeRole(teamId, ids.user(0), "admin", ["admin", "member"])), "Conflict", "RoleChanged")
          assertFails(yield* Effect.exit(repo.changeRole(teamId, ids.user(7), "admin", ["member"])), "NotFound")
          assertFails(yield* Effect.exit(repo.changeRole(ids.team(9), ids.user(1), "admin", ["admin"])), "NotFound")
          assert.deepStrictEqual(ownersOf(yield* repo.members(teamId)), [ids.user(0)])
        }))

      it.effect("transferOwnership swaps owner and admin atomically, only from the current owner to a member", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "transfer", ["member", "admin"])
          yield* repo.transferOwnership(teamId, ids.user(0), ids.user(1))
          assert.strictEqual(Option.getOrThrow(yield* repo.membership(teamId, ids.user(1))).role, "owner")
          assert.strictEqual(Option.getOrThrow(yield* repo.membership(teamId, ids.user(0))).role, "admin")
          assertFails(yield* Effect.exit(repo.transferOwnership(teamId, ids.user(0), ids.user(2))), "Conflict", "NotOwner")
          assertFails(yield* Effect.exit(repo.transferOwnership(teamId, ids.user(1), ids.user(1))), "Conflict", "AlreadyOwner")
          assertFails(yield* Effect.exit(repo.transferOwnership(teamId, ids.user(1), ids.user(7))), "NotFound")
          assertFails(yield* Effect.exit(repo.transferOwnership(teamId, ids.user(7), ids.user(1))), "NotFound")
          assertFails(yield* Effect.exit(repo.transferOwnership(ids.team(9), ids.user(1), ids.user(0))), "NotFound")
          assert.deepStrictEqual(ownersOf(yield* repo.members(teamId)), [ids.user(1)])
        }))

      it.effect("removeMember removes only while the role is one of `expected`", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "remove", ["member", "admin"])
          assertFails(yield* Effect.exit(repo.removeMember(teamId, ids.user(2), ["member"])), "Conflict", "RoleChanged")
          yield* repo.removeMember(teamId, ids.user(1), ["member"])
          assert.isTrue(Option.isNone(yield* repo.membership(teamId, ids.user(1))))
          assert.deepStrictEqual(yield* repo.teamsOf(ids.user(1)), [])
          assertFails(yield* Effect.exit(repo.removeMember(teamId, ids.user(1), ["member"])), "NotFound")
          assertFails(yield* Effect.exit(repo.removeMember(ids.team(9), ids.user(2), ["admin"])), "NotFound")
          yield* repo.removeMember(teamId, ids.user(2), ["admin", "member"])
          assert.deepStrictEqual(membersN(yield* repo.members(teamId)).map((m) => m.userId), [ids.user(0)])
        }))

      // Races: the same precondition checked by many concurrent calls; the store decides.

      const race = <A, E>(effects: ReadonlyArray<Effect.Effect<A, E>>) =>
        Effect.all(effects.map((e) => Effect.exit(e)), { concurrency: "unbounded" })
      const wins = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>) => exits.filter(Exit.isSuccess).length

      it.effect("N parallel accepts of one invitation: exactly one wins", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "raceaccept")
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0))
          yield* repo.addInvitation(invitation)
          const exits = yield* race(
            Array.from({ length: 12 }, (_, i) =>
              repo.acceptInvitation(invitation, member(teamId, ids.user(i + 1), "member", ids.user(0), T0 + 1)))
          )
          assert.strictEqual(wins(exits), 1)
          for (const exit of exits) if (Exit.isFailure(exit)) assertFails(exit, "Conflict", "InvitationNotPending")
          assert.strictEqual((yield* repo.members(teamId)).length, 2)
        }))

      it.effect("the same user accepting twice in parallel joins once", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "raceaccept2")
          const invitation = invitationOf(ids.invitation(1), teamId, ids.email(1), ids.user(0))
          yield* repo.addInvitation(invitation)
          const joining = member(teamId, ids.user(1), "member", ids.user(0), T0 + 1)
          const exits = yield* race([0, 1, 2, 3].map(() => repo.acceptInvitation(invitation, joining)))
          assert.strictEqual(wins(exits), 1)
          assert.strictEqual((yield* repo.members(teamId)).length, 2)
        }))

      it.effect("parallel invitations of one email: exactly one is stored", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "raceinvite")
          const exits = yield* race(
            Array.from({ length: 8 }, (_, i) => repo.addInvitation(invitationOf(ids.invitation(i), teamId, ids.email(1), ids.user(0))))
          )
          assert.strictEqual(wins(exits), 1)
          assert.strictEqual((yield* repo.pendingInvitationsFor(ids.email(1), T0)).length, 1)
        }))

      it.effect("two parallel transfers to different members: exactly one wins, one owner afterwards", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "racetransfer", ["member", "admin"])
          const exits = yield* race([
            repo.transferOwnership(teamId, ids.user(0), ids.user(1)),
            repo.transferOwnership(teamId, ids.user(0), ids.user(2))
          ])
          assert.strictEqual(wins(exits), 1)
          const members = yield* repo.members(teamId)
          assert.strictEqual(ownersOf(members).length, 1)
          assert.strictEqual(members.find((m) => m.userId === ids.user(0))?.role, "admin")
        }))

      it.effect("transfers racing from every member: still exactly one owner", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "racetransfer2", ["member", "admin", "member", "admin"])
          const exits = yield* race(
            [0, 1, 2, 3, 4].flatMap((from) =>
              [0, 1, 2, 3, 4].filter((to) => to !== from).map((to) => repo.transferOwnership(teamId, ids.user(from), ids.user(to)))
            )
          )
          assert.isAtLeast(wins(exits), 1)
          assert.strictEqual(ownersOf(yield* repo.members(teamId)).length, 1)
        }))

      it.effect("parallel removeMember and changeRole on one member: exactly one wins", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "raceremove", ["member"])
          const exits = yield* race([
            repo.removeMember(teamId, ids.user(1), ["member"]),
            repo.changeRole(teamId, ids.user(1), "admin", ["member"])
          ])
          assert.strictEqual(wins(exits), 1)
          const after = yield* repo.membership(teamId, ids.user(1))
          if (Exit.isSuccess(exits[0]!)) assert.isTrue(Option.isNone(after))
          else assert.strictEqual(Option.getOrThrow(after).role, "admin")
        }))

      it.effect("parallel removals of one member: exactly one wins", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          const { ids, teamId } = yield* seedTeam(repo, "raceremove2", ["admin"])
          const exits = yield* race(Array.from({ length: 6 }, () => repo.removeMember(teamId, ids.user(1), ["admin", "member"])))
          assert.strictEqual(wins(exits), 1)
          assert.strictEqual((yield* repo.members(teamId)).length, 1)
        }))

      it.effect("a transfer racing a demotion of its target: never zero or two owners", () =>
        Effect.gen(function*() {
          const repo = yield* TeamRepository
          for (let round = 0; round < 5; round++) {
            const { ids, teamId } = yield* seedTeam(repo, `racedemote${round}`, ["admin"])
            yield* race([
              repo.transferOwnership(teamId, ids.user(0), ids.user(1)),
              repo.changeRole(teamId, ids.user(1), "member", ["admin", "member"]),
              repo.removeMember(teamId, ids.user(1), ["admin", "member"])
            ])
            assert.strictEqual(ownersOf(yield* repo.members(teamId)).length, 1)
          }
        }))

      it.effect("agrees with the in-memory model on any sequence of operations", () =>
        Effect.gen(function*() {
          const real = yield* TeamRepository
          yield* modelRun({
            real,
            makeModel: TeamRepositoryMemory.make,
            commands,
            numRuns: options.numRuns ?? 50,
            maxCommands: 40
          })
        }), 60_000)
    })
  })
}
