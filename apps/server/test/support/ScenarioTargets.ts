/**
 * The contract's scenario suite (packages/api/test/scenario) pointed at this server over real
 * sockets: HTTP, SSE and WebSockets on one port, generous rate limits (429 has its own tests),
 * the test secrets passed on so the suite can forge tokens.
 */
import type { ScenarioTarget } from "../../../../packages/api/test/scenario/ScenarioSuite.js"
import * as ServerTest from "./ServerTest.js"

const generous = "100000/60"

export const serverTarget = async (env: Record<string, string | undefined>, cleanup: () => Promise<void> = async () => {}): Promise<ScenarioTarget> => {
  const server = await ServerTest.start({
    RATE_LIMIT_LOGIN: generous,
    RATE_LIMIT_SIGNUP: generous,
    RATE_LIMIT_QR_INIT: generous,
    RATE_LIMIT_INGEST: generous,
    ...env
  })
  const address = await server.app.listen({ host: "127.0.0.1", port: 0 })
  const secret = server.config.environment["AUTH_ACCESS_TOKEN_SECRET"]
  return {
    baseUrl: address,
    fetch: globalThis.fetch,
    realtime: { wsUrl: address.replace(/^http/, "ws"), sseBase: address },
    ...(secret === undefined ? {} : { accessTokenSecret: secret }),
    dispose: async () => {
      await server.close()
      await cleanup()
    }
  }
}
