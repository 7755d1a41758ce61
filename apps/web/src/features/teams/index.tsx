/**
 * The Teams feature (routes under /teams/*): a placeholder for the helper who builds it. Keep
 * exporting `TeamsPage`; nested routes go inside it with a relative <Routes>.
 */
import { usePageTitle } from "../../ui/usePageTitle"

export const TeamsPage = () => {
  usePageTitle("Teams")
  return (
    <section aria-labelledby="teams-title">
      <h1 id="teams-title">Teams</h1>
    </section>
  )
}
