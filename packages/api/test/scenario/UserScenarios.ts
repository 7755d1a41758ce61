/**
 * API.md "Users": the caller's own user, what a teammate and a stranger may see of another user,
 * updating yourself only, and the 400s of a bad update.
 */
import { expect, it } from "vitest"
import { expectProblem, expectStatus, isoInstant, unique, type Scenarios } from "./ScenarioKit.js"

export const userScenarios = ({ kit }: Scenarios) => {
  it("me and GET of one's own id answer the full user", async () => {
    const user = await kit().signup()
    const me = expectStatus(await user.api.request("users.me"), 200)
    expect(me).toEqual({
      userId: user.userId,
      email: user.email,
      name: user.name,
      emailVerified: false,
      profile: {},
      createdAt: isoInstant,
      updatedAt: isoInstant
    })
    expect(expectStatus(await user.api.request("users.get", { params: { userId: user.userId } }), 200)).toEqual(me)
  })

  it("a teammate sees only {userId, name}; a stranger or an unknown id is 404; a bad id is 400", async () => {
    const { teamWithRoles, raw } = kit()
    const { member, outsider, owner } = await teamWithRoles()
    const seen = await raw("GET", `/api/users/${member.userId}`, { token: owner.accessToken })
    expect(seen.status).toBe(200)
    expect(seen.json).toEqual({ userId: member.userId, name: member.name })
    expect(seen.text).not.toContain(member.email)

    expectProblem(await outsider.api.request("users.get", { params: { userId: member.userId } }), 404)
    expectProblem(await member.api.request("users.get", { params: { userId: outsider.userId } }), 404)
    expectProblem(await member.api.request("users.get", { params: { userId: unique("ghost") } }), 404)
    expectProblem(await member.api.request("users.get", { params: { userId: "not an id!" } }), 400, { paths: ["userId"] })
  })

  it("PUT of oneself updates name and profile; PUT of another user is 403", async () => {
    const { signup } = kit()
    const [user, other] = await Promise.all([signup(), signup()])
    const profile = { bio: "Writes programs.", title: "Engineer", competencies: ["typescript", "sql"] }
    const updated = expectStatus(
      await user.api.request("users.update", { params: { userId: user.userId }, body: { name: "  New Name ", profile } }),
      200
    )
    expect(updated).toMatchObject({ userId: user.userId, email: user.email, name: "New Name", profile })
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated.createdAt))
    expect(expectStatus(await user.api.request("users.me"), 200)).toMatchObject({ name: "New Name", profile })

    // Either field may be left out.
    const renamed = expectStatus(
      await user.api.request("users.update", { params: { userId: user.userId }, body: { name: "Only Name" } }),
      200
    )
    expect(renamed).toMatchObject({ name: "Only Name", profile })

    expectProblem(
      await other.api.request("users.update", { params: { userId: user.userId }, body: { name: "Hijack" } }),
      403
    )
    expect(expectStatus(await user.api.request("users.me"), 200).name).toBe("Only Name")
  })

  it("a bad update is 400 naming each field", async () => {
    const user = await kit().signup()
    expectProblem(
      await user.api.request("users.update", { params: { userId: user.userId }, body: { name: "  " } }),
      400,
      { paths: ["name"], exactPaths: true }
    )
    expectProblem(
      await user.api.request("users.update", {
        params: { userId: user.userId },
        body: { name: "x".repeat(101), profile: { bio: "b".repeat(2001), competencies: [""] } }
      }),
      400,
      { paths: ["name", "profile.bio", "profile.competencies.0"], exactPaths: true }
    )
  })

  it("without a token the user routes are 401", async () => {
    const { anonymous, signup } = kit()
    const user = await signup()
    expectProblem(await anonymous.request("users.me"), 401)
    expectProblem(await anonymous.request("users.get", { params: { userId: user.userId } }), 401)
    expectProblem(await anonymous.request("users.update", { params: { userId: user.userId }, body: { name: "x" } }), 401)
  })
}
