/**
 * TeamRepository on DynamoDB Local: the domain's contract suite unchanged, then what only this
 * adapter shows — 20 racing accepts of one invitation make one membership, racing ownership
 * transfers leave exactly one owner, 20 racing invitations of one email leave one pending (the
 * guard item), the guard's release and hand-over, a delete that leaves nothing behind in either
 * table, a memberUserId-index that holds memberships only and that renames and role changes never
 * write, the round trips of each method, and never a Scan.
 */
import type { ConsumedCapacity } from "@aws-sdk/client-dynamodb"
import { assert, layer } from "@effect/vitest"
import {
  Email,
  Invitation,
  InvitationId,
  Membership,
  type Role,
  Team,
  TeamId,
  TeamRepository,
  UserId
} from "@app/domain"
import { TeamRepositoryContract } from "@app/domain/contract"
import { Effect, Exit, Layer, Option, Schema } from "effect"
import { DynamoClient } from "../../src/dynamodb/DynamoClient.js"
import { TEAM_ITEM_SORT_KEY } from "../../src/dynamodb/Tables.js"
import * as TeamRepositoryDynamo from "../../src/dynamodb/TeamRepositoryDynamo.js"
import * as DynamoTest from "../support/DynamoTest.js"

const TABLES = ["teams", "invitations"] as const

const contract = DynamoTest.make({ tables: TABLES })
TeamRepositoryContract.suite("dynamodb", TeamRepositoryDynamo.layer.pipe(Layer.provide(contract.layer)))

const dynamo = DynamoTest.make({ tables: TABLES })

DynamoTest.assertNoScanAfterAll(contract, dynamo)

const T0 = 1_700_000_000_000
const HOUR = 3_600_000
const DAY = 24 * HOUR

let counter = 0
const decodeEmail = Schema.decodeSync(Email)

/** Ids of a fresh scope: team t, users u<i> with emails, invitations i<i>. */
const scope = () => {
  const s = `tr${(counter++).toString(36)}`
  return {
    teamId: TeamId.make(`${s}-t`),
    user: (i: number) => UserId.make(`${s}-u${i}`),
    email: (i: number) => decodeEmail(`${s}-u${i}@example.com`),
    invitation: (i: number | string) => InvitationId.make(`${s}-i${i}`)
  }
}

const member = (teamId: TeamId, userId: UserId, role: Role, at = T0) =>
  new Membership({ teamId, userId, role, invitedBy: role === "owner" ? null : UserId.make("inviter"), joinedAt: at })

const invitationOf = (
  ids: ReturnType<typeof scope>,
  id: number | string,
  invitee: number,
  options: { readonly createdAt?: number; readonly expiresAt?: number } = {}
) =>
  new Invitation({
    invitationId: ids.invitation(id),
    teamId: ids.teamId,
    email: ids.email(invitee),
    role: "member",
    invitedBy: ids.user(0),
    status: "pending",
    createdAt: options.createdAt ?? T0,
    expiresAt: options.expiresAt ?? (options.createdAt ?? T0) + 7 * DAY
  })

/** A team owned by u0 with `members` more members u1…un who joined through invitations. */
const seedTeam = Effect.fnUntraced(function*(members = 0) {
  const repo = yield* TeamRepository
  const ids = scope()
  yield* repo.create(new Team({ teamId: ids.teamId, name: "Team", createdAt: T0, updatedAt: T0 }), member(ids.teamId, ids.user(0), "owner"))
  for (let i = 1; i <= members; i++) {
    const seed = invitationOf(ids, `seed${i}`, i)
    yield* repo.addInvitation(seed)
    yield* repo.acceptInvitation(seed, member(ids.teamId, ids.user(i), "member", T0 + 1))
  }
  return { repo, ids }
})

const race = <A, E>(effects: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.all(effects.map((e) => Effect.exit(e)), { concurrency: "unbounded" })

const codeOf = (exit: Exit.Exit<unknown, unknown>) => {
  const found = Exit.findErrorOption(exit)
  return Option.isSome(found) ? (found.value as { code?: string; _tag: string }).code ?? (found.value as { _tag: string })._tag : "ok"
}

const ownersOf = (members: ReadonlyArray<Membership>) => members.filter((m) => m.role === "owner").map((m) => m.userId)

const CAPACITY_PROBE = "testIndexCapacityProbe"

/**
 * Runs `effect` with every request asking for ReturnConsumedCapacity INDEXES (DynamoDB Local
 * reports it per index, as AWS does) and returns it with the writes it cost the indexes, as
 * "<command> <table>.<index>" — the direct evidence of which writes reach an index.
 */
const indexWritesOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const { raw, tablePrefix } = yield* DynamoClient
    const writes: Array<string> = []
    raw.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: "INDEXES" } })
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ReadonlyArray<ConsumedCapacity> }).ConsumedCapacity
        for (const capacity of [consumed ?? []].flat()) {
          const table = (capacity.TableName ?? "").slice(tablePrefix.length)
          for (const [index, units] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
            if ((units.CapacityUnits ?? 0) > 0) writes.push(`${context.commandName?.replace(/Command$/, "")} ${table}.${index}`)
          }
        }
        return result
      },
      { step: "initialize", name: CAPACITY_PROBE, override: true }
    )
    const value = yield* effect.pipe(Effect.ensuring(Effect.sync(() => raw.middlewareStack.remove(CAPACITY_PROBE))))
    return { value, writes }
  })

