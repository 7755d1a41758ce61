/**
 * API.md "QR login": the desktop's challenge, the phone's scan (which shows where the request came
 * from), approve or reject by the scanning user only, the one-time exchange, and — on targets with
 * realtime — the SSE status stream from pending to its terminal state.
 */
import { expect, it } from "vitest"
import { openSse, within, type SseClient } from "../support/RealtimeTestClients.js"
import { expectProblem, expectStatus, isoInstant, jwtPayload, unique, type ScenarioKit, type Scenarios } from "./ScenarioKit.js"

/** A desktop's challenge, with the scan key read out of the QR payload. */
const startChallenge = async (kit: ScenarioKit, userAgent = unique("desktop-agent")) => {
  const init = expectStatus(await kit.anonymous.request("qr.init", { headers: { "user-agent": userAgent } }), 201)
  const url = new URL(init.qrPayload)
  const values = [...url.searchParams.values()]
  const scanKey = values.find((v) => v !== init.challengeId)
  if (scanKey === undefined) throw new Error(`no scan key in ${init.qrPayload}`)
  return { ...init, scanKey, userAgent }
}

const statusOf = async (kit: ScenarioKit, challengeId: string) =>
  expectStatus(await kit.anonymous.request("qr.status", { params: { challengeId } }), 200).status

const nextStatus = async (sse: SseClient) => {
  const event = await sse.next()
  expect(event, "the stream ended early").toBeDefined()
  expect(event!.event).toBe("status")
  const data = JSON.parse(event!.data) as { status: string; expiresAt: string }
  expect(data).toEqual({ status: expect.any(String), expiresAt: isoInstant })
  return data.status
}

