/**
 * API.md "Teams" with the role rules of DESIGN.md: the owner/admin/member matrix of every team
 * route, 404 for non-members (another team's id), invitations answered only by the invited
 * email's user, ownership transfer, and who may remove whom.
 */
import { expect, it } from "vitest"
import { expectProblem, expectStatus, isoInstant, unique, uniqueEmail, type Scenarios } from "./ScenarioKit.js"

const DAY = 24 * 3600 * 1000

export const teamScenarios = ({ kit }: Scenarios) => {
  it("create is 201 with the caller as owner; the team lists among the caller's teams", async () => {
    const user = await kit().signup()
    const name = unique("team")
    const created = expectStatus(await user.api.request("teams.create", { body: { name: `  ${name} ` } }), 201)
    expect(created).toEqual({ teamId: expect.any(String), name, createdAt: isoInstant, role: "owner" })

    const mine = expectStatus(await user.api.request("teams.listMine", { params: { userId: user.userId } }), 200)
    expect(mine).toContainEqual({ teamId: created.teamId, teamName: name, role: "owner", joinedAt: isoInstant })

    const details = expectStatus(await user.api.request("teams.get", { params: { teamId: created.teamId } }), 200)
    expect(details).toEqual({
      teamId: created.teamId,
      name,
      createdAt: created.createdAt,
      members: [{ userId: user.userId, name: user.name, role: "owner", invitedBy: null, joinedAt: isoInstant }]
    })
  })

  it("create with a bad name is 400; without a token 401; another user's team list is 403", async () => {
    const { anonymous, signup } = kit()
    const [user, other] = await Promise.all([signup(), signup()])
    expectProblem(await user.api.request("teams.create", { body: { name: " " } }), 400, { paths: ["name"], exactPaths: true })
    expectProblem(await user.api.request("teams.create", { body: { name: "t".repeat(101) } }), 400, { paths: ["name"] })
    expectProblem(await anonymous.request("teams.create", { body: { name: "x" } }), 401)
    expectProblem(await user.api.request("teams.listMine", { params: { userId: other.userId } }), 403)
  })

  it("GET lists the members owner first, then admins, then members, with invitedBy", async () => {
    const { admin, member, owner, teamId } = await kit().teamWithRoles()
    const details = expectStatus(await member.api.request("teams.get", { params: { teamId } }), 200)
    expect(details.members).toEqual([
      { userId: owner.userId, name: owner.name, role: "owner", invitedBy: null, joinedAt: isoInstant },
      { userId: admin.userId, name: admin.name, role: "admin", invitedBy: owner.userId, joinedAt: isoInstant },
      { userId: member.userId, name: member.name, role: "member", invitedBy: owner.userId, joinedAt: isoInstant }
    ])
    const roles = expectStatus(await admin.api.request("teams.listMine", { params: { userId: admin.userId } }), 200)
    expect(roles.find((t) => t.teamId === teamId)?.role).toBe("admin")
  })

  it("a non-member gets 404 on every route of another team, as for a team that does not exist", async () => {
    const { member, outsider, teamId } = await kit().teamWithRoles()
    const ghost = unique("team")
    for (const id of [teamId, ghost]) {
      const params = { teamId: id }
      expectProblem(await outsider.api.request("teams.get", { params }), 404)
      expectProblem(await outsider.api.request("teams.rename", { params, body: { name: "Mine now" } }), 404)
      expectProblem(await outsider.api.request("teams.delete", { params }), 404)
      expectProblem(await outsider.api.request("teams.invite", { params, body: { email: uniqueEmail(), role: "member" } }), 404)
      expectProblem(
        await outsider.api.request("teams.changeRole", { params: { teamId: id, userId: member.userId }, body: { role: "admin" } }),
        404
      )
      expectProblem(await outsider.api.request("teams.transfer", { params, body: { userId: outsider.userId } }), 404)
      expectProblem(await outsider.api.request("teams.removeMember", { params: { teamId: id, userId: member.userId } }), 404)
    }
    // Nothing changed.
    expect(expectStatus(await member.api.request("teams.get", { params: { teamId } }), 200).members).toHaveLength(3)
  })

  it("rename: owner and admin 200, member 403; a bad name 400", async () => {
    const { admin, member, owner, teamId } = await kit().teamWithRoles()
    const byOwner = expectStatus(await owner.api.request("teams.rename", { params: { teamId }, body: { name: "By Owner" } }), 200)
    expect(byOwner).toMatchObject({ teamId, name: "By Owner" })
    expectStatus(await admin.api.request("teams.rename", { params: { teamId }, body: { name: "By Admin" } }), 200)
    expectProblem(await member.api.request("teams.rename", { params: { teamId }, body: { name: "By Member" } }), 403)
    expectProblem(await owner.api.request("teams.rename", { params: { teamId }, body: { name: "" } }), 400, { paths: ["name"] })
    expect(expectStatus(await member.api.request("teams.get", { params: { teamId } }), 200).name).toBe("By Admin")
  })

  it("invite: owner and admin 201 (expires in 7 days), member 403; a bad role or email 400", async () => {
    const { admin, member, owner, teamId } = await kit().teamWithRoles()
    const email = uniqueEmail()
    const invitation = expectStatus(
      await owner.api.request("teams.invite", { params: { teamId }, body: { email: ` ${email.toUpperCase()}`, role: "member" } }),
      201
    )
    expect(invitation).toMatchObject({
      invitationId: expect.any(String),
      teamId,
      email,
      role: "member",
      invitedBy: owner.userId,
      expiresAt: isoInstant
    })
    const expiresIn = Date.parse(invitation.expiresAt) - Date.now()
    expect(expiresIn).toBeGreaterThan(7 * DAY - 10 * 60_000)
    expect(expiresIn).toBeLessThanOrEqual(7 * DAY + 10 * 60_000)

    const byAdmin = expectStatus(
      await admin.api.request("teams.invite", { params: { teamId }, body: { email: uniqueEmail(), role: "admin" } }),
      201
    )
    expect(byAdmin).toMatchObject({ role: "admin", invitedBy: admin.userId })
    expectProblem(await member.api.request("teams.invite", { params: { teamId }, body: { email: uniqueEmail(), role: "member" } }), 403)
    expectProblem(
      await owner.api.request("teams.invite", { params: { teamId }, body: { email: uniqueEmail(), role: "owner" as "admin" } }),
      400,
      { paths: ["role"], exactPaths: true }
    )
    expectProblem(
      await owner.api.request("teams.invite", { params: { teamId }, body: { email: "nobody", role: "member" } }),
      400,
      { paths: ["email"], exactPaths: true }
    )
  })

  it("inviting a member is 409, and so is a second pending invitation of one email", async () => {
    const { member, owner, teamId } = await kit().teamWithRoles()
    expectProblem(await owner.api.request("teams.invite", { params: { teamId }, body: { email: member.email, role: "admin" } }), 409, {
      code: "AlreadyMember"
    })
    const email = uniqueEmail()
    expectStatus(await owner.api.request("teams.invite", { params: { teamId }, body: { email, role: "member" } }), 201)
    expectProblem(await owner.api.request("teams.invite", { params: { teamId }, body: { email, role: "member" } }), 409)
  })

  it("the invitee sees it pending, accepts (200, the membership) once; a second accept is 409", async () => {
    const { signup } = kit()
    const [owner, invitee] = await Promise.all([signup(), signup()])
    const team = expectStatus(await owner.api.request("teams.create", { body: { name: unique("team") } }), 201)
    const invitation = expectStatus(
      await owner.api.request("teams.invite", { params: { teamId: team.teamId }, body: { email: invitee.email, role: "admin" } }),
      201
    )
    const pending = expectStatus(await invitee.api.request("teams.myInvitations"), 200)
    expect(pending).toEqual([
      {
        invitationId: invitation.invitationId,
        teamId: team.teamId,
        teamName: team.name,
        email: invitee.email,
        role: "admin",
        invitedBy: owner.userId,
        createdAt: isoInstant,
        expiresAt: invitation.expiresAt
      }
    ])
    expect(expectStatus(await owner.api.request("teams.myInvitations"), 200)).toEqual([])

    const membership = expectStatus(
      await invitee.api.request("teams.accept", { params: { invitationId: invitation.invitationId } }),
      200
    )
    expect(membership).toEqual({
      teamId: team.teamId,
      userId: invitee.userId,
      role: "admin",
      invitedBy: owner.userId,
      joinedAt: isoInstant
    })
    expectProblem(await invitee.api.request("teams.accept", { params: { invitationId: invitation.invitationId } }), 409)
    expectProblem(await invitee.api.request("teams.decline", { params: { invitationId: invitation.invitationId } }), 409)
    expect(expectStatus(await invitee.api.request("teams.myInvitations"), 200)).toEqual([])
    const mine = expectStatus(await invitee.api.request("teams.listMine", { params: { userId: invitee.userId } }), 200)
    expect(mine).toContainEqual({ teamId: team.teamId, teamName: team.name, role: "admin", joinedAt: membership.joinedAt })
  })

  it("only the invited email's user may answer: anyone else gets 404, as for an unknown invitation", async () => {
    const { member, outsider, owner, teamId } = await kit().teamWithRoles()
    const invitee = await kit().signup()
    const invitation = expectStatus(
      await owner.api.request("teams.invite", { params: { teamId }, body: { email: invitee.email, role: "member" } }),
      201
    )
    const params = { invitationId: invitation.invitationId }
    for (const stranger of [outsider, member, owner]) {
      expectProblem(await stranger.api.request("teams.accept", { params }), 404)
      expectProblem(await stranger.api.request("teams.decline", { params }), 404)
    }
    expectProblem(await invitee.api.request("teams.accept", { params: { invitationId: unique("inv") } }), 404)
    expectProblem(await invitee.api.request("teams.accept", { params: { invitationId: "bad id!" } }), 400, {
      paths: ["invitationId"]
    })
    // Still pending for the invitee.
    expectStatus(await invitee.api.request("teams.accept", { params }), 200)
    expectProblem(await outsider.api.request("teams.get", { params: { teamId } }), 404)
  })

  it("decline is 204; the invitation is gone from the pending list and cannot be accepted (409)", async () => {
    const { owner, teamId } = await kit().teamWithRoles()
    const invitee = await kit().signup()
    const invitation = expectStatus(
      await owner.api.request("teams.invite", { params: { teamId }, body: { email: invitee.email, role: "member" } }),
      201
    )
    const declined = await invitee.api.request("teams.decline", { params: { invitationId: invitation.invitationId } })
    expect(declined.status).toBe(204)
    expect(declined.body).toBeUndefined()
    expect(expectStatus(await invitee.api.request("teams.myInvitations"), 200)).toEqual([])
    expectProblem(await invitee.api.request("teams.accept", { params: { invitationId: invitation.invitationId } }), 409)
    expectProblem(await invitee.api.request("teams.get", { params: { teamId } }), 404)
  })

  it("change role: only the owner (admin and member 403); never the owner's own role (409); a non-member target 404", async () => {
    const { admin, member, outsider, owner, teamId } = await kit().teamWithRoles()
    const promoted = expectStatus(
      await owner.api.request("teams.changeRole", { params: { teamId, userId: member.userId }, body: { role: "admin" } }),
      200
    )
    expect(promoted).toEqual({ teamId, userId: member.userId, role: "admin", invitedBy: owner.userId, joinedAt: isoInstant })
    expectStatus(
      await owner.api.request("teams.changeRole", { params: { teamId, userId: member.userId }, body: { role: "member" } }),
      200
    )
    expectProblem(
      await admin.api.request("teams.changeRole", { params: { teamId, userId: member.userId }, body: { role: "admin" } }),
      403
    )
    expectProblem(
      await member.api.request("teams.changeRole", { params: { teamId, userId: admin.userId }, body: { role: "member" } }),
      403
    )
    expectProblem(
      await owner.api.request("teams.changeRole", { params: { teamId, userId: owner.userId }, body: { role: "admin" } }),
      409
    )
    expectProblem(
      await owner.api.request("teams.changeRole", { params: { teamId, userId: outsider.userId }, body: { role: "admin" } }),
      404
    )
    expectProblem(
      await owner.api.request("teams.changeRole", {
        params: { teamId, userId: member.userId },
        body: { role: "owner" as "admin" }
      }),
      400,
      { paths: ["role"], exactPaths: true }
    )
    const roles = expectStatus(await owner.api.request("teams.get", { params: { teamId } }), 200).members.map((m) => m.role)
    expect(roles).toEqual(["owner", "admin", "member"])
  })

  it("transfer: only the owner, to a member; the old owner becomes admin and loses the owner's rights", async () => {
    const { admin, member, outsider, owner, teamId } = await kit().teamWithRoles()
    expectProblem(await admin.api.request("teams.transfer", { params: { teamId }, body: { userId: admin.userId } }), 403)
    expectProblem(await member.api.request("teams.transfer", { params: { teamId }, body: { userId: member.userId } }), 403)
    expectProblem(await owner.api.request("teams.transfer", { params: { teamId }, body: { userId: outsider.userId } }), 404)
    expectProblem(await owner.api.request("teams.transfer", { params: { teamId }, body: { userId: owner.userId } }), 409)

    const after = expectStatus(await owner.api.request("teams.transfer", { params: { teamId }, body: { userId: member.userId } }), 200)
    const roleOf = (members: ReadonlyArray<{ userId: string; role: string }>, userId: string) =>
      members.find((m) => m.userId === userId)?.role
    expect(roleOf(after.members, member.userId)).toBe("owner")
    expect(roleOf(after.members, owner.userId)).toBe("admin")
    expect(after.members.filter((m) => m.role === "owner")).toHaveLength(1)

    // The old owner is an admin now: no deleting, no role changes; the new owner can.
    expectProblem(await owner.api.request("teams.delete", { params: { teamId } }), 403)
    expectProblem(
      await owner.api.request("teams.changeRole", { params: { teamId, userId: admin.userId }, body: { role: "member" } }),
      403
    )
    expectStatus(
      await member.api.request("teams.changeRole", { params: { teamId, userId: admin.userId }, body: { role: "member" } }),
      200
    )
    const mine = expectStatus(await owner.api.request("teams.listMine", { params: { userId: owner.userId } }), 200)
    expect(mine.find((t) => t.teamId === teamId)?.role).toBe("admin")
  })

  it("the owner cannot leave (409); an admin or member can (204) and then gets 404", async () => {
    const { admin, member, owner, teamId } = await kit().teamWithRoles()
    expectProblem(await owner.api.request("teams.removeMember", { params: { teamId, userId: owner.userId } }), 409, {
      code: "TransferOwnershipFirst"
    })
    for (const leaver of [member, admin]) {
      const left = await leaver.api.request("teams.removeMember", { params: { teamId, userId: leaver.userId } })
      expect(left.status).toBe(204)
      expectProblem(await leaver.api.request("teams.get", { params: { teamId } }), 404)
    }
    const details = expectStatus(await owner.api.request("teams.get", { params: { teamId } }), 200)
    expect(details.members.map((m) => m.userId)).toEqual([owner.userId])
  })

  it("remove: an admin removes members but not the owner or another admin (403); a member removes nobody", async () => {
    const { join, teamWithRoles, signup } = kit()
    const { admin, member, owner, teamId } = await teamWithRoles()
    const [secondAdmin, secondMember] = await Promise.all([signup(), signup()])
    await join(owner, teamId, secondAdmin, "admin")
    await join(admin, teamId, secondMember, "member")

    expectProblem(await member.api.request("teams.removeMember", { params: { teamId, userId: secondMember.userId } }), 403)
    expectProblem(await member.api.request("teams.removeMember", { params: { teamId, userId: admin.userId } }), 403)
    expectProblem(await admin.api.request("teams.removeMember", { params: { teamId, userId: owner.userId } }), 403)
    expectProblem(await admin.api.request("teams.removeMember", { params: { teamId, userId: secondAdmin.userId } }), 403)
    expectProblem(await admin.api.request("teams.removeMember", { params: { teamId, userId: unique("nobody") } }), 404)

    expect((await admin.api.request("teams.removeMember", { params: { teamId, userId: member.userId } })).status).toBe(204)
    expectProblem(await member.api.request("teams.get", { params: { teamId } }), 404)
    // The owner removes admins too.
    expect((await owner.api.request("teams.removeMember", { params: { teamId, userId: secondAdmin.userId } })).status).toBe(204)
    const left = expectStatus(await owner.api.request("teams.get", { params: { teamId } }), 200).members.map((m) => m.userId)
    expect(left.sort()).toEqual([owner.userId, admin.userId, secondMember.userId].sort())
  })

  it("delete: only the owner (admin and member 403); afterwards the team is 404 for everyone", async () => {
    const { admin, member, owner, teamId } = await kit().teamWithRoles()
    expectProblem(await admin.api.request("teams.delete", { params: { teamId } }), 403)
    expectProblem(await member.api.request("teams.delete", { params: { teamId } }), 403)
    const deleted = await owner.api.request("teams.delete", { params: { teamId } })
    expect(deleted.status).toBe(204)
    for (const user of [owner, admin, member]) expectProblem(await user.api.request("teams.get", { params: { teamId } }), 404)
    const mine = expectStatus(await owner.api.request("teams.listMine", { params: { userId: owner.userId } }), 200)
    expect(mine.map((t) => t.teamId)).not.toContain(teamId)
    expectProblem(await owner.api.request("teams.delete", { params: { teamId } }), 404)
  })
}
