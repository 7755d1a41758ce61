/**
 * A stand-in for navigator.locks (happy-dom has none: its `navigator.locks` is null): exclusive
 * locks by name, granted in request order, as the Web Locks API grants them. Shared by the
 * SessionManagers of two "tabs" in one test.
 */
import type { RefreshLocks } from "../../src/session/SessionManager"

export interface FakeLocks extends RefreshLocks {
  /** How many times each lock was requested. */
  readonly requests: Map<string, number>
}

export const makeFakeLocks = (): FakeLocks => {
  const tails = new Map<string, Promise<unknown>>()
  const requests = new Map<string, number>()
  return {
    requests,
    request: (name, callback) => {
      requests.set(name, (requests.get(name) ?? 0) + 1)
      const previous = tails.get(name) ?? Promise.resolve()
      const run = previous.then(() => callback())
      tails.set(name, run.catch(() => undefined))
      return run
    }
  }
}
