/**
 * API.md "Chat" over HTTP: rooms of a team for its members only, sending with an idempotent
 * clientMessageId, and history paged by seq cursor — newest first, or oldest first with `after`.
 */
import { expect, it } from "vitest"
import { expectProblem, expectStatus, isoInstant, unique, type ScenarioKit, type ScenarioUser, type Scenarios } from "./ScenarioKit.js"

/** A team of owner + member with one room; the outsider belongs to neither. */
export const roomWithMembers = async (kit: ScenarioKit) => {
  const team = await kit.teamWithRoles()
  const room = expectStatus(
    await team.member.api.request("chat.createRoom", { body: { teamId: team.teamId, name: unique("room") } }),
    201
  )
  return { ...team, room, roomId: room.roomId }
}

/** Sends `count` messages as `sender`; answers their seqs in order. */
export const sendMany = async (sender: ScenarioUser, roomId: string, count: number, label = "m") => {
  const seqs: Array<number> = []
  for (let i = 0; i < count; i++) {
    const sent = expectStatus(
      await sender.api.request("chat.sendMessage", {
        params: { roomId },
        body: { body: `${label} ${i}`, clientMessageId: crypto.randomUUID() }
      }),
      201
    )
    seqs.push(sent.seq)
  }
  return seqs
}

