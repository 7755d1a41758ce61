/**
 * API.md "Health" and the cross-cutting answers of "Errors": liveness, readiness, the OpenAPI
 * document naming every route, and problem+json for an unknown route, a wrong method and a body
 * that is too large.
 */
import { expect, it } from "vitest"
import { expectProblem, uniqueEmail, type Scenarios } from "./ScenarioKit.js"

/** Every path of API.md's tables, as OpenAPI writes it. */
const contractPaths = [
  "/api/health",
  "/api/ready",
  "/api/openapi.json",
  "/api/auth/signup",
  "/api/auth/login",
  "/api/auth/refresh",
  "/api/auth/logout",
  "/api/users/me",
  "/api/users/{userId}",
  "/api/teams",
  "/api/users/{userId}/teams",
  "/api/teams/{teamId}",
  "/api/teams/{teamId}/invite",
  "/api/users/me/invitations",
  "/api/invitations/{invitationId}/accept",
  "/api/invitations/{invitationId}/decline",
  "/api/teams/{teamId}/members/{userId}",
  "/api/teams/{teamId}/transfer",
  "/api/users/{userId}/platforms/{platform}/configs",
  "/api/users/{userId}/platforms/{platform}/configs/{configId}",
  "/api/users/{userId}/platforms/{platform}/credentials/{accountId}",
  "/api/users/{userId}/platforms/{platform}/credentials",
  "/api/users/{userId}/platforms/{platform}/campaigns",
  "/api/users/{userId}/platforms/{platform}/campaigns/sync",
  "/api/chat/rooms",
  "/api/chat/rooms/{roomId}/messages",
  "/api/qr/init",
  "/api/qr/{challengeId}/status",
  "/api/qr/scan",
  "/api/qr/approve",
  "/api/qr/reject",
  "/api/qr/exchange",
  "/api/devices",
  "/api/sensor-data",
  "/api/sensor-data/latest"
]

export const healthScenarios = ({ kit }: Scenarios) => {
  it("health is 200 {status: ok}; ready is 200 while every store answers", async () => {
    const { anonymous } = kit()
    const health = await anonymous.request("health")
    expect(health.status).toBe(200)
    expect(health.body).toEqual({ status: "ok" })
    const ready = await anonymous.request("ready")
    expect(ready.status).toBe(200)
    expect(ready.body).toMatchObject({ status: "ready" })
  })

  it("openapi.json is an OpenAPI 3.1 document naming every route of the contract", async () => {
    const answer = await kit().raw("GET", "/api/openapi.json")
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type") ?? "").toMatch(/^application\/json\b/)
    const document = answer.json as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(document.openapi).toMatch(/^3\.1\./)
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(contractPaths))
    expect(Object.keys(document.paths["/api/teams/{teamId}/members/{userId}"]!)).toEqual(expect.arrayContaining(["patch", "delete"]))
    expect(Object.keys(document.paths["/api/qr/init"]!)).toEqual(expect.arrayContaining(["post"]))
  })

  it("an unknown route is a problem+json 404, a wrong method 404/405, and a too large body 413", async () => {
    const { raw } = kit()
    expectProblem(await raw("GET", `/api/no-such-route-${crypto.randomUUID()}`), 404)
    // API.md names no status for a wrong method; whichever it is, it is problem+json.
    const wrongMethod = await raw("DELETE", "/api/auth/signup")
    expect([404, 405]).toContain(wrongMethod.status)
    expectProblem(wrongMethod, wrongMethod.status)
    const huge = JSON.stringify({ email: uniqueEmail(), password: "x".repeat(2 * 1024 * 1024), name: "big" })
    expectProblem(await raw("POST", "/api/auth/signup", { text: huge, headers: { "content-type": "application/json" } }), 413)
  })
}
