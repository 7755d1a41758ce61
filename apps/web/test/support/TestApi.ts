/**
 * The real contract in-process (packages/api's handler over the in-memory product), with a fetch
 * that counts calls per route so tests can assert "one refresh", "retried once".
 */
// The web app's tests use the contract's in-process handler as their server; see the eslint
// change requested in apps/web/README.md ("Testing") that allows this import.
import { makeInProcessApi, type InProcessApi } from "../../../../packages/api/test/support/InProcessApi"

/** Any absolute origin: the in-process fetch only looks at the path. */
export const TEST_API_BASE_URL = "http://api.test"

export interface TestApi {
  readonly api: InProcessApi
  readonly fetch: typeof globalThis.fetch
  /** "POST /api/auth/refresh" → how many requests. */
  readonly calls: (methodAndPath: string) => number
  readonly dispose: () => Promise<void>
}

export const makeTestApi = (): TestApi => {
  const api = makeInProcessApi()
  const counts = new Map<string, number>()
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url)
    const key = `${init?.method ?? "GET"} ${url.pathname}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
    return api.fetch(input, init)
  }) as typeof globalThis.fetch
  return { api, fetch, calls: (key) => counts.get(key) ?? 0, dispose: () => api.dispose() }
}
