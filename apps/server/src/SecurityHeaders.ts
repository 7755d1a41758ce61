/**
 * Helmet's security headers, worked out once at start-up instead of on every request:
 * @fastify/helmet calls `helmet(options)` per request, which re-parses and re-validates the CSP.
 * Here helmet itself runs once against a recording response, and one `onRequest` hook sets the
 * recorded headers on the raw response exactly as helmet's middleware would (so they also reach
 * answers written straight to the socket, like event streams). Only static options are accepted:
 * a directive computed per request (a function, a nonce) is refused at start-up.
 */
import { createRequire } from "node:module"
import type { FastifyHelmetOptions } from "@fastify/helmet"
import type { FastifyInstance } from "fastify"

type HelmetOptions = Omit<FastifyHelmetOptions, "enableCSPNonces" | "global">
type HelmetMiddleware = (req: unknown, res: unknown, next: (error?: unknown) => void) => void

/** helmet as @fastify/helmet resolves it, so the headers are exactly the ones that plugin sets. */
const helmet = createRequire(createRequire(import.meta.url).resolve("@fastify/helmet"))("helmet") as (
  options: HelmetOptions
) => HelmetMiddleware

const hasFunction = (value: unknown): boolean =>
  typeof value === "function" ||
  (Array.isArray(value) ? value.some(hasFunction) : typeof value === "object" && value !== null && Object.values(value).some(hasFunction))

/** The headers helmet sets for `options`, in the order it sets them. */
export const headersOf = (options: HelmetOptions): ReadonlyArray<readonly [string, string]> => {
  if (hasFunction(options)) throw new Error("security headers: only static helmet options are supported")
  const headers: Array<readonly [string, string]> = []
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers.push([name, String(value)])
    },
    // X-Powered-By: Fastify never sets it, so there is nothing to take away.
    removeHeader: () => {}
  }
  let failure: unknown
  helmet(options)({}, recorder, (error) => {
    failure = error
  })
  if (failure !== undefined) throw failure
  return headers
}

/** Sets helmet's headers for `options` on every answer of `app` (call it where helmet was registered). */
export const register = (app: FastifyInstance, options: HelmetOptions): void => {
  const headers = headersOf(options)
  app.addHook("onRequest", (_request, reply, done) => {
    const raw = reply.raw
    for (const [name, value] of headers) raw.setHeader(name, value)
    done()
  })
}
