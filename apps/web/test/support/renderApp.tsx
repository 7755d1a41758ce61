/**
 * Renders the whole app at a path, on a memory router, with a given session manager; the current
 * location is shown in `data-testid="location"` so tests can assert redirects. `strictMode` renders
 * it as main.tsx does, in StrictMode (doubled effects), for code whose effects start something.
 */
import { render } from "@testing-library/react"
import { StrictMode } from "react"
import { MemoryRouter, useLocation } from "react-router"
import { App } from "../../src/App"
import { makeSessionManager, type SessionManager, type SessionManagerOptions } from "../../src/session/SessionManager"
import { AppProviders } from "../../src/shell/AppProviders"
import { makeQueryClient } from "../../src/shell/makeQueryClient"
import { TEST_API_BASE_URL, type TestApi } from "./TestApi"

const LocationProbe = () => {
  const location = useLocation()
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>
}

export const makeTestSessionManager = (testApi: TestApi, options: Partial<SessionManagerOptions> = {}): SessionManager =>
  makeSessionManager({ baseUrl: TEST_API_BASE_URL, storage: window.localStorage, fetch: testApi.fetch, ...options })

export const renderApp = (path: string, manager: SessionManager, options: { readonly strictMode?: boolean } = {}) => {
  const app = (
    <MemoryRouter initialEntries={[path]}>
      <AppProviders manager={manager} queryClient={makeQueryClient()}>
        <App />
        <LocationProbe />
      </AppProviders>
    </MemoryRouter>
  )
  return render(options.strictMode === true ? <StrictMode>{app}</StrictMode> : app)
}
