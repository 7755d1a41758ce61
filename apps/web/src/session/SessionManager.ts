/**
 * The logged-in session, outside React: the token pair in localStorage, the authenticated API
 * client, and keeping the access token fresh.
 *
 * - The access token is refreshed `refreshMarginMs` before it expires (a timer, and a check before
 *   every call, for laptops that slept through the timer).
 * - A 401 on an authenticated call refreshes once and retries the call once.
 * - One refresh in flight across tabs: refreshes take the Web Lock `REFRESH_LOCK_NAME` and re-read
 *   storage inside it, so the tab that waited finds the first tab's new pair and uses it instead of
 *   replaying the rotated refresh token (which the server would answer with 401 and a revoked
 *   family, outside its ~10 s grace window; see DESIGN.md "Auth"). Without Web Locks the tab still
 *   refreshes once at a time and the server's grace window covers two tabs racing.
 * - The `storage` event carries other tabs' refreshes and logouts into this one.
 * - A refresh the server refuses (400/401) ends the session everywhere; the UI then sends the user
 *   to the login page with `next` so the page is not lost. A network failure or 5xx keeps the tokens.
 */
import { ApiProblem, makeApiClient, type ApiClient } from "@app/api"
import { decodeAccessToken } from "./AccessTokenClaims"
import { clearStoredTokens, readStoredTokens, STORED_TOKENS_KEY, writeStoredTokens, type StoredTokens } from "./StoredTokens"

export const REFRESH_LOCK_NAME = "app.session.refresh"

/** The part of the Web Locks API used here (navigator.locks). */
export interface RefreshLocks {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>
}

/** Who is logged in, as the access token says. */
export interface Session {
  readonly userId: string
  readonly email: string
}

/** What login, sign-up, refresh and QR exchange answer. */
export interface TokenPair {
  readonly accessToken: string
  readonly refreshToken: string
}

export interface SessionManagerOptions {
  /** The API's origin; "" for the page's own. */
  readonly baseUrl: string
  readonly storage: Storage
  readonly fetch?: typeof globalThis.fetch
  /** navigator.locks; null or undefined where the browser has none. */
  readonly locks?: RefreshLocks | null | undefined
  /** Where `storage` events arrive (the window). */
  readonly events?: Pick<EventTarget, "addEventListener" | "removeEventListener"> | undefined
  readonly now?: () => number
  /** Runs `run` after `delayMs`; returns a cancel function. Defaults to setTimeout. */
  readonly schedule?: (run: () => void, delayMs: number) => () => void
  /** How long before expiry the access token is refreshed. */
  readonly refreshMarginMs?: number
}

export interface SessionManager {
  /** The authenticated client: bearer token attached, refreshed before expiry, 401 → refresh → retry once. */
  readonly client: ApiClient
  /** A client that never sends a token (sign-up, login, QR login). */
  readonly publicClient: ApiClient
  /** The current session; the same object until the stored tokens change (for useSyncExternalStore). */
  readonly getSession: () => Session | undefined
  readonly subscribe: (listener: () => void) => () => void
  /** Stores a token pair from login, sign-up or QR exchange. */
  readonly signIn: (tokens: TokenPair) => void
  /** A valid access token, refreshing first when it is about to expire; undefined when logged out. */
  readonly freshAccessToken: () => Promise<string | undefined>
  /** Revokes the refresh token's family on the server and forgets the tokens in every tab. */
  readonly logout: () => Promise<void>
  /** Starts the refresh timer and listens to other tabs. */
  readonly start: () => void
  readonly stop: () => void
}

const defaultSchedule = (run: () => void, delayMs: number) => {
  // setTimeout's delay is a signed 32-bit number of ms; longer waits are re-armed by the next change.
  const id = setTimeout(run, Math.min(delayMs, 2 ** 31 - 1))
  return () => clearTimeout(id)
}

