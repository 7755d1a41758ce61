/**
 * Layers of the server peeled off one at a time, to see where `GET /api/users/me` spends the time
 * the bare route does not (BENCH_ME_BREAKDOWN=1). Each is a plain Fastify app (no logger, no
 * plugins) on 127.0.0.1 over the same runtime as a full instance, so the same pools:
 *
 * - `contract`: the server's own bridge (ApiBridge.handleApiRequest) — routing, authentication,
 *   Schema decoding and encoding, the Effect runtime — without the shell around it (helmet,
 *   request ids, logging, the websocket and realtime plugins' hooks).
 * - `use cases`: `Auth.verify` then `Users.me` run on the runtime and written as JSON — the Effect
 *   runtime, the domain and the adapters (jose, PgPool) without the contract.
 */
import { Auth, Users } from "@app/domain"
import { Effect } from "effect"
import Fastify, { type FastifyInstance } from "fastify"
import { handleApiRequest } from "../src/ApiBridge.js"
import type { ServerRuntime } from "../src/ServerLayer.js"

export interface BreakdownRoute {
  readonly name: string
  readonly url: string
  readonly close: () => Promise<void>
}

const BEARER = /^Bearer[ ]+([^ ]+)[ ]*$/i

const listen = async (name: string, app: FastifyInstance): Promise<BreakdownRoute> => {
  await app.listen({ host: "127.0.0.1", port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === "string") throw new Error(`${name} has no TCP address`)
  return { name, url: `http://127.0.0.1:${address.port}`, close: () => app.close() }
}

export const contractOnly = (runtime: ServerRuntime): Promise<BreakdownRoute> => {
  const app = Fastify({ logger: false })
  app.get("/api/users/me", handleApiRequest(runtime))
  return listen("contract", app)
}

const me = (token: string) =>
  Effect.gen(function*() {
    const actor = yield* Auth.use((auth) => auth.verify(token))
    const user = yield* Users.use((users) => users.me(actor))
    return {
      userId: user.userId,
      email: user.email,
      name: user.name,
      emailVerified: user.emailVerified,
      profile: user.profile,
      createdAt: new Date(user.createdAt).toISOString(),
      updatedAt: new Date(user.updatedAt).toISOString()
    }
  })

export const useCasesOnly = (runtime: ServerRuntime): Promise<BreakdownRoute> => {
  const app = Fastify({ logger: false })
  app.get("/api/users/me", async (request, reply) => {
    const header = request.headers.authorization
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1]
    if (token === undefined) return reply.code(401).send({ status: 401 })
    const result = await runtime.runPromise(Effect.result(me(token)))
    if (result._tag === "Failure") return reply.code(401).send({ status: 401 })
    return result.success
  })
  return listen("use cases", app)
}
