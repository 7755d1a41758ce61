/**
 * Everything pages need from above: react-query and the session. The cached data belongs to the
 * user who loaded it, so it is dropped when the logged-in user changes (logout, another account).
 */
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query"
import { useEffect, useRef, type ReactNode } from "react"
import { SessionProvider, useSession } from "../session/SessionContext"
import type { SessionManager } from "../session/SessionManager"

const ClearCacheOnUserChange = ({ queryClient }: { readonly queryClient: QueryClient }) => {
  const userId = useSession()?.userId
  const previous = useRef(userId)
  useEffect(() => {
    if (previous.current !== userId) queryClient.clear()
    previous.current = userId
  }, [userId, queryClient])
  return null
}

export interface AppProvidersProps {
  readonly manager: SessionManager
  readonly queryClient: QueryClient
  readonly children: ReactNode
}

export const AppProviders = ({ manager, queryClient, children }: AppProvidersProps) => (
  <QueryClientProvider client={queryClient}>
    <SessionProvider manager={manager}>
      <ClearCacheOnUserChange queryClient={queryClient} />
      {children}
    </SessionProvider>
  </QueryClientProvider>
)
