/**
 * Without a web build (no index.html in WEB_ROOT) `/` and deep links get a page saying so, and
 * the rest behaves as with a build. The plugin alone on a bare Fastify: no stores needed.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Fastify, { type FastifyInstance } from "fastify"
import { afterAll, beforeAll, expect, it } from "vitest"
import * as WebApp from "../src/WebApp.js"

let app: FastifyInstance
let emptyRoot: string

beforeAll(async () => {
  emptyRoot = await mkdtemp(join(tmpdir(), "server-web-empty-"))
  app = Fastify()
  const web = await WebApp.register(app, emptyRoot)
  expect(web.built).toBe(false)
  app.setNotFoundHandler((request, reply) => {
    if (web.answerDeepLink(request, reply)) return reply
    return reply.code(404).send("not found")
  })
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await rm(emptyRoot, { recursive: true, force: true })
})

it("answers / and deep links with a page saying the web app is not built", async () => {
  for (const url of ["/", "/teams/123"]) {
    const res = await app.inject({ method: "GET", url, headers: { accept: "text/html" } })
    expect(res.statusCode).toBe(200)
    expect(res.headers["content-type"]).toMatch(/^text\/html/)
    expect(res.body).toContain("The web app is not built")
  }
})

it("still answers files, API paths and non-HTML requests with 404", async () => {
  for (const [url, accept] of [["/app.js", "*/*"], ["/api/nope", "text/html"], ["/ws/chat", "text/html"], ["/teams/1", "application/json"]] as const) {
    const res = await app.inject({ method: "GET", url, headers: { accept } })
    expect(res.statusCode).toBe(404)
  }
})
