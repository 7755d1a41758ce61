/**
 * Renders the whole app at a path as one test user, with the chat's sockets served in process
 * (InProcessChatSockets) and short reconnect waits; the current location is in
 * `data-testid="location"` as with renderApp.
 */
import { render } from "@testing-library/react"
import { MemoryRouter, useLocation } from "react-router"
import { App } from "../../src/App"
import { ChatTransportProvider, type ChatTransport } from "../../src/features/chat/ChatConnectionContext"
import type { SessionManagerOptions } from "../../src/session/SessionManager"
import { AppProviders } from "../../src/shell/AppProviders"
import { makeQueryClient } from "../../src/shell/makeQueryClient"
import { makeTestSessionManager } from "../support/renderApp"
import type { TestApi } from "../support/TestApi"
import type { TestUser } from "../teams/TeamFixtures"
import type { InProcessChatSockets } from "./InProcessChatSockets"

const LocationProbe = () => {
  const location = useLocation()
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>
}

export const renderChatAs = (
  testApi: TestApi,
  sockets: InProcessChatSockets,
  user: TestUser,
  path: string,
  options: Partial<SessionManagerOptions> = {}
) => {
  const manager = makeTestSessionManager(testApi, options)
  manager.signIn({ accessToken: user.accessToken, refreshToken: user.refreshToken })
  const transport: ChatTransport = { openSocket: sockets.open, url: "ws://chat.test/ws/chat", reconnectDelay: () => 5 }
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AppProviders manager={manager} queryClient={makeQueryClient()}>
        <ChatTransportProvider transport={transport}>
          <App />
        </ChatTransportProvider>
        <LocationProbe />
      </AppProviders>
    </MemoryRouter>
  )
}