layer(TeamRepositoryDynamo.layer.pipe(Layer.provideMerge(dynamo.layer)), { excludeTestServices: true, timeout: "60 seconds" })(
  "TeamRepositoryDynamo",
  (it) => {
    it.effect("20 parallel accepts of one invitation by 20 users: one membership, the rest InvitationNotPending", () =>
      Effect.gen(function*() {
        const { ids, repo } = yield* seedTeam()
        const invitation = invitationOf(ids, 1, 1)
        yield* repo.addInvitation(invitation)
        const exits = yield* race(
          Array.from({ length: 20 }, (_, i) => repo.acceptInvitation(invitation, member(ids.teamId, ids.user(i + 1), "member", T0 + 1)))
        )
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        assert.deepStrictEqual(new Set(exits.filter(Exit.isFailure).map(codeOf)), new Set(["InvitationNotPending"]))
        assert.strictEqual((yield* repo.members(ids.teamId)).length, 2)
        assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(1))).status, "accepted")
      }))

    it.effect("20 parallel accepts of one invitation by one user: one membership", () =>
      Effect.gen(function*() {
        const { ids, repo } = yield* seedTeam()
        const invitation = invitationOf(ids, 1, 1)
        yield* repo.addInvitation(invitation)
        const joining = member(ids.teamId, ids.user(1), "member", T0 + 1)
        const exits = yield* race(Array.from({ length: 20 }, () => repo.acceptInvitation(invitation, joining)))
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        assert.deepStrictEqual((yield* repo.members(ids.teamId)).map((m) => m.userId).sort(), [ids.user(0), ids.user(1)])
      }))

    it.effect("parallel ownership transfers, from the owner and from every member: exactly one owner, each round", () =>
      Effect.gen(function*() {
        for (let round = 0; round < 3; round++) {
          const { ids, repo } = yield* seedTeam(6)
          const users = [0, 1, 2, 3, 4, 5, 6]
          const exits = yield* race(
            users.flatMap((from) => users.filter((to) => to !== from).map((to) => repo.transferOwnership(ids.teamId, ids.user(from), ids.user(to))))
          )
          const wins = exits.filter(Exit.isSuccess).length
          assert.isAtLeast(wins, 1)
          assert.deepStrictEqual(new Set(exits.filter(Exit.isFailure).map(codeOf)), new Set(["NotOwner"]))
          const members = yield* repo.members(ids.teamId)
          assert.strictEqual(members.length, 7)
          assert.strictEqual(ownersOf(members).length, 1)
        }
      }))

    it.effect("20 parallel transfers from the owner to 20 members: one wins, one owner, the old one an admin", () =>
      Effect.gen(function*() {
        const { ids, repo } = yield* seedTeam(20)
        const exits = yield* race(Array.from({ length: 20 }, (_, i) => repo.transferOwnership(ids.teamId, ids.user(0), ids.user(i + 1))))
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        const members = yield* repo.members(ids.teamId)
        const winner = ids.user(exits.findIndex(Exit.isSuccess) + 1)
        assert.deepStrictEqual(ownersOf(members), [winner])
        assert.strictEqual(members.find((m) => m.userId === ids.user(0))?.role, "admin")
      }))

    it.effect("20 parallel invitations of one email: one is stored and pending, the guard names it", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const { ids, repo } = yield* seedTeam()
        const exits = yield* race(Array.from({ length: 20 }, (_, i) => repo.addInvitation(invitationOf(ids, i, 1, { createdAt: T0 + i }))))
        assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
        assert.deepStrictEqual(new Set(exits.filter(Exit.isFailure).map(codeOf)), new Set(["InvitationPending"]))
        const winner = ids.invitation(exits.findIndex(Exit.isSuccess))
        const pending = yield* repo.pendingInvitationsFor(ids.email(1), T0 + 100)
        assert.deepStrictEqual(pending.map((i) => i.invitationId), [winner])
        const stored = yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) => repo.invitation(ids.invitation(i)))
        assert.strictEqual(stored.filter(Option.isSome).length, 1)
        const guard = Option.getOrThrow(yield* client.get("invitations", TeamRepositoryDynamo.pendingGuardKey(ids.teamId, ids.email(1))))
        assert.strictEqual(guard["pendingInvitationId"], winner)
        assert.isUndefined(guard["email"])
      }))

    it.effect("the guard: released by an answer, taken over after expiry, left alone by answering an older invitation", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const { ids, repo } = yield* seedTeam()
        const guardOf = (invitee: number) =>
          Effect.map(client.get("invitations", TeamRepositoryDynamo.pendingGuardKey(ids.teamId, ids.email(invitee))), Option.map((g) => g["pendingInvitationId"]))

        // Answering releases the guard: a new invitation may follow at once.
        const first = invitationOf(ids, 1, 1)
        yield* repo.addInvitation(first)
        yield* repo.declineInvitation(first)
        assert.isTrue(Option.isNone(yield* guardOf(1)))
        const second = invitationOf(ids, 2, 1, { createdAt: T0 + 1 })
        yield* repo.addInvitation(second)
        yield* repo.acceptInvitation(second, member(ids.teamId, ids.user(1), "member", T0 + 2))
        assert.isTrue(Option.isNone(yield* guardOf(1)))

        // An expired invitation's guard is taken over; answering the old one leaves the new guard.
        const expiring = invitationOf(ids, 3, 2, { expiresAt: T0 + HOUR })
        yield* repo.addInvitation(expiring)
        assert.deepStrictEqual(yield* guardOf(2), Option.some(ids.invitation(3)))
        yield* repo.addInvitation(invitationOf(ids, 4, 2, { createdAt: T0 + HOUR }))
        assert.deepStrictEqual(yield* guardOf(2), Option.some(ids.invitation(4)))
        dynamo.recorder.take()
        yield* repo.declineInvitation(expiring)
        assert.deepStrictEqual(dynamo.recorder.take(), ["TransactWriteItems", "TransactWriteItems"])
        assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(3))).status, "declined")
        assert.deepStrictEqual(yield* guardOf(2), Option.some(ids.invitation(4)))
        const blocked = yield* Effect.exit(repo.addInvitation(invitationOf(ids, 5, 2, { createdAt: T0 + HOUR + 1 })))
        assert.strictEqual(codeOf(blocked), "InvitationPending")
      }))

    it.effect("delete leaves nothing of the team in either table, guards included; accepting afterwards is NotFound", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const { ids, repo } = yield* seedTeam(30)
        yield* Effect.forEach(Array.from({ length: 30 }, (_, i) => i), (i) => repo.addInvitation(invitationOf(ids, i, 100 + i)), {
          concurrency: 8,
          discard: true
        })
        dynamo.recorder.take()
        yield* repo.delete(ids.teamId)
        const commands = dynamo.recorder.takeDetailed().map((c) => `${c.command} ${c.tables.join(",")}`)
        // 31 memberships, 90 invitation items (30 accepted seeds, 30 pending and their 30 guards): ⌈31/25⌉ + ⌈90/25⌉ batches.
        assert.deepStrictEqual(commands.slice(0, 1), ["DeleteItem teams"])
        assert.deepStrictEqual([...commands.slice(1)].sort(), [
          ...Array<string>(4).fill("BatchWriteItem invitations"),
          ...Array<string>(2).fill("BatchWriteItem teams"),
          "Query invitations",
          "Query teams"
        ])
        assert.deepStrictEqual(yield* client.queryAll("teams", { partition: ids.teamId }), [])
        assert.deepStrictEqual(yield* client.queryAll("invitations", { index: "teamId-index", partition: ids.teamId }), [])
        assert.deepStrictEqual(yield* repo.teamsOf(ids.user(1)), [])
        assert.deepStrictEqual(yield* repo.pendingInvitationsFor(ids.email(100), T0), [])
        const late = yield* Effect.exit(repo.acceptInvitation(invitationOf(ids, 0, 100), member(ids.teamId, ids.user(100), "member", T0 + 1)))
        assert.strictEqual(codeOf(late), "NotFound")
      }))

    it.effect("a membership whose team item is gone (a delete cut short) reads as absent, and a second delete finishes", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const { ids, repo } = yield* seedTeam(2)
        yield* client.delete("teams", { teamId: ids.teamId, userId: "#TEAM" })
        assert.isTrue(Option.isNone(yield* repo.membership(ids.teamId, ids.user(1))))
        assert.deepStrictEqual(yield* repo.members(ids.teamId), [])
        assert.deepStrictEqual(yield* repo.teamsOf(ids.user(1)), [])
        yield* repo.delete(ids.teamId)
        assert.deepStrictEqual(yield* client.queryAll("teams", { partition: ids.teamId }), [])
      }))

    it.effect("memberUserId-index is sparse: memberships only, never a team; renames and role changes never write it", () =>
      Effect.gen(function*() {
        const client = yield* DynamoClient
        const { ids, repo } = yield* seedTeam(2)
        const other = scope()
        const { writes: created } = yield* indexWritesOf(repo.create(
          new Team({ teamId: other.teamId, name: "Other", createdAt: T0, updatedAt: T0 }),
          member(other.teamId, ids.user(1), "owner")
        ))
        // The transaction puts a team item and a membership: only the membership reaches the index.
        assert.deepStrictEqual(created, ["TransactWriteItems teams.memberUserId-index"])

        // A raw Query of the index: the user's memberships, keys only; no team under any key.
        const ofUser = yield* client.queryAll("teams", { index: "memberUserId-index", partition: ids.user(1) })
        assert.deepStrictEqual(
          ofUser,
          [ids.teamId, other.teamId].sort().map((teamId) => ({ teamId, userId: ids.user(1), memberUserId: ids.user(1) }))
        )
        for (const userId of [ids.user(0), ids.user(2)]) {
          assert.deepStrictEqual(yield* client.queryAll("teams", { index: "memberUserId-index", partition: userId }), [
            { teamId: ids.teamId, userId, memberUserId: userId }
          ])
        }
        assert.deepStrictEqual(yield* client.queryAll("teams", { index: "memberUserId-index", partition: TEAM_ITEM_SORT_KEY }), [])

        const teamItem = () => Effect.map(client.get("teams", { teamId: ids.teamId, userId: TEAM_ITEM_SORT_KEY }), Option.getOrThrow)
        assert.notProperty(yield* teamItem(), "memberUserId")
        const stored = yield* client.queryAll("teams", { partition: ids.teamId })
        assert.deepStrictEqual(stored.map((item) => item["memberUserId"]), [undefined, ids.user(0), ids.user(1), ids.user(2)])

        // Renames, role changes and transfers write only the table; the index learns of none of them.
        const { value: renamed, writes: changed } = yield* indexWritesOf(Effect.gen(function*() {
          const team = yield* repo.rename(ids.teamId, "Renamed", T0 + 1)
          yield* repo.changeRole(ids.teamId, ids.user(1), "admin", ["member"])
          yield* repo.transferOwnership(ids.teamId, ids.user(0), ids.user(2))
          return team
        }))
        assert.strictEqual(renamed.name, "Renamed")
        assert.deepStrictEqual(changed, [])
        assert.notProperty(yield* teamItem(), "memberUserId")
        assert.deepStrictEqual(
          (yield* repo.teamsOf(ids.user(1))).map(({ membership, team }) => [team.name, membership.role]).sort(),
          [["Other", "owner"], ["Renamed", "admin"]]
        )

        // Joining and leaving do write it: the probe sees index writes when there are any.
        const invitation = invitationOf(ids, 1, 3)
        yield* repo.addInvitation(invitation)
        const { writes: joined } = yield* indexWritesOf(
          repo.acceptInvitation(invitation, member(ids.teamId, ids.user(3), "member", T0 + 2))
        )
        assert.deepStrictEqual(joined.filter((write) => write.includes(" teams.")), ["TransactWriteItems teams.memberUserId-index"])
        const { writes: left } = yield* indexWritesOf(repo.removeMember(ids.teamId, ids.user(3), ["member"]))
        assert.deepStrictEqual(left, ["DeleteItem teams.memberUserId-index"])
        assert.deepStrictEqual(yield* client.queryAll("teams", { index: "memberUserId-index", partition: ids.user(3) }), [])
      }))

    it.effect("each method costs the documented round trips, none of them a Scan", () =>
      Effect.gen(function*() {
        const { recorder } = dynamo
        const repo = yield* TeamRepository
        const ids = scope()
        const take = () => recorder.takeDetailed().map((c) => `${c.command} ${c.tables.join(",")}`)
        recorder.take()
        yield* repo.create(new Team({ teamId: ids.teamId, name: "Team", createdAt: T0, updatedAt: T0 }), member(ids.teamId, ids.user(0), "owner"))
        assert.deepStrictEqual(take(), ["TransactWriteItems teams"])
        yield* repo.get(ids.teamId)
        assert.deepStrictEqual(take(), ["GetItem teams"])
        yield* repo.rename(ids.teamId, "Renamed", T0 + 1)
        assert.deepStrictEqual(take(), ["UpdateItem teams"])

        const invitation = invitationOf(ids, 1, 1)
        yield* repo.addInvitation(invitation)
        assert.deepStrictEqual(take(), ["TransactWriteItems teams,invitations"])
        yield* repo.invitation(ids.invitation(1))
        assert.deepStrictEqual(take(), ["GetItem invitations"])
        yield* repo.pendingInvitationsFor(ids.email(1), T0)
        assert.deepStrictEqual(take(), ["Query invitations"])
        // The invitation comes from the caller (as it read it): an answer is its transaction alone.
        yield* repo.acceptInvitation(invitation, member(ids.teamId, ids.user(1), "member", T0 + 1))
        assert.deepStrictEqual(take(), ["TransactWriteItems teams,invitations"])
        const declined = invitationOf(ids, 2, 2)
        yield* repo.addInvitation(declined)
        take()
        yield* repo.declineInvitation(declined)
        assert.deepStrictEqual(take(), ["TransactWriteItems teams,invitations"])
        // An unknown one, and a known one under another email: the transaction refuses them.
        assert.strictEqual(codeOf(yield* Effect.exit(repo.declineInvitation(invitationOf(ids, 9, 2)))), "NotFound")
        assert.deepStrictEqual(take(), ["TransactWriteItems teams,invitations"])
        assert.strictEqual(codeOf(yield* Effect.exit(repo.declineInvitation(invitationOf(ids, 2, 3)))), "NotFound")
        assert.deepStrictEqual(take(), ["TransactWriteItems teams,invitations"])

        yield* repo.membership(ids.teamId, ids.user(1))
        assert.deepStrictEqual(take(), ["BatchGetItem teams"])
        yield* repo.members(ids.teamId)
        assert.deepStrictEqual(take(), ["Query teams"])
        assert.strictEqual((yield* repo.teamsOf(ids.user(1))).length, 1)
        assert.deepStrictEqual(take(), ["Query teams", "BatchGetItem teams"])
        assert.deepStrictEqual(yield* repo.teamsOf(ids.user(9)), [])
        assert.deepStrictEqual(take(), ["Query teams"])

        yield* repo.changeRole(ids.teamId, ids.user(1), "admin", ["member"])
        assert.deepStrictEqual(take(), ["UpdateItem teams"])
        assert.strictEqual(codeOf(yield* Effect.exit(repo.changeRole(ids.teamId, ids.user(1), "admin", []))), "RoleChanged")
        assert.deepStrictEqual(take(), ["BatchGetItem teams"])
        yield* repo.transferOwnership(ids.teamId, ids.user(0), ids.user(1))
        assert.deepStrictEqual(take(), ["TransactWriteItems teams"])
        assert.strictEqual(codeOf(yield* Effect.exit(repo.transferOwnership(ids.teamId, ids.user(1), ids.user(1)))), "AlreadyOwner")
        assert.deepStrictEqual(take(), ["BatchGetItem teams"])
        yield* repo.removeMember(ids.teamId, ids.user(0), ["admin"])
        assert.deepStrictEqual(take(), ["DeleteItem teams"])

        yield* repo.delete(ids.teamId)
        const deleted = take()
        assert.strictEqual(deleted[0], "DeleteItem teams")
        assert.deepStrictEqual([...deleted.slice(1)].sort(), [
          "BatchWriteItem invitations",
          "BatchWriteItem teams",
          "Query invitations",
          "Query teams"
        ])
        yield* repo.delete(ids.teamId)
        assert.deepStrictEqual([...take()].sort(), ["DeleteItem teams", "Query invitations", "Query teams"])
      }))

    it.effect("create never overwrites a team: a taken id is a TeamRepositoryError and the owner stays", () =>
      Effect.gen(function*() {
        const { ids, repo } = yield* seedTeam(1)
        const again = yield* Effect.exit(
          repo.create(new Team({ teamId: ids.teamId, name: "Other", createdAt: T0, updatedAt: T0 }), member(ids.teamId, ids.user(1), "owner"))
        )
        assert.strictEqual(codeOf(again), "TeamRepositoryError")
        assert.deepStrictEqual(ownersOf(yield* repo.members(ids.teamId)), [ids.user(0)])
        assert.strictEqual(Option.getOrThrow(yield* repo.get(ids.teamId)).name, "Team")
      }))
  }
)
