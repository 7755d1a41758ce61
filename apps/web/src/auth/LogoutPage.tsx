/** Logs out (revokes the refresh token, forgets the tokens in every tab), then shows the login page. */
import { useEffect } from "react"
import { useNavigate } from "react-router"
import { useSessionManager } from "../session/SessionContext"
import { Loading } from "../ui/Loading"
import { usePageTitle } from "../ui/usePageTitle"
import type { LoginPageState } from "./LoginPage"

export const LogoutPage = () => {
  usePageTitle("Log out")
  const manager = useSessionManager()
  const navigate = useNavigate()
  useEffect(() => {
    let active = true
    void manager.logout().then(() => {
      if (active) void navigate("/login", { replace: true, state: { loggedOut: true } satisfies LoginPageState })
    })
    return () => {
      active = false
    }
  }, [manager, navigate])
  return <Loading label="Logging out…" />
}
