/**
 * The property: a team has exactly one owner after any sequence of operations by any
 * actors. Random sequences of every Teams operation by random actors (the owner, admins, members,
 * strangers, invitees, and users picked blindly) run against the service; a small model of the
 * rules predicts each outcome. After every step: each existing team has exactly one owner, its
 * members and roles are exactly the model's, and every refused operation was refused with the
 * error class (and code) the rules give. A second property runs random operations concurrently on
 * a repository that yields between every call, and checks the single owner survives any
 * interleaving.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import type { Actor } from "../../src/Actor.js"
import { DAY, HOUR } from "../../src/Millis.js"
import { type GrantableRole, InvitationId, type Role, TeamId } from "../../src/Teams/Team.js"
import { TeamRepository } from "../../src/Teams/TeamRepository.js"
import { Teams } from "../../src/Teams/Teams.js"
import { describeExit, emailOf, register, slowRepositoryLayer, T0, teamsLayer } from "./fixtures.js"

/** Six registered users; email index 6 belongs to nobody (an invitation nobody can accept). */
const USERS = 6
const EMAILS = 7
const userName = (i: number) => `p${i}`

// ---------------------------------------------------------------------------------------------
// Commands as data, resolved against the model when they run.

/** Who acts: a user with that role in the chosen team (if any), else user k. */
type Pick = { readonly as: Role | "stranger" | "anyone"; readonly k: number }

type Command =
  | { readonly op: "create"; readonly actor: Pick }
  | { readonly op: "rename"; readonly team: number; readonly actor: Pick }
  | { readonly op: "delete"; readonly team: number; readonly actor: Pick }
  | { readonly op: "invite"; readonly team: number; readonly actor: Pick; readonly email: number; readonly role: GrantableRole }
  | { readonly op: "accept" | "decline"; readonly invitation: number; readonly invitee: boolean; readonly k: number }
  | { readonly op: "changeRole"; readonly team: number; readonly actor: Pick; readonly target: Pick; readonly role: GrantableRole }
  | { readonly op: "transfer"; readonly team: number; readonly actor: Pick; readonly target: Pick }
  | { readonly op: "remove"; readonly team: number; readonly actor: Pick; readonly target: Pick }
  | { readonly op: "leave"; readonly team: number; readonly actor: Pick }
  | { readonly op: "get"; readonly team: number; readonly actor: Pick }
  | { readonly op: "listMine"; readonly actor: number; readonly of: number }
  | { readonly op: "myInvitations"; readonly actor: number }
  | { readonly op: "advance"; readonly hours: number }

const pickArb: fc.Arbitrary<Pick> = fc.record({
  as: fc.constantFrom<Pick["as"]>("owner", "owner", "admin", "admin", "member", "member", "stranger", "anyone"),
  k: fc.nat({ max: USERS - 1 })
})
const grantable = fc.constantFrom<GrantableRole>("admin", "member")
const team = fc.nat({ max: 7 })

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant("create" as const), actor: pickArb }) },
  fc.record({ op: fc.constant("rename" as const), team, actor: pickArb }),
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), team, actor: pickArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("invite" as const),
      team,
      actor: pickArb,
      email: fc.nat({ max: EMAILS - 1 }),
      role: grantable
    })
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constantFrom("accept" as const, "accept" as const, "decline" as const),
      invitation: fc.nat({ max: 20 }),
      invitee: fc.nat({ max: 4 }).map((n) => n !== 0),
      k: fc.nat({ max: USERS - 1 })
    })
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("changeRole" as const), team, actor: pickArb, target: pickArb, role: grantable })
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("transfer" as const), team, actor: pickArb, target: pickArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("remove" as const), team, actor: pickArb, target: pickArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("leave" as const), team, actor: pickArb }) },
  fc.record({ op: fc.constant("get" as const), team, actor: pickArb }),
  fc.record({ op: fc.constant("listMine" as const), actor: fc.nat({ max: USERS - 1 }), of: fc.nat({ max: USERS - 1 }) }),
  fc.record({ op: fc.constant("myInvitations" as const), actor: fc.nat({ max: USERS - 1 }) }),
  fc.record({
    op: fc.constant("advance" as const),
    hours: fc.oneof(fc.integer({ min: 1, max: 48 }), fc.constantFrom(7 * 24 - 1, 7 * 24, 7 * 24 + 1))
  })
)