export const chatScenarios = ({ kit }: Scenarios) => {
  it("create room is 201 for any member; a non-member is 404; bad input 400", async () => {
    const { member, outsider, teamId } = await kit().teamWithRoles()
    const name = unique("room")
    const room = expectStatus(await member.api.request("chat.createRoom", { body: { teamId, name: ` ${name} ` } }), 201)
    expect(room).toEqual({ roomId: expect.any(String), teamId, name, createdAt: isoInstant })
    expectProblem(await outsider.api.request("chat.createRoom", { body: { teamId, name: "mine" } }), 404)
    expectProblem(await member.api.request("chat.createRoom", { body: { teamId: unique("team"), name: "ghost" } }), 404)
    expectProblem(await member.api.request("chat.createRoom", { body: { teamId: "bad id!", name: "" } }), 400, {
      paths: ["teamId", "name"],
      exactPaths: true
    })
    expectProblem(await kit().anonymous.request("chat.createRoom", { body: { teamId, name: "x" } }), 401)
  })

  it("list rooms answers the rooms of the caller's teams, or of one team; another team's id is 404", async () => {
    const { admin, outsider, owner, roomId, teamId } = await roomWithMembers(kit())
    const second = expectStatus(await owner.api.request("chat.createRoom", { body: { teamId, name: unique("room") } }), 201)
    const otherTeam = expectStatus(await outsider.api.request("teams.create", { body: { name: unique("team") } }), 201)
    const foreign = expectStatus(
      await outsider.api.request("chat.createRoom", { body: { teamId: otherTeam.teamId, name: unique("room") } }),
      201
    )

    const all = expectStatus(await admin.api.request("chat.listRooms"), 200).map((r) => r.roomId)
    expect(all).toEqual(expect.arrayContaining([roomId, second.roomId]))
    expect(all).not.toContain(foreign.roomId)
    const ofTeam = expectStatus(await admin.api.request("chat.listRooms", { query: { teamId } }), 200)
    expect(ofTeam.map((r) => r.roomId).sort()).toEqual([roomId, second.roomId].sort())
    for (const room of ofTeam) expect(room.teamId).toBe(teamId)

    expectProblem(await admin.api.request("chat.listRooms", { query: { teamId: otherTeam.teamId } }), 404)
    expect(expectStatus(await outsider.api.request("chat.listRooms"), 200).map((r) => r.roomId)).toEqual([foreign.roomId])
  })

  it("send is 201 with the next seq; the same clientMessageId again is 200 with the original", async () => {
    const { member, owner, roomId } = await roomWithMembers(kit())
    const clientMessageId = crypto.randomUUID()
    const body = "  hello,\n  world\n"
    const sent = expectStatus(await member.api.request("chat.sendMessage", { params: { roomId }, body: { body, clientMessageId } }), 201)
    expect(sent).toEqual({
      messageId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      roomId,
      seq: 1,
      senderId: member.userId,
      body,
      clientMessageId,
      sentAt: isoInstant
    })
    const again = await member.api.request("chat.sendMessage", { params: { roomId }, body: { body: "different text", clientMessageId } })
    expect(expectStatus(again, 200)).toEqual(sent)

    const next = expectStatus(
      await owner.api.request("chat.sendMessage", { params: { roomId }, body: { body: "second", clientMessageId: crypto.randomUUID() } }),
      201
    )
    expect(next.seq).toBe(2)
    const page = expectStatus(await owner.api.request("chat.listMessages", { params: { roomId } }), 200)
    expect(page.messages.map((m) => m.seq)).toEqual([2, 1])
    expect(page.nextCursor).toBeNull()
  })

  it("history pages newest first with before/nextCursor, and oldest first with after", async () => {
    const { member, roomId } = await roomWithMembers(kit())
    expect(await sendMany(member, roomId, 5)).toEqual([1, 2, 3, 4, 5])
    const list = async (query: { before?: number; after?: number; limit?: number }) => {
      const page = expectStatus(
        await member.api.request("chat.listMessages", {
          params: { roomId },
          query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))
        }),
        200
      )
      return { seqs: page.messages.map((m) => m.seq), nextCursor: page.nextCursor, messages: page.messages }
    }

    const first = await list({ limit: 2 })
    expect(first.seqs).toEqual([5, 4])
    expect(first.nextCursor).toBe(4)
    expect(first.messages[0]).toMatchObject({ roomId, senderId: member.userId, body: "m 4" })
    const second = await list({ limit: 2, before: first.nextCursor! })
    expect(second).toMatchObject({ seqs: [3, 2], nextCursor: 2 })
    expect(await list({ limit: 2, before: 2 })).toMatchObject({ seqs: [1], nextCursor: null })

    const forward = await list({ after: 0, limit: 2 })
    expect(forward).toMatchObject({ seqs: [1, 2], nextCursor: 2 })
    expect(await list({ after: 2, limit: 2 })).toMatchObject({ seqs: [3, 4], nextCursor: 4 })
    expect(await list({ after: 4, limit: 2 })).toMatchObject({ seqs: [5], nextCursor: null })
    expect(await list({ after: 5 })).toMatchObject({ seqs: [], nextCursor: null })
    expect(await list({})).toMatchObject({ seqs: [5, 4, 3, 2, 1], nextCursor: null })
  })

  it("limit above 100 or below 1 and a negative cursor are 400 naming the field", async () => {
    const { member, roomId } = await roomWithMembers(kit())
    const params = { roomId }
    expectProblem(await member.api.request("chat.listMessages", { params, query: { limit: "101" } }), 400, {
      paths: ["limit"],
      exactPaths: true
    })
    expectProblem(await member.api.request("chat.listMessages", { params, query: { limit: "0" } }), 400, { paths: ["limit"] })
    expectProblem(await member.api.request("chat.listMessages", { params, query: { before: "-1", after: "x" } }), 400, {
      paths: ["before", "after"],
      exactPaths: true
    })
    expectStatus(await member.api.request("chat.listMessages", { params, query: { limit: "100" } }), 200)
  })

  it("a non-member gets 404 reading or writing a room; bad messages are 400", async () => {
    const { member, outsider, roomId } = await roomWithMembers(kit())
    const params = { roomId }
    expectProblem(await outsider.api.request("chat.listMessages", { params }), 404)
    expectProblem(
      await outsider.api.request("chat.sendMessage", { params, body: { body: "hi", clientMessageId: crypto.randomUUID() } }),
      404
    )
    expectProblem(await member.api.request("chat.listMessages", { params: { roomId: unique("room") } }), 404)
    expectProblem(await kit().anonymous.request("chat.listMessages", { params }), 401)

    expectProblem(
      await member.api.request("chat.sendMessage", { params, body: { body: " \n\t ", clientMessageId: crypto.randomUUID() } }),
      400,
      { paths: ["body"], exactPaths: true }
    )
    expectProblem(
      await member.api.request("chat.sendMessage", { params, body: { body: "x".repeat(4001), clientMessageId: "bad id!" } }),
      400,
      { paths: ["body", "clientMessageId"], exactPaths: true }
    )
    // 4000 code points is the limit, an emoji counting once.
    expectStatus(
      await member.api.request("chat.sendMessage", { params, body: { body: "😀".repeat(4000), clientMessageId: crypto.randomUUID() } }),
      201
    )
    // Nothing was stored by the refusals.
    const page = expectStatus(await member.api.request("chat.listMessages", { params }), 200)
    expect(page.messages.map((m) => m.seq)).toEqual([1])
  })
}