export const makeSessionManager = (options: SessionManagerOptions): SessionManager => {
  const { storage } = options
  const now = options.now ?? (() => Date.now())
  const schedule = options.schedule ?? defaultSchedule
  const marginMs = options.refreshMarginMs ?? 60_000
  const rawFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const publicClient = makeApiClient({ baseUrl: options.baseUrl, fetch: rawFetch })
  const listeners = new Set<() => void>()

  let snapshotRaw: string | null = null
  let snapshot: Session | undefined
  const getSession = (): Session | undefined => {
    const raw = storage.getItem(STORED_TOKENS_KEY)
    if (raw !== snapshotRaw) {
      snapshotRaw = raw
      const tokens = readStoredTokens(storage)
      const claims = tokens === undefined ? undefined : decodeAccessToken(tokens.accessToken)
      snapshot = claims === undefined ? undefined : { userId: claims.userId, email: claims.email }
    }
    return snapshot
  }

  let started = false
  let cancelTimer: (() => void) | undefined
  const reschedule = () => {
    cancelTimer?.()
    cancelTimer = undefined
    const tokens = readStoredTokens(storage)
    if (!started || tokens === undefined) return
    const delay = Math.max(0, tokens.expiresAt - marginMs - now())
    cancelTimer = schedule(() => {
      cancelTimer = undefined
      void freshAccessToken()
    }, delay)
  }

  const changed = () => {
    reschedule()
    for (const listener of listeners) listener()
  }
  /** Notifies only when storage differs from what this tab last showed (another tab wrote it). */
  const noticeForeignChange = () => {
    if (storage.getItem(STORED_TOKENS_KEY) !== snapshotRaw) changed()
  }

  const isDue = (tokens: StoredTokens) => tokens.expiresAt - marginMs <= now()

  const store = (pair: TokenPair) => {
    const claims = decodeAccessToken(pair.accessToken)
    const expiresAt = claims?.lifetimeMs !== undefined ? now() + claims.lifetimeMs : (claims?.expiresAt ?? now())
    writeStoredTokens(storage, { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt })
  }

  const withLock = <A>(body: () => Promise<A>): Promise<A> =>
    options.locks ? (options.locks.request(REFRESH_LOCK_NAME, body) as Promise<A>) : body()

  // Refreshes of this tab run one after another; each decides inside the lock, on fresh storage,
  // whether it still has to call the server.
  let queue: Promise<unknown> = Promise.resolve()
  const refresh = (stillNeeded: (tokens: StoredTokens) => boolean): Promise<string | undefined> => {
    const run = queue.then(() =>
      withLock(async () => {
        const tokens = readStoredTokens(storage)
        if (tokens === undefined) {
          noticeForeignChange()
          return undefined
        }
        if (!stillNeeded(tokens)) {
          noticeForeignChange()
          return tokens.accessToken
        }
        const answer = await publicClient.request("auth.refresh", { body: { refreshToken: tokens.refreshToken } })
        if (answer.status === 200) {
          store(answer.body as TokenPair)
          changed()
          return (answer.body as TokenPair).accessToken
        }
        if (answer.status === 400 || answer.status === 401) {
          // Refused for good: the session is over, unless this very tab logged in again meanwhile.
          if (readStoredTokens(storage)?.refreshToken === tokens.refreshToken) clearStoredTokens(storage)
          changed()
          return undefined
        }
        throw new ApiProblem(answer.status, answer.body as ApiProblem["problem"], answer.headers)
      })
    )
    queue = run.catch(() => undefined)
    return run
  }

  const freshAccessToken = async (): Promise<string | undefined> => {
    const tokens = readStoredTokens(storage)
    if (tokens === undefined) return undefined
    if (!isDue(tokens)) return tokens.accessToken
    try {
      return await refresh(isDue)
    } catch {
      // Offline or the server is down: try with what we have; a 401 will come back to `authFetch`.
      return readStoredTokens(storage)?.accessToken
    }
  }

  const authFetch: typeof globalThis.fetch = async (input, init) => {
    const response = await rawFetch(input, init)
    if (response.status !== 401) return response
    const headers = new Headers(init?.headers)
    const sent = headers.get("authorization")
    if (sent === null || !sent.startsWith("Bearer ")) return response
    const staleToken = sent.slice("Bearer ".length)
    let token: string | undefined
    try {
      // Another tab may have refreshed already: then its token is used without a second refresh.
      token = await refresh((tokens) => tokens.accessToken === staleToken)
    } catch {
      return response
    }
    if (token === undefined || token === staleToken) return response
    headers.set("authorization", `Bearer ${token}`)
    return rawFetch(input, { ...init, headers })
  }

  const client = makeApiClient({ baseUrl: options.baseUrl, fetch: authFetch, accessToken: freshAccessToken })

  const onStorage = (event: Event) => {
    const key = (event as StorageEvent).key
    if (key === null || key === STORED_TOKENS_KEY) changed()
  }

  return {
    client,
    publicClient,
    getSession,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    signIn: (pair) => {
      store(pair)
      changed()
    },
    freshAccessToken,
    logout: async () => {
      const tokens = readStoredTokens(storage)
      clearStoredTokens(storage)
      changed()
      if (tokens !== undefined) {
        // Best effort: the tokens are gone from this browser either way.
        await publicClient.request("auth.logout", { body: { refreshToken: tokens.refreshToken } }).catch(() => undefined)
      }
    },
    start: () => {
      if (started) return
      started = true
      options.events?.addEventListener("storage", onStorage)
      reschedule()
    },
    stop: () => {
      started = false
      options.events?.removeEventListener("storage", onStorage)
      cancelTimer?.()
      cancelTimer = undefined
    }
  }
}