// ---------------------------------------------------------------------------------------------
// The model: the rules of DESIGN.md in a few lines of plain data.

interface ModelTeam {
  readonly teamId: TeamId
  readonly name: string
  deleted: boolean
  /** user index → role */
  readonly members: Map<number, Role>
}

interface ModelInvitation {
  readonly invitationId: InvitationId
  readonly teamId: TeamId
  readonly email: number
  readonly role: GrantableRole
  status: "pending" | "accepted" | "declined"
  readonly expiresAt: number
}

interface Model {
  now: number
  readonly teams: Array<ModelTeam>
  readonly invitations: Array<ModelInvitation>
}

type Outcome = Record<string, string>
const ok: Outcome = { tag: "ok" }
const notFound = (resource: string): Outcome => ({ tag: "NotFound", resource })
const forbidden = (code: string): Outcome => ({ tag: "Forbidden", code })
const conflict = (code: string): Outcome => ({ tag: "Conflict", code })

const BOGUS_TEAM = TeamId.make("no-such-team")

/** Mostly a live team; index 7 picks among all teams ever created, deleted ones included. */
const teamAt = (model: Model, i: number): ModelTeam | undefined => {
  const live = model.teams.filter((t) => !t.deleted)
  const pool = i === 7 || live.length === 0 ? model.teams : live
  return pool.length === 0 ? undefined : pool[i % pool.length]
}

/** The acting user: someone holding `as` in the team (a non-member for "stranger"), else user k. */
const resolve = (t: ModelTeam | undefined, pick: Pick): number => {
  const candidates = Array.from({ length: USERS }, (_, i) => i).filter((i) => {
    if (pick.as === "anyone") return true
    const role = t === undefined || t.deleted ? undefined : t.members.get(i)
    return pick.as === "stranger" ? role === undefined : role === pick.as
  })
  return candidates.length === 0 ? pick.k : candidates[pick.k % candidates.length]!
}

const roleIn = (t: ModelTeam | undefined, user: number): Role | undefined =>
  t === undefined || t.deleted ? undefined : t.members.get(user)

const isOpen = (model: Model, i: ModelInvitation) => i.status === "pending" && i.expiresAt > model.now

// ---------------------------------------------------------------------------------------------

const roleOrder: Record<Role, number> = { owner: 0, admin: 1, member: 2 }

