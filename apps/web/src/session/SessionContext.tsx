/**
 * The session for React: one SessionManager per app (made in main.tsx, or by a test), started
 * while mounted. Components read who is logged in with `useSession()` and call the API with
 * `useApiClient()` — the authenticated client that refreshes and retries by itself.
 */
import type { ApiClient } from "@app/api"
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from "react"
import type { Session, SessionManager } from "./SessionManager"

const SessionManagerContext = createContext<SessionManager | undefined>(undefined)

export const SessionProvider = ({ manager, children }: { readonly manager: SessionManager; readonly children: ReactNode }) => {
  useEffect(() => {
    manager.start()
    return () => manager.stop()
  }, [manager])
  return <SessionManagerContext.Provider value={manager}>{children}</SessionManagerContext.Provider>
}

export const useSessionManager = (): SessionManager => {
  const manager = useContext(SessionManagerContext)
  if (manager === undefined) throw new Error("useSessionManager outside <SessionProvider>")
  return manager
}

/** Who is logged in; undefined when nobody is (re-renders on login, refresh, logout, other tabs). */
export const useSession = (): Session | undefined => {
  const manager = useSessionManager()
  return useSyncExternalStore(manager.subscribe, manager.getSession)
}

/** The authenticated API client. */
export const useApiClient = (): ApiClient => useSessionManager().client

/** The client for calls without a token (login, sign-up, QR login). */
export const usePublicApiClient = (): ApiClient => useSessionManager().publicClient
