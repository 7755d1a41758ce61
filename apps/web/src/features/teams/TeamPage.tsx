/**
 * /teams/:teamId — one team: its members with the actions the caller's role allows, and the
 * team-wide actions (invite, rename, leave, delete) shown only to those who may take them.
 */
import { ApiProblem } from "@app/api"
import { Link, useParams } from "react-router"
import { useSession } from "../../session/SessionContext"
import { ErrorState } from "../../ui/ErrorState"
import { Loading } from "../../ui/Loading"
import { usePageTitle } from "../../ui/usePageTitle"
import { DeleteTeam } from "./DeleteTeam"
import { InviteMemberForm } from "./InviteMemberForm"
import { LeaveTeam } from "./LeaveTeam"
import { RenameTeamForm } from "./RenameTeamForm"
import { RoleBadge } from "./RoleBadge"
import { TeamMembersList } from "./TeamMembersList"
import { canDeleteTeam, canInvite, canRename } from "./TeamPermissions"
import { useTeamDetails, type TeamDetails } from "./TeamQueries"

export const TeamPage = () => {
  const { teamId = "" } = useParams()
  const team = useTeamDetails(teamId)
  usePageTitle(team.data?.name ?? "Team")
  return (
    <section aria-labelledby="team-title">
      <p><Link to="/teams">← All teams</Link></p>
      {team.isPending ? (
        <><h1 id="team-title">Team</h1><Loading label="Loading the team…" /></>
      ) : team.isError ? (
        <>
          <h1 id="team-title">Team</h1>
          {team.error instanceof ApiProblem && team.error.status === 404
            ? <ErrorState error={team.error} title="This team does not exist, or you are not a member of it" />
            : <ErrorState error={team.error} title="Could not load the team" onRetry={() => void team.refetch()} />}
        </>
      ) : (
        <TeamView team={team.data} />
      )}
    </section>
  )
}

const TeamView = ({ team }: { readonly team: TeamDetails }) => {
  const myUserId = useSession()?.userId ?? ""
  const me = team.members.find((m) => m.userId === myUserId)
  if (me === undefined) {
    // The list was loaded before this user left or was removed.
    return <><h1 id="team-title">{team.name}</h1><ErrorState error={new Error("You are no longer a member of this team.")} /></>
  }
  const myRole = me.role
  return (
    <>
      <h1 id="team-title">{team.name}</h1>
      <p>Your role: <RoleBadge role={myRole} /> · <Link to={`/chat/${encodeURIComponent(team.teamId)}`}>Open the team's chat</Link></p>
      <section aria-labelledby="members-title">
        <h2 id="members-title">Members ({team.members.length})</h2>
        <TeamMembersList teamId={team.teamId} members={team.members} myUserId={myUserId} myRole={myRole} />
      </section>
      {canInvite(myRole) ? <InviteMemberForm teamId={team.teamId} /> : null}
      {canRename(myRole) ? <RenameTeamForm key={team.name} teamId={team.teamId} currentName={team.name} /> : null}
      <LeaveTeam teamId={team.teamId} teamName={team.name} myUserId={myUserId} myRole={myRole} memberCount={team.members.length} />
      {canDeleteTeam(myRole) ? <DeleteTeam teamId={team.teamId} teamName={team.name} /> : null}
    </>
  )
}
