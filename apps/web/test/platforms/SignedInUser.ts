/** What the Platforms tests share: a signed-in user on the in-process contract, and a fetch the test can hold. */
import { makeTestSessionManager } from "../support/renderApp"
import type { TestApi } from "../support/TestApi"

export const PASSWORD = "Str0ngpassword"

export const signedInUser = async (testApi: TestApi, email = "ada@example.com", fetch?: typeof globalThis.fetch) => {
  const manager = makeTestSessionManager(testApi, fetch === undefined ? {} : { fetch })
  const answer = await manager.publicClient.call("auth.signup", { body: { email, name: "Ada", password: PASSWORD } })
  manager.signIn(answer)
  return { manager, userId: answer.user.userId }
}

/**
 * A fetch that holds every request matching `hold` until `release()` — to see a pending state
 * without racing a timer.
 */
export const gatedFetch = (inner: typeof globalThis.fetch, hold: (method: string, path: string) => boolean) => {
  let open: () => void = () => undefined
  let gate = new Promise<void>((resolve) => (open = resolve))
  let held = 0
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url)
    if (hold(init?.method ?? "GET", url.pathname)) {
      held++
      await gate
    }
    return inner(input, init)
  }) as typeof globalThis.fetch
  return {
    fetch,
    held: () => held,
    release: () => {
      open()
      gate = new Promise<void>((resolve) => (open = resolve))
    }
  }
}
