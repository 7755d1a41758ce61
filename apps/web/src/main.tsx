/** The browser entry: one session manager on localStorage and Web Locks, the router, the app. */
import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { BrowserRouter } from "react-router"
import { App } from "./App"
import { apiBaseUrl } from "./ApiBaseUrl"
import { makeSessionManager } from "./session/SessionManager"
import { AppProviders } from "./shell/AppProviders"
import { makeQueryClient } from "./shell/makeQueryClient"
import "./styles.css"

const manager = makeSessionManager({
  baseUrl: apiBaseUrl,
  storage: window.localStorage,
  // Older browsers have no Web Locks; the server's refresh grace window covers racing tabs there.
  locks: "locks" in navigator ? navigator.locks : null,
  events: window
})

const root = document.getElementById("root")
if (root === null) throw new Error("index.html has no #root")

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <AppProviders manager={manager} queryClient={makeQueryClient()}>
        <App />
      </AppProviders>
    </BrowserRouter>
  </StrictMode>
)
