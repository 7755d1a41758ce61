/**
 * TeamRepositoryPostgres: the port's contract, unchanged, on a Postgres server and on PGlite; then
 * races on real pool connections (and the same on PGlite, where they serialise) with the
 * invariants read back from the tables — one membership per accepted invitation, exactly one
 * owner per team, one pending invitation per (team, email) — and the query plans of the two list
 * reads, which must come from their indexes on a table big enough for the planner to choose.
 */
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
import { freshScope, TeamRepositoryContract } from "@app/domain/contract"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schema } from "effect"
import { vi } from "vitest"
import { SqlClient } from "../../src/postgres/SqlClient.js"
import * as TeamRepositoryPostgres from "../../src/postgres/TeamRepositoryPostgres.js"
import { errorCode } from "../support/ErrorCodes.js"
import * as PostgresTest from "../support/PostgresTest.js"
import * as QueryPlans from "../support/QueryPlans.js"
import * as RowCounts from "../support/RowCounts.js"

// Opening PGlite and the model runs take seconds, more on a busy machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

TeamRepositoryContract.suite("postgres", TeamRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layer())))
TeamRepositoryContract.suite("pglite", TeamRepositoryPostgres.layer.pipe(Layer.provide(PostgresTest.layerPglite)))

const N = 20
const T0 = 1_700_000_000_000
const DAY = 86_400_000

const decodeEmail = Schema.decodeSync(Email)

const idsOf = (scope: string) => ({
  team: TeamId.make(`${scope}-t`),
  user: (i: number) => UserId.make(`${scope}-u${i}`),
  email: (i: number) => decodeEmail(`${scope}-u${i}@example.com`),
  invitation: (i: number | string) => InvitationId.make(`${scope}-i${i}`)
})

const member = (teamId: TeamId, userId: UserId, role: Role, at = T0) =>
  new Membership({ teamId, userId, role, invitedBy: null, joinedAt: at })

const invitation = (ids: ReturnType<typeof idsOf>, id: number | string, invitee: number, createdAt = T0) =>
  new Invitation({
    invitationId: ids.invitation(id),
    teamId: ids.team,
    email: ids.email(invitee),
    role: "member",
    invitedBy: ids.user(0),
    status: "pending",
    createdAt,
    expiresAt: createdAt + 7 * DAY
  })

