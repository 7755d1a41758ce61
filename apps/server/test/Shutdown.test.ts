/**
 * Closing the app (what SIGTERM does in main.ts) over a real socket: a request in flight — a
 * campaign sync held up by the fake ad platform's latency — still gets its answer, new
 * connections are refused, and the runtime (pools, Redis) is disposed afterwards. A stream that
 * was open when the close began (as SSE is) does not keep the close waiting for the keep-alive
 * timeout once it ends, and open WebSockets are told 1012 (service restart).
 */
import type { AddressInfo } from "node:net"
import { PassThrough } from "node:stream"
import { CampaignSourceMemory } from "@app/domain/memory"
import { Effect, type ManagedRuntime } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import * as PostgresSchema from "./support/PostgresSchema.js"
import * as ServerTest from "./support/ServerTest.js"

let schema: PostgresSchema.PostgresSchema
let server: ServerTest.TestServer

beforeAll(async () => {
  schema = await PostgresSchema.create("shutdown")
  server = await ServerTest.start(schema.env)
}, 120_000)

afterAll(async () => {
  await server?.close()
  await schema?.drop()
})

it("lets a request in flight finish, refuses new connections, then disposes the runtime", async () => {
  await server.app.listen({ port: 0, host: "127.0.0.1" })
  const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`
  const user = await ServerTest.signUp(server.app, "shutdown")
  const auth = { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" }
  const platformPath = `/api/users/${user.userId}/platforms/google`
  const put = await server.app.inject({
    method: "PUT",
    url: `${platformPath}/credentials/acct-1`,
    headers: auth,
    payload: JSON.stringify({ credentials: "platform-secret" })
  })
  expect(put.statusCode).toBe(200)

  // The runtime holds the fake platform behind CampaignSource (ServerLayer provides it).
  const runtime = server.runtime as unknown as ManagedRuntime.ManagedRuntime<CampaignSourceMemory.FakeAdPlatform, unknown>
  await runtime.runPromise(CampaignSourceMemory.FakeAdPlatform.use((fake) => fake.setLatency("google", "acct-1" as never, 1_500)))
  const fetches = () => runtime.runPromise(CampaignSourceMemory.FakeAdPlatform.use((fake) => fake.fetchCount("google", "acct-1" as never)))

  const sync = fetch(`${base}${platformPath}/campaigns/sync`, { method: "POST", headers: { authorization: auth.authorization } })
  const deadline = Date.now() + 10_000
  while ((await fetches()) === 0) {
    if (Date.now() > deadline) throw new Error(`the sync never reached the platform: ${(await sync).status} ${await (await sync).text()}`)
    await Effect.runPromise(Effect.sleep(20))
  }

  const closed = server.app.close()
  const answer = await sync
  expect(answer.status).toBe(200)
  expect(await answer.json()).toEqual({ accounts: [expect.objectContaining({ accountId: "acct-1" })] })

  await expect(fetch(`${base}/api/health`)).rejects.toThrow()
  await closed
  // Disposed: the runtime no longer runs anything.
  await expect(server.runtime.runPromise(Effect.void)).rejects.toBeDefined()
})

it("does not wait for the keep-alive timeout of a stream that ended during the close", async () => {
  const other = await ServerTest.start(schema.env, {
    beforeReady: (app) => {
      app.get("/test/stream", (_request, reply) => {
        const stream = new PassThrough()
        stream.write("event: status\ndata: {}\n\n")
        setTimeout(() => stream.end(), 500)
        return reply.type("text/event-stream").send(stream)
      })
    }
  })
  await other.app.listen({ port: 0, host: "127.0.0.1" })
  const base = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`
  const response = await fetch(`${base}/test/stream`)
  expect(response.status).toBe(200)
  const body = response.text()
  // The keep-alive timeout is 65 s and the test's 30 s: only closing the idle socket ends this in time.
  await other.close()
  expect(await body).toContain("event: status")
}, 30_000)

it("closes open WebSockets with 1012 (service restart) when the app closes", async () => {
  const other = await ServerTest.start(schema.env)
  await other.app.listen({ port: 0, host: "127.0.0.1" })
  const { port } = other.app.server.address() as AddressInfo
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/chat`)
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve())
    socket.addEventListener("error", () => reject(new Error("the WebSocket did not open")))
  })
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)))
  await other.close()
  expect(await closed).toBe(1012)
})
