/**
 * Routes behind login: nobody logged in (never was, logged out in another tab, or the refresh was
 * refused) → the login page, which comes back here afterwards.
 */
import { Navigate, Outlet, useLocation } from "react-router"
import { loginPathFor } from "./NextPath"
import { useSession } from "./SessionContext"

export const RequireSession = () => {
  const session = useSession()
  const location = useLocation()
  if (session === undefined) return <Navigate to={loginPathFor(location)} replace />
  return <Outlet />
}
