/** /teams: pending invitations (a banner), the caller's teams with their role, and team creation. */
import { Link, useLocation } from "react-router"
import { useMyTeams } from "../../shell/MyTeams"
import { Empty } from "../../ui/Empty"
import { QueryView } from "../../ui/QueryView"
import { usePageTitle } from "../../ui/usePageTitle"
import { CreateTeamForm } from "./CreateTeamForm"
import { InvitationsBanner } from "./InvitationsBanner"
import { RoleBadge } from "./RoleBadge"

/** Navigation state set after leaving or deleting a team. */
export interface TeamsListState {
  readonly left?: string
  readonly deleted?: string
}

export const TeamsListPage = () => {
  usePageTitle("Teams")
  const teams = useMyTeams("teams")
  const outcome = useLocation().state as TeamsListState | null
  return (
    <section aria-labelledby="teams-title">
      <h1 id="teams-title">Teams</h1>
      {outcome?.left === undefined ? null : <p role="status" className="notice">You left {outcome.left}.</p>}
      {outcome?.deleted === undefined ? null : <p role="status" className="notice">{outcome.deleted} was deleted.</p>}
      <InvitationsBanner />
      <section aria-labelledby="my-teams-title">
        <h2 id="my-teams-title">Your teams</h2>
        <QueryView
          query={teams}
          loadingLabel="Loading your teams…"
          errorTitle="Could not load your teams"
          isEmpty={(list) => list.length === 0}
          empty={<Empty title="No teams yet"><p>Create a team below, or accept an invitation to join one.</p></Empty>}
        >
          {(list) => (
            <ul className="team-list" aria-labelledby="my-teams-title">
              {list.map((team) => (
                <li key={team.teamId}>
                  <Link to={`/teams/${encodeURIComponent(team.teamId)}`}>{team.teamName}</Link>{" "}
                  <RoleBadge role={team.role} />
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </section>
      <CreateTeamForm />
    </section>
  )
}
