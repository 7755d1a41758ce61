/**
 * The people of a QR login test, on the in-process contract: another browser (a phone, a
 * desktop) is a SessionManager of its own on storage of its own, so it never touches the
 * rendered page's localStorage; and the desktop page's fetch can record every challenge the page
 * starts, so the test can "scan" the code the page shows.
 */
import type { SessionManager } from "../../src/session/SessionManager"
import { makeTestSessionManager } from "../support/renderApp"
import type { TestApi } from "../support/TestApi"

export const TEST_PASSWORD = "Str0ngpassword"

/** Web Storage in memory: another browser's localStorage. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>()
  get length() {
    return this.items.size
  }
  clear() {
    this.items.clear()
  }
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value))
  }
}

/** A browser other than the rendered page: its own storage, logged out. */
export const otherBrowser = (testApi: TestApi): SessionManager => makeTestSessionManager(testApi, { storage: new MemoryStorage() })

export interface PhoneUser {
  readonly email: string
  /** The phone's authenticated client. */
  readonly client: SessionManager["client"]
  readonly tokens: { readonly accessToken: string; readonly refreshToken: string }
}

/** Signs a user up on a phone of their own, which stays logged in. */
export const signUpPhoneUser = async (testApi: TestApi, email: string): Promise<PhoneUser> => {
  const phone = otherBrowser(testApi)
  const tokens = await phone.publicClient.call("auth.signup", { body: { email, name: email.split("@")[0] ?? "User", password: TEST_PASSWORD } })
  phone.signIn(tokens)
  return { email, tokens, client: phone.client }
}

export interface StartedChallenge {
  readonly challengeId: string
  readonly scanKey: string
  readonly pollSecret: string
  readonly qrPayload: string
}

/** The challenge id and scan key a QR payload carries (`…/qr/approve?c=…&k=…`). */
export const challengeOfPayload = (qrPayload: string): { challengeId: string; scanKey: string } => {
  const url = new URL(qrPayload)
  return { challengeId: url.searchParams.get("c") ?? "", scanKey: url.searchParams.get("k") ?? "" }
}

const pathOf = (input: string | URL | Request) =>
  new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url).pathname

/** testApi.fetch, remembering each challenge `qr.init` answered (newest last). */
export const recordChallenges = (testApi: TestApi): { fetch: typeof globalThis.fetch; challenges: Array<StartedChallenge> } => {
  const challenges: Array<StartedChallenge> = []
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await testApi.fetch(input, init)
    if (pathOf(input) === "/api/qr/init" && response.status === 201) {
      const body = (await response.clone().json()) as { challengeId: string; qrPayload: string; pollSecret: string }
      challenges.push({ ...body, scanKey: challengeOfPayload(body.qrPayload).scanKey })
    }
    return response
  }) as typeof globalThis.fetch
  return { fetch, challenges }
}
