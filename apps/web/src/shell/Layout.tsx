/**
 * The frame of every page: a skip link, the header with the navigation (for a logged-in user) or
 * the login / sign-up links, and the page in <main>.
 */
import { Suspense } from "react"
import { Link, NavLink, Outlet } from "react-router"
import { useSession } from "../session/SessionContext"
import { Loading } from "../ui/Loading"
import { APP_NAME } from "../ui/usePageTitle"

const sections = [
  { to: "/teams", label: "Teams" },
  { to: "/platforms", label: "Platforms" },
  { to: "/chat", label: "Chat" },
  { to: "/sensors", label: "Sensors" },
  { to: "/profile", label: "Profile" }
] as const

export const Layout = () => {
  const session = useSession()
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <Link to="/" className="brand">{APP_NAME}</Link>
        <nav aria-label="Main">
          {session === undefined ? (
            <ul>
              <li><NavLink to="/login" end>Log in</NavLink></li>
              <li><NavLink to="/signup">Sign up</NavLink></li>
            </ul>
          ) : (
            <ul>
              {sections.map((s) => <li key={s.to}><NavLink to={s.to}>{s.label}</NavLink></li>)}
              <li><Link to="/logout">Log out</Link></li>
            </ul>
          )}
        </nav>
        {session === undefined ? null : <span className="who" data-testid="current-user">{session.email}</span>}
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </>
  )
}
