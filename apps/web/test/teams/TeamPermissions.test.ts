/**
 * The UI's mirror of the team rules (TeamPermissions) against the rules themselves: for every
 * actor role and target, an action is shown exactly when the real contract (in process) allows
 * it. Each attempt runs on a fresh team, so no attempt changes what the next one sees.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  canChangeRole,
  canDeleteTeam,
  canInvite,
  canLeave,
  canRemove,
  canRename,
  canTransferTo,
  type TeamRole
} from "../../src/features/teams/TeamPermissions"
import { makeTestApi, type TestApi } from "../support/TestApi"
import { signUp, teamWith, type TestUser } from "./TeamFixtures"

let testApi: TestApi
let counter = 0
beforeEach(() => {
  testApi = makeTestApi()
})
afterEach(() => testApi.dispose())

const roles: ReadonlyArray<TeamRole> = ["owner", "admin", "member"]

/** Who an action is aimed at, relative to the actor. */
interface TargetCase {
  readonly role: TeamRole
  readonly isSelf: boolean
}

/** The actor themself, and another member of each role (there is only one owner). */
const targetCases = (mine: TeamRole): ReadonlyArray<TargetCase> => [
  { role: mine, isSelf: true },
  ...roles.filter((role) => !(role === "owner" && mine === "owner")).map((role) => ({ role, isSelf: false }))
]

/** Five users, signed up once per test; every case puts them in a fresh team. */
let people: Promise<readonly [TestUser, TestUser, TestUser, TestUser, TestUser]>
beforeEach(() => {
  people = (async () => [
    await signUp(testApi, "Owner"),
    await signUp(testApi, "Admin"),
    await signUp(testApi, "Admintwo"),
    await signUp(testApi, "Member"),
    await signUp(testApi, "Membertwo")
  ] as const)()
})

/** A team with an owner, two admins and two members; returns the actor and the target of a case. */
const freshTeam = async (mine: TeamRole, target: TargetCase) => {
  const n = ++counter
  const [owner, admin, admin2, member, member2] = await people
  const teamId = await teamWith(owner, `Team ${n}`, [
    { user: admin, role: "admin" },
    { user: admin2, role: "admin" },
    { user: member, role: "member" },
    { user: member2, role: "member" }
  ])
  const actor = { owner, admin, member }[mine]
  const other = { owner, admin: actor === admin ? admin2 : admin, member: actor === member ? member2 : member }[target.role]
  return { teamId, actor, target: target.isSelf ? actor : other }
}

const allowed = (attempt: Promise<unknown>) => attempt.then(() => true, () => false)

/** For every case: what the server did and what the UI would have shown. */
const compare = async (
  ui: (mine: TeamRole, target: TargetCase) => boolean,
  attempt: (team: Awaited<ReturnType<typeof freshTeam>>) => Promise<unknown>
) => {
  const server: Array<string> = []
  const shown: Array<string> = []
  for (const mine of roles) {
    for (const target of targetCases(mine)) {
      const name = `${mine} → ${target.isSelf ? "self" : target.role}`
      server.push(`${name}: ${await allowed(attempt(await freshTeam(mine, target)))}`)
      shown.push(`${name}: ${ui(mine, target)}`)
    }
  }
  expect(shown).toEqual(server)
}

describe("TeamPermissions shows an action exactly when the contract allows it", () => {
  it("removing someone, and leaving (removing oneself)", () =>
    compare(
      (mine, t) => (t.isSelf ? canLeave(mine) : canRemove(mine, t.role, false)),
      ({ actor, target, teamId }) => actor.call("teams.removeMember", { params: { teamId, userId: target.userId } })
    ))

  it("changing a role", () =>
    compare(
      (mine, t) => canChangeRole(mine, t.role, t.isSelf),
      // To the role the target does not have, so a change is a change.
      async ({ actor, target, teamId }) => {
        const team = await actor.call("teams.get", { params: { teamId } })
        const now = team.members.find((m) => m.userId === target.userId)?.role
        return actor.call("teams.changeRole", { params: { teamId, userId: target.userId }, body: { role: now === "admin" ? "member" : "admin" } })
      }
    ))

  it("transferring ownership", () =>
    compare(
      (mine, t) => canTransferTo(mine, t.isSelf),
      ({ actor, target, teamId }) => actor.call("teams.transfer", { params: { teamId }, body: { userId: target.userId } })
    ))

  it("inviting, renaming and deleting the team", async () => {
    for (const mine of roles) {
      const invite = await freshTeam(mine, { role: mine, isSelf: true })
      expect([mine, await allowed(invite.actor.call("teams.invite", { params: { teamId: invite.teamId }, body: { email: `new${counter}@example.com`, role: "member" } }))])
        .toEqual([mine, canInvite(mine)])
      const rename = await freshTeam(mine, { role: mine, isSelf: true })
      expect([mine, await allowed(rename.actor.call("teams.rename", { params: { teamId: rename.teamId }, body: { name: "Renamed" } }))])
        .toEqual([mine, canRename(mine)])
      const remove = await freshTeam(mine, { role: mine, isSelf: true })
      expect([mine, await allowed(remove.actor.call("teams.delete", { params: { teamId: remove.teamId } }))])
        .toEqual([mine, canDeleteTeam(mine)])
    }
  })
})