const race = <A, E>(effects: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.all(effects.map((effect) => Effect.exit(effect)), { concurrency: "unbounded" })

const owners = (teamId: TeamId) => RowCounts.count("team_memberships", "team_id = $1 AND role = 'owner'", [teamId])
const memberCount = (teamId: TeamId) => RowCounts.count("team_memberships", "team_id = $1", [teamId])

for (const [name, sqlLayer] of PostgresTest.backends({ maxConnections: 12 })) {
  layer(TeamRepositoryPostgres.layer.pipe(Layer.provideMerge(sqlLayer)), { timeout: "180 seconds" })(
    `TeamRepositoryPostgres races and plans: ${name}`,
    (it) => {
      /** A team owned by u0 with members u1..u{members}, all joined through invitations. */
      const seedTeam = Effect.fnUntraced(function*(label: string, members = 0) {
        const repo = yield* TeamRepository
        const ids = idsOf(freshScope(label))
        yield* repo.create(new Team({ teamId: ids.team, name: "Team", createdAt: T0, updatedAt: T0 }), member(ids.team, ids.user(0), "owner"))
        for (let i = 1; i <= members; i++) {
          const seed = invitation(ids, `seed${i}`, i)
          yield* repo.addInvitation(seed)
          yield* repo.acceptInvitation(seed, member(ids.team, ids.user(i), i % 2 === 0 ? "admin" : "member", T0 + 1))
        }
        return { repo, ids }
      })

      it.effect(`${N} parallel accepts of one invitation by different users: one membership`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("accept")
          const invited = invitation(ids, 1, 1)
          yield* repo.addInvitation(invited)
          const exits = yield* race(
            Array.from({ length: N }, (_, i) => repo.acceptInvitation(invited, member(ids.team, ids.user(i + 1), "member", T0 + 1)))
          )
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("InvitationNotPending"))
          assert.strictEqual(yield* memberCount(ids.team), 2)
          assert.strictEqual(Option.getOrThrow(yield* repo.invitation(ids.invitation(1))).status, "accepted")
        }))

      it.effect(`${N} parallel accepts and declines of one invitation by one user: answered once`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("answer")
          const invited = invitation(ids, 1, 1)
          yield* repo.addInvitation(invited)
          const exits = yield* race(
            Array.from({ length: N }, (_, i) =>
              i % 2 === 0
                ? repo.acceptInvitation(invited, member(ids.team, ids.user(1), "member", T0 + 1))
                : repo.declineInvitation(invited))
          )
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          const status = Option.getOrThrow(yield* repo.invitation(ids.invitation(1))).status
          assert.strictEqual(yield* memberCount(ids.team), status === "accepted" ? 2 : 1)
        }))

      it.effect(`${N} parallel ownership transfers from the owner: one wins, exactly one owner`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("transfer", N)
          const exits = yield* race(Array.from({ length: N }, (_, i) => repo.transferOwnership(ids.team, ids.user(0), ids.user(i + 1))))
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("NotOwner"))
          assert.strictEqual(yield* owners(ids.team), 1)
          assert.strictEqual(Option.getOrThrow(yield* repo.membership(ids.team, ids.user(0))).role, "admin")
        }))

      it.effect(`${N} parallel transfers, role changes and removals across a team: always exactly one owner`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("mixed", 6)
          for (let round = 0; round < 3; round++) {
            const exits = yield* race(
              Array.from({ length: N }, (_, i) => {
                const a = ids.user(i % 7)
                const b = ids.user((i * 3 + round + 1) % 7)
                switch (i % 4) {
                  case 0:
                  case 1:
                    return repo.transferOwnership(ids.team, a, b)
                  case 2:
                    return Effect.asVoid(repo.changeRole(ids.team, b, i % 8 === 2 ? "admin" : "member", ["admin", "member"]))
                  default:
                    return repo.removeMember(ids.team, b, ["member"])
                }
              })
            )
            // Only domain outcomes: no deadlock or store error leaks out.
            for (const exit of exits.filter(Exit.isFailure)) {
              assert.include(["NotOwner", "AlreadyOwner", "RoleChanged", "NotFound"], errorCode(exit))
            }
            assert.strictEqual(yield* owners(ids.team), 1)
          }
        }))

      it.effect(`${N} parallel role changes of one member, each expecting the old role: one wins`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("role", 1)
          const exits = yield* race(Array.from({ length: N }, () => repo.changeRole(ids.team, ids.user(1), "admin", ["member"])))
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("RoleChanged"))
          assert.strictEqual(Option.getOrThrow(yield* repo.membership(ids.team, ids.user(1))).role, "admin")
        }))

      it.effect(`${N} parallel invitations of one email: one pending invitation`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("invite")
          const exits = yield* race(Array.from({ length: N }, (_, i) => repo.addInvitation(invitation(ids, i, 1, T0 + i))))
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.deepStrictEqual(exits.filter(Exit.isFailure).map(errorCode), Array(N - 1).fill("InvitationPending"))
          assert.strictEqual(
            yield* RowCounts.count("team_invitations", "team_id = $1 AND email = $2 AND status = 'pending'", [ids.team, ids.email(1)]),
            1
          )
          assert.strictEqual((yield* repo.pendingInvitationsFor(ids.email(1), T0 + N)).length, 1)
        }))

      it.effect(`${N} parallel invitations of one email after the pending one expired: one new pending invitation`, () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("reinvite")
          yield* repo.addInvitation(invitation(ids, "old", 1))
          const later = T0 + 7 * DAY
          const exits = yield* race(Array.from({ length: N }, (_, i) => repo.addInvitation(invitation(ids, i, 1, later))))
          assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
          assert.strictEqual((yield* repo.pendingInvitationsFor(ids.email(1), later)).length, 1)
        }))

      it.effect("deleting a team while its members race: no deadlock surfaces, nothing is left behind", () =>
        Effect.gen(function*() {
          const { ids, repo } = yield* seedTeam("delete", 6)
          const invited = invitation(ids, 1, 9)
          yield* repo.addInvitation(invited)
          const exits = yield* race([
            repo.acceptInvitation(invited, member(ids.team, ids.user(9), "member", T0 + 1)),
            repo.transferOwnership(ids.team, ids.user(0), ids.user(1)),
            repo.changeRole(ids.team, ids.user(2), "member", ["admin"]),
            repo.removeMember(ids.team, ids.user(3), ["member"]),
            repo.addInvitation(invitation(ids, 2, 10)),
            repo.delete(ids.team),
            repo.transferOwnership(ids.team, ids.user(0), ids.user(4))
          ])
          for (const exit of exits.filter(Exit.isFailure)) {
            assert.include(["NotFound", "NotOwner"], errorCode(exit))
          }
          assert.strictEqual(yield* memberCount(ids.team), 0)
          assert.strictEqual(yield* RowCounts.count("team_invitations", "team_id = $1", [ids.team]), 0)
        }))

      it.effect("teamsOf and pendingInvitationsFor are planned on their indexes", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient
          const scope = freshScope("plan")
          // Enough rows that an index is the planner's own choice: 5,000 teams, 10,000 members
          // among 1,000 users, 20,000 invitations of which a third are pending.
          yield* sql.script(`
            INSERT INTO teams (team_id, name, created_at, updated_at)
              SELECT '${scope}-t' || g, 'Team', 0, 0 FROM generate_series(1, 5000) g;
            INSERT INTO team_memberships (team_id, user_id, role, invited_by, joined_at)
              SELECT '${scope}-t' || g, '${scope}-u' || (g % 1000), 'owner', NULL, 0 FROM generate_series(1, 5000) g;
            INSERT INTO team_memberships (team_id, user_id, role, invited_by, joined_at)
              SELECT '${scope}-t' || g, '${scope}-u' || ((g + 500) % 1000), 'member', NULL, 0 FROM generate_series(1, 5000) g;
            INSERT INTO team_invitations (invitation_id, team_id, email, role, invited_by, status, created_at, expires_at)
              SELECT '${scope}-i' || g, '${scope}-t' || (g % 5000 + 1), '${scope}-u' || (g % 4000) || '@example.com', 'member',
                     '${scope}-u0', CASE WHEN g % 3 = 0 THEN 'pending' ELSE 'accepted' END, 0, 1000 + g
                FROM generate_series(1, 20000) g;
            ANALYZE teams;
            ANALYZE team_memberships;
            ANALYZE team_invitations;
          `)
          const repo = yield* TeamRepository
          assert.strictEqual((yield* repo.teamsOf(UserId.make(`${scope}-u7`))).length, 10)
          const pendingOfU3 = Array.from({ length: 20000 }, (_, i) => i + 1).filter((g) => g % 4000 === 3 && g % 3 === 0).length
          assert.strictEqual((yield* repo.pendingInvitationsFor(decodeEmail(`${scope}-u3@example.com`), 0)).length, pendingOfU3)

          QueryPlans.assertUsesIndexes(
            yield* QueryPlans.explainAsPlanned(TeamRepositoryPostgres.queries.teamsOf, [`${scope}-u7`]),
            "team_memberships_user_idx"
          )
          QueryPlans.assertUsesIndexes(
            yield* QueryPlans.explainAsPlanned(TeamRepositoryPostgres.queries.pendingInvitationsFor, [`${scope}-u3@example.com`, 0]),
            "team_invitations_pending_email_idx"
          )

          // The rows were only for the planner.
          yield* sql.query("DELETE FROM teams WHERE team_id LIKE $1", [`${scope}-t%`])
        }))
    }
  )
}