const scenario = (commands: ReadonlyArray<Command>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(T0)
    const teams = yield* Teams
    const repo = yield* TeamRepository
    const actors: Array<Actor> = []
    for (let i = 0; i < USERS; i++) actors.push(yield* register(userName(i)))
    const userIndex = new Map(actors.map((a, i) => [a.userId as string, i]))
    const model: Model = { now: T0, teams: [], invitations: [] }
    const log: Array<string> = []

    /** Runs `effect`, compares its outcome with `expected`, returns the success value if any. */
    const expect = <A, E>(label: string, expected: Outcome, effect: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(effect)
        const actual = describeExit(exit)
        log.push(`${label} → ${JSON.stringify(actual)}`)
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          assert.fail(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}\n${log.join("\n")}`)
        }
        return Exit.isSuccess(exit) ? Option.some(exit.value) : Option.none<A>()
      })

    /** Every existing team: exactly one owner, and exactly the model's members and roles. */
    const checkInvariants = Effect.gen(function*() {
      for (const t of model.teams) {
        const members = yield* repo.members(t.teamId)
        if (t.deleted) {
          assert.isTrue(Option.isNone(yield* repo.get(t.teamId)), `deleted team still there\n${log.join("\n")}`)
          assert.strictEqual(members.length, 0)
          continue
        }
        const owners = members.filter((m) => m.role === "owner")
        assert.strictEqual(owners.length, 1, `team ${t.teamId} has ${owners.length} owners\n${log.join("\n")}`)
        const actual = members.map((m) => `${userIndex.get(m.userId)}:${m.role}`).sort()
        const expected = [...t.members].map(([u, r]) => `${u}:${r}`).sort()
        assert.deepStrictEqual(actual, expected, log.join("\n"))
      }
    })

    for (const command of commands) {
      switch (command.op) {
        case "create": {
          const a = resolve(undefined, command.actor)
          const created = yield* expect(`u${a} create`, ok, teams.create(actors[a]!, { name: `team-${model.teams.length}` }))
          const value = Option.getOrThrow(created)
          model.teams.push({ teamId: value.teamId, name: value.name, deleted: false, members: new Map([[a, "owner"]]) })
          break
        }
        case "rename": {
          const t = teamAt(model, command.team)
          const a = resolve(t, command.actor)
          const role = roleIn(t, a)
          const expected = role === undefined ? notFound("team") : role === "member" ? forbidden("AdminOrOwnerRequired") : ok
          yield* expect(`u${a} rename ${t?.teamId}`, expected, teams.rename(actors[a]!, t?.teamId ?? BOGUS_TEAM, { name: "renamed" }))
          break
        }
        case "delete": {
          const t = teamAt(model, command.team)
          const a = resolve(t, command.actor)
          const role = roleIn(t, a)
          const expected = role === undefined ? notFound("team") : role !== "owner" ? forbidden("OwnerRequired") : ok
          const done = yield* expect(`u${a} delete ${t?.teamId}`, expected, teams.delete(actors[a]!, t?.teamId ?? BOGUS_TEAM))
          if (Option.isSome(done) && t !== undefined) {
            t.deleted = true
            t.members.clear()
            for (let i = model.invitations.length - 1; i >= 0; i--) {
              if (model.invitations[i]!.teamId === t.teamId) model.invitations.splice(i, 1)
            }
          }
          break
        }
        case "invite": {
          const t = teamAt(model, command.team)
          const a = resolve(t, command.actor)
          const role = roleIn(t, a)
          const expected = role === undefined
            ? notFound("team")
            : role === "member"
            ? forbidden("AdminOrOwnerRequired")
            : command.email < USERS && t!.members.has(command.email)
            ? conflict("AlreadyMember")
            : model.invitations.some((i) => i.teamId === t!.teamId && i.email === command.email && isOpen(model, i))
            ? conflict("InvitationPending")
            : ok
          const email = emailOf(userName(command.email))
          const invited = yield* expect(
            `u${a} invite e${command.email} as ${command.role} to ${t?.teamId}`,
            expected,
            teams.invite(actors[a]!, t?.teamId ?? BOGUS_TEAM, { email, role: command.role })
          )
          if (Option.isSome(invited)) {
            assert.strictEqual(invited.value.expiresAt, model.now + 7 * DAY)
            model.invitations.push({
              invitationId: invited.value.invitationId,
              teamId: t!.teamId,
              email: command.email,
              role: command.role,
              status: "pending",
              expiresAt: invited.value.expiresAt
            })
          }
          break
        }
        case "accept":
        case "decline": {
          // Mostly the invitee answering an open invitation; otherwise any invitation, any user.
          const open = model.invitations.filter((i) => isOpen(model, i) && i.email < USERS)
          const pool = command.invitee && open.length > 0 ? open : model.invitations
          const inv = pool.length === 0 ? undefined : pool[command.invitation % pool.length]
          const a = command.invitee && inv !== undefined && inv.email < USERS ? inv.email : command.k
          const t = inv === undefined ? undefined : model.teams.find((x) => x.teamId === inv.teamId)
          const expected = inv === undefined || inv.email !== a
            ? notFound("invitation")
            : inv.status !== "pending"
            ? conflict("InvitationNotPending")
            : inv.expiresAt <= model.now
            ? { tag: "Gone", code: "InvitationExpired" }
            : command.op === "accept" && t!.members.has(a)
            ? conflict("AlreadyMember")
            : ok
          const id = inv?.invitationId ?? InvitationId.make("no-such-invitation")
          const run = command.op === "accept"
            ? Effect.asVoid(teams.accept(actors[a]!, id))
            : teams.decline(actors[a]!, id)
          const done = yield* expect(`u${a} ${command.op} ${id}`, expected, run)
          if (Option.isSome(done)) {
            inv!.status = command.op === "accept" ? "accepted" : "declined"
            if (command.op === "accept") t!.members.set(a, inv!.role)
          }
          break
        }
        case "changeRole":
        case "transfer": {
          // Owner-only, aimed at another member: the owner aiming at themselves is a Conflict.
          const t = teamAt(model, command.team)
          const a = resolve(t, command.actor)
          const target = resolve(t, command.target)
          const role = roleIn(t, a)
          const expected = role === undefined
            ? notFound("team")
            : role !== "owner"
            ? forbidden("OwnerRequired")
            : target === a
            ? conflict(command.op === "transfer" ? "AlreadyOwner" : "TransferOwnershipFirst")
            : !t!.members.has(target)
            ? notFound("member")
            : ok
          if (command.op === "changeRole") {
            const done = yield* expect(
              `u${a} changeRole u${target} → ${command.role} in ${t?.teamId}`,
              expected,
              teams.changeRole(actors[a]!, t?.teamId ?? BOGUS_TEAM, actors[target]!.userId, { role: command.role })
            )
            if (Option.isSome(done)) t!.members.set(target, command.role)
          } else {
            const done = yield* expect(
              `u${a} transfer to u${target} in ${t?.teamId}`,
              expected,
              teams.transfer(actors[a]!, t?.teamId ?? BOGUS_TEAM, { userId: actors[target]!.userId })
            )
            if (Option.isSome(done)) {
              t!.members.set(target, "owner")
              t!.members.set(a, "admin")
            }
          }
          break
        }
        case "remove":
        case "leave": {
          const t = teamAt(model, command.team)
          const a = resolve(t, command.actor)
          const target = command.op === "leave" ? a : resolve(t, command.target)
          const role = roleIn(t, a)
          const targetRole = roleIn(t, target)
          const expected = role === undefined
            ? notFound("team")
            : target === a
            ? role === "owner" ? conflict("TransferOwnershipFirst") : ok
            : role === "member"
            ? forbidden("AdminOrOwnerRequired")
            : targetRole === undefined
            ? notFound("member")
            : targetRole === "owner"
            ? forbidden("CannotRemoveOwner")
            : role === "admin" && targetRole === "admin"
            ? forbidden("OwnerRequired")
            : ok
          const done = yield* expect(
            `u${a} remove u${target} from ${t?.teamId}`,
            expected,
            teams.removeMember(actors[a]!, t?.teamId ?? BOGUS_TEAM, actors[target]!.userId)
          )
          if (Option.isSome(done)) t!.members.delete(target)
          break
        }
        case "get": {
          const t = teamAt(model, command.team)
          const a = resolve(t, command.actor)
          const expected = roleIn(t, a) === undefined ? notFound("team") : ok
          const got = yield* expect(`u${a} get ${t?.teamId}`, expected, teams.get(actors[a]!, t?.teamId ?? BOGUS_TEAM))
          if (Option.isSome(got)) {
            const rows = got.value.members.map((m) => `${userIndex.get(m.userId)}:${m.role}:${m.name}`)
            const expectedRows = [...t!.members].map(([u, r]) => `${u}:${r}:${userName(u)}`)
            // The same members with their names, and listed owner first, then admins, then members.
            assert.deepStrictEqual([...rows].sort(), expectedRows.sort())
            assert.deepStrictEqual(got.value.members.map((m) => m.role), [...t!.members.values()].sort((x, y) => roleOrder[x] - roleOrder[y]))
          }
          break
        }
        case "listMine": {
          const expected = command.of === command.actor ? ok : forbidden("NotSelf")
          const listed = yield* expect(
            `u${command.actor} listMine u${command.of}`,
            expected,
            teams.listMine(actors[command.actor]!, actors[command.of]!.userId)
          )
          if (Option.isSome(listed)) {
            const actual = listed.value.map((t) => `${t.teamId}:${t.role}`).sort()
            const modelled = model.teams
              .filter((t) => !t.deleted && t.members.has(command.actor))
              .map((t) => `${t.teamId}:${t.members.get(command.actor)}`)
              .sort()
            assert.deepStrictEqual(actual, modelled)
          }
          break
        }
        case "myInvitations": {
          const listed = yield* expect(`u${command.actor} myInvitations`, ok, teams.myInvitations(actors[command.actor]!))
          const actual = Option.getOrThrow(listed).map((i) => i.invitationId).sort()
          const modelled = model.invitations
            .filter((i) => i.email === command.actor && isOpen(model, i))
            .map((i) => i.invitationId)
            .sort()
          assert.deepStrictEqual(actual, modelled)
          break
        }
        case "advance": {
          yield* TestClock.adjust(command.hours * HOUR)
          model.now += command.hours * HOUR
          log.push(`advance ${command.hours}h`)
          break
        }
      }
      yield* checkInvariants
    }
  })

// ---------------------------------------------------------------------------------------------
// Concurrency: random operations in parallel on a seeded team, through a repository that yields
// before each call, so checks and writes of different requests interleave.

type ParallelOp =
  | { readonly op: "transfer" | "changeRole" | "remove"; readonly actor: number; readonly target: number; readonly role: GrantableRole }
  | { readonly op: "leave" | "accept" | "delete"; readonly actor: number }

const parallelOpArb: fc.Arbitrary<ParallelOp> = fc.oneof(
  fc.record({
    op: fc.constantFrom("transfer" as const, "changeRole" as const, "remove" as const),
    actor: fc.nat({ max: USERS - 1 }),
    target: fc.nat({ max: USERS - 1 }),
    role: grantable
  }),
  fc.record({ op: fc.constantFrom("leave" as const, "accept" as const, "delete" as const), actor: fc.nat({ max: USERS - 1 }) })
)

const concurrentScenario = (ops: ReadonlyArray<ParallelOp>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(T0)
    const teams = yield* Teams
    const repo = yield* TeamRepository
    const actors: Array<Actor> = []
    for (let i = 0; i < USERS; i++) actors.push(yield* register(userName(i)))
    // p0 owns; p1, p2 admins; p3, p4 members; p5 holds a pending invitation.
    const { teamId } = yield* teams.create(actors[0]!, { name: "Crew" })
    const roles: ReadonlyArray<GrantableRole> = ["admin", "admin", "member", "member"]
    for (const [i, role] of roles.entries()) {
      const invitation = yield* teams.invite(actors[0]!, teamId, { email: actors[i + 1]!.email, role })
      yield* teams.accept(actors[i + 1]!, invitation.invitationId)
    }
    const pending = yield* teams.invite(actors[1]!, teamId, { email: actors[5]!.email, role: "admin" })

    const exits = yield* Effect.all(
      ops.map((o) => {
        const actor = actors[o.actor]!
        switch (o.op) {
          case "transfer":
            return Effect.exit(teams.transfer(actor, teamId, { userId: actors[o.target]!.userId }))
          case "changeRole":
            return Effect.exit(teams.changeRole(actor, teamId, actors[o.target]!.userId, { role: o.role }))
          case "remove":
            return Effect.exit(teams.removeMember(actor, teamId, actors[o.target]!.userId))
          case "leave":
            return Effect.exit(teams.removeMember(actor, teamId, actor.userId))
          case "accept":
            return Effect.exit(Effect.asVoid(teams.accept(actor, pending.invitationId)))
          case "delete":
            return Effect.exit(teams.delete(actor, teamId))
        }
      }),
      { concurrency: "unbounded" }
    )
    for (const exit of exits) {
      const outcome = describeExit(exit)
      assert.include(["ok", "NotFound", "Forbidden", "Conflict"], outcome.tag, JSON.stringify(outcome))
    }
    const members = yield* repo.members(teamId)
    if (Option.isSome(yield* repo.get(teamId))) {
      assert.strictEqual(members.filter((m) => m.role === "owner").length, 1, JSON.stringify(ops))
    } else {
      assert.strictEqual(members.length, 0)
    }
  })

/** Every run starts from a team of p0 (owner), p1 and p2 (admins), p3 and p4 (members), built through the service. */
const seed: ReadonlyArray<Command> = [
  { op: "create", actor: { as: "anyone", k: 0 } },
  ...([[1, "admin"], [2, "admin"], [3, "member"], [4, "member"]] as const).map(([email, role]): Command => ({
    op: "invite",
    team: 0,
    actor: { as: "owner", k: 0 },
    email,
    role
  })),
  ...[1, 2, 3, 4].map((): Command => ({ op: "accept", invitation: 0, invitee: true, k: 0 }))
]

describe("Teams: exactly one owner", () => {
  it.effect("after any sequence of operations by any actors, with every refusal the rules give", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 60, size: "max" }), (commands) =>
          Effect.runPromise(
            scenario([...seed, ...commands]).pipe(
              Effect.provide(teamsLayer()),
              Effect.provide(TestClock.layer())
            )
          )),
        { numRuns: 300 }
      )
    ), 120_000)

  it.effect("after any operations run concurrently, interleaved between check and write", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.array(parallelOpArb, { minLength: 2, maxLength: 8 }), (ops) =>
          Effect.runPromise(
            concurrentScenario(ops).pipe(Effect.provide(teamsLayer(slowRepositoryLayer)), Effect.provide(TestClock.layer()))
          )),
        { numRuns: 300 }
      )
    ), 120_000)
})