export const qrScenarios = ({ kit }: Scenarios) => {
  it("init (POST, and GET) is 201 with a challenge whose QR carries the id and scan key, never the poll secret", async () => {
    const { anonymous, raw } = kit()
    const init = expectStatus(await anonymous.request("qr.init"), 201)
    expect(init).toEqual({
      challengeId: expect.stringMatching(/^[A-Za-z0-9_-]{22,}$/),
      qrPayload: expect.any(String),
      pollSecret: expect.any(String),
      expiresAt: isoInstant
    })
    const url = new URL(init.qrPayload)
    expect([...url.searchParams.values()]).toContain(init.challengeId)
    expect(url.searchParams.size).toBeGreaterThanOrEqual(2)
    expect(init.qrPayload).not.toContain(init.pollSecret)
    const ttl = Date.parse(init.expiresAt) - Date.now()
    expect(ttl).toBeGreaterThan(60_000)
    expect(ttl).toBeLessThanOrEqual(180_000)

    const viaGet = await raw("GET", "/api/qr/init")
    expect(viaGet.status).toBe(201)
    expect(viaGet.json).toMatchObject({ challengeId: expect.any(String), pollSecret: expect.any(String) })
    expect((viaGet.json as { challengeId: string }).challengeId).not.toBe(init.challengeId)
    expect(await statusOf(kit(), init.challengeId)).toBe("pending")
  })

  it("scan → approve → exchange: the scanner sees the requester; only the scanner decides; tokens once", async () => {
    const { anonymous, client, signup } = kit()
    const [phone, otherPhone] = await Promise.all([signup(), signup()])
    const challenge = await startChallenge(kit())
    const body = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }

    const scanned = expectStatus(await phone.api.request("qr.scan", { body }), 200)
    expect(scanned).toEqual({
      status: "scanned",
      requester: { ip: expect.stringMatching(/\S/), userAgent: challenge.userAgent, createdAt: isoInstant }
    })
    expect(await statusOf(kit(), challenge.challengeId)).toBe("scanned")
    // The same phone scanning again gets the same answer; another phone is refused.
    expect(expectStatus(await phone.api.request("qr.scan", { body }), 200)).toEqual(scanned)
    expectProblem(await otherPhone.api.request("qr.scan", { body }), 409)
    // Only the scanner decides.
    expectProblem(await otherPhone.api.request("qr.approve", { body }), 403)
    expectProblem(await otherPhone.api.request("qr.reject", { body }), 403)
    // Not approved yet.
    const exchangeBody = { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret }
    expectProblem(await anonymous.request("qr.exchange", { body: exchangeBody }), 409)

    expect(expectStatus(await phone.api.request("qr.approve", { body }), 200)).toEqual({ status: "approved" })
    expect(await statusOf(kit(), challenge.challengeId)).toBe("approved")

    expectProblem(await anonymous.request("qr.exchange", { body: { ...exchangeBody, pollSecret: unique("guess") } }), 404)
    const tokens = expectStatus(await anonymous.request("qr.exchange", { body: exchangeBody }), 200)
    expect(tokens).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 3600 })
    expect(jwtPayload(tokens.accessToken)["sub"]).toBe(phone.userId)
    expect(expectStatus(await client(tokens.accessToken).request("users.me"), 200).userId).toBe(phone.userId)
    expectStatus(await anonymous.request("auth.refresh", { body: { refreshToken: tokens.refreshToken } }), 200)

    expectProblem(await anonymous.request("qr.exchange", { body: exchangeBody }), 409)
    expect(await statusOf(kit(), challenge.challengeId)).toBe("consumed")
    expectProblem(await phone.api.request("qr.approve", { body }), 409)
  })

  it("exchange or a decision before the scan is 409", async () => {
    const { anonymous, signup } = kit()
    const phone = await signup()
    const challenge = await startChallenge(kit())
    expectProblem(
      await anonymous.request("qr.exchange", { body: { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret } }),
      409
    )
    expectProblem(await phone.api.request("qr.approve", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } }), 409)
    expect(await statusOf(kit(), challenge.challengeId)).toBe("pending")
  })

  it("reject: the challenge ends rejected; exchange and approve afterwards are 409", async () => {
    const { anonymous, signup } = kit()
    const phone = await signup()
    const challenge = await startChallenge(kit())
    const body = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
    expectStatus(await phone.api.request("qr.scan", { body }), 200)
    expect(expectStatus(await phone.api.request("qr.reject", { body }), 200)).toEqual({ status: "rejected" })
    expect(await statusOf(kit(), challenge.challengeId)).toBe("rejected")
    expectProblem(
      await anonymous.request("qr.exchange", { body: { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret } }),
      409
    )
    expectProblem(await phone.api.request("qr.approve", { body }), 409)
  })

  it("an unknown challenge or a wrong scan key is 404; a malformed id is 400; scan needs a token", async () => {
    const { anonymous, raw, signup } = kit()
    const phone = await signup()
    const challenge = await startChallenge(kit())
    const ghost = `${unique("ghost").replace(/[^A-Za-z0-9_-]/g, "")}0123456789abcdef`
    expectProblem(await anonymous.request("qr.status", { params: { challengeId: ghost } }), 404)
    expectProblem(await phone.api.request("qr.scan", { body: { challengeId: ghost, scanKey: challenge.scanKey } }), 404)
    expectProblem(await phone.api.request("qr.scan", { body: { challengeId: challenge.challengeId, scanKey: unique("key") } }), 404)
    expectProblem(await anonymous.request("qr.exchange", { body: { challengeId: ghost, pollSecret: challenge.pollSecret } }), 404)

    expectProblem(await anonymous.request("qr.status", { params: { challengeId: "bad!" } }), 400, {
      paths: ["challengeId"],
      exactPaths: true
    })
    expectProblem(await raw("POST", "/api/qr/scan", { token: phone.accessToken, body: { challengeId: "short" } }), 400, {
      paths: ["challengeId", "scanKey"],
      exactPaths: true
    })
    expectProblem(await anonymous.request("qr.scan", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } }), 401)
    expectProblem(await anonymous.request("qr.approve", { body: { challengeId: challenge.challengeId, scanKey: challenge.scanKey } }), 401)
    expect(await statusOf(kit(), challenge.challengeId)).toBe("pending")
  })

  it("sse: status events pending → scanned → approved → consumed, then the stream closes", async (context) => {
    const { anonymous, signup, target } = kit()
    if (target.realtime === undefined) return context.skip()
    const phone = await signup()
    const challenge = await startChallenge(kit())
    const body = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
    const sse = await openSse(`${target.realtime.sseBase.replace(/\/+$/, "")}/api/qr/sse/${challenge.challengeId}`)
    try {
      expect(sse.status).toBe(200)
      expect(sse.contentType).toMatch(/^text\/event-stream\b/)
      expect(await nextStatus(sse)).toBe("pending")
      expectStatus(await phone.api.request("qr.scan", { body }), 200)
      expect(await nextStatus(sse)).toBe("scanned")
      expectStatus(await phone.api.request("qr.approve", { body }), 200)
      expect(await nextStatus(sse)).toBe("approved")
      expectStatus(
        await anonymous.request("qr.exchange", { body: { challengeId: challenge.challengeId, pollSecret: challenge.pollSecret } }),
        200
      )
      expect(await nextStatus(sse)).toBe("consumed")
      expect(await sse.next()).toBeUndefined()
      await within(sse.finished, 5_000, "the end of the stream")
    } finally {
      sse.close()
    }
  })

  it("sse: a rejected challenge streams pending → scanned → rejected and closes; an unknown one is 404, a malformed one 400", async (context) => {
    const { signup, target } = kit()
    if (target.realtime === undefined) return context.skip()
    const phone = await signup()
    const challenge = await startChallenge(kit())
    const body = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
    const base = target.realtime.sseBase.replace(/\/+$/, "")
    const sse = await openSse(`${base}/api/qr/sse/${challenge.challengeId}`)
    try {
      expect(await nextStatus(sse)).toBe("pending")
      expectStatus(await phone.api.request("qr.scan", { body }), 200)
      expect(await nextStatus(sse)).toBe("scanned")
      expectStatus(await phone.api.request("qr.reject", { body }), 200)
      expect(await nextStatus(sse)).toBe("rejected")
      expect(await sse.next()).toBeUndefined()
    } finally {
      sse.close()
    }
    // A stream opened after the end answers the terminal state and closes at once.
    const late = await openSse(`${base}/api/qr/sse/${challenge.challengeId}`)
    try {
      expect(await nextStatus(late)).toBe("rejected")
      expect(await late.next()).toBeUndefined()
    } finally {
      late.close()
    }
    const ghost = `${crypto.randomUUID().replaceAll("-", "")}`
    const unknown = await fetch(`${base}/api/qr/sse/${ghost}`, { headers: { accept: "text/event-stream" } })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json\b/)
    await unknown.body?.cancel()
    const malformed = await fetch(`${base}/api/qr/sse/bad!`, { headers: { accept: "text/event-stream" } })
    expect(malformed.status).toBe(400)
    expect(malformed.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json\b/)
    await malformed.body?.cancel()
  })
}
