import { QrLogin } from "@app/domain"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  eventually,
  httpGet,
  signUp,
  SseReader,
  startQrChallenge,
  startRealtimeServer,
  type RealtimeTestServer
} from "./support/RealtimeTestServer.js"

let server: RealtimeTestServer

beforeAll(async () => {
  server = await startRealtimeServer({ heartbeatMs: 60 })
})

afterAll(async () => {
  await server?.close()
})

const sse = (challengeId: string, headers: Record<string, string> = {}) =>
  SseReader.open(`${server.httpUrl}/api/qr/sse/${challengeId}`, headers)

describe("GET /api/qr/sse/:challengeId", () => {
  it("streams pending → scanned → approved → consumed with heartbeats, then closes", async () => {
    const phone = await signUp(server, "phone")
    const challenge = await startQrChallenge(server)
    const input = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
    const stream = await sse(challenge.challengeId)
    expect(stream.status).toBe(200)
    expect(stream.header("content-type")).toBe("text/event-stream; charset=utf-8")
    expect(stream.header("cache-control")).toBe("no-cache")
    expect(stream.header("x-accel-buffering")).toBe("no")

    const expiresAt = new Date(challenge.expiresAt).toISOString()
    expect(await stream.next()).toEqual({ id: "pending", event: "status", data: { status: "pending", expiresAt } })
    // With a 60 ms heartbeat, a comment comes before anything else happens.
    expect(await stream.next()).toEqual({ comment: "keep-alive" })

    await server.run(QrLogin.use((qr) => qr.scan(phone.actor, input)))
    expect(await stream.nextStatus()).toMatchObject({ id: "scanned", data: { status: "scanned", expiresAt } })
    await server.run(QrLogin.use((qr) => qr.approve(phone.actor, input)))
    expect(await stream.nextStatus()).toMatchObject({ id: "approved" })
    await server.run(QrLogin.use((qr) => qr.exchange({ challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })))
    expect(await stream.nextStatus()).toMatchObject({ id: "consumed", data: { status: "consumed", expiresAt } })
    // The server ends the response after a terminal status.
    expect((await stream.rest()).filter((e) => e.event !== undefined)).toEqual([])
  })

  it("a reconnect gets the current status first and nothing older than Last-Event-ID", async () => {
    const phone = await signUp(server, "phone2")
    const challenge = await startQrChallenge(server)
    const input = { challengeId: challenge.challengeId, scanKey: challenge.scanKey }
    const first = await sse(challenge.challengeId)
    expect(await first.nextStatus()).toMatchObject({ id: "pending" })
    first.cancel()

    await server.run(QrLogin.use((qr) => qr.scan(phone.actor, input)))
    await server.run(QrLogin.use((qr) => qr.approve(phone.actor, input)))
    const resumed = await sse(challenge.challengeId, { "last-event-id": "pending" })
    expect(await resumed.nextStatus()).toMatchObject({ id: "approved", data: { status: "approved" } })
    resumed.cancel()

    await server.run(QrLogin.use((qr) => qr.exchange({ challengeId: challenge.challengeId, pollSecret: challenge.pollSecret })))
    const after = await sse(challenge.challengeId, { "last-event-id": "approved" })
    expect((await after.rest()).filter((e) => e.event === "status").map((e) => e.id)).toEqual(["consumed"])
  })

  it("an unknown challenge is a 404 and a malformed id a 400, as problem+json", async () => {
    const unknown = await httpGet(`${server.httpUrl}/api/qr/sse/${"A".repeat(22)}`)
    expect(unknown.status).toBe(404)
    expect(unknown.headers["content-type"]).toMatch(/^application\/problem\+json/)
    expect(JSON.parse(unknown.body)).toMatchObject({ status: 404 })

    const malformed = await httpGet(`${server.httpUrl}/api/qr/sse/short!`)
    expect(malformed.status).toBe(400)
    expect(malformed.headers["content-type"]).toMatch(/^application\/problem\+json/)
    const problem = JSON.parse(malformed.body) as { errors: Array<{ path: string }> }
    expect(problem.errors.map((e) => e.path)).toEqual(["challengeId"])
  })

  it("a client that goes away stops its stream on the server", async () => {
    const challenge = await startQrChallenge(server)
    for (let i = 0; i < 5; i++) {
      const stream = await sse(challenge.challengeId)
      expect(await stream.nextStatus()).toMatchObject({ id: "pending" })
      stream.cancel()
    }
    const last = await sse(challenge.challengeId)
    expect(await last.nextStatus()).toMatchObject({ id: "pending" })
    await eventually(() => server.app.realtimeConnections() === 1)
    last.cancel()
    await eventually(() => server.app.realtimeConnections() === 0)
  })
})
