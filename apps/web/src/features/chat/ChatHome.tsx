/** /chat: pick one of the caller's teams to see its rooms. */
import { Link } from "react-router"
import { Empty } from "../../ui/Empty"
import { QueryView } from "../../ui/QueryView"
import { usePageTitle } from "../../ui/usePageTitle"
import { useChatTeams } from "./ChatQueries"

export const ChatHome = () => {
  usePageTitle("Chat")
  const teams = useChatTeams()
  return (
    <section aria-labelledby="chat-title">
      <h1 id="chat-title">Chat</h1>
      <section aria-labelledby="chat-teams-title">
        <h2 id="chat-teams-title">Pick a team</h2>
        <QueryView
          query={teams}
          loadingLabel="Loading your teams…"
          errorTitle="Could not load your teams"
          isEmpty={(list) => list.length === 0}
          empty={<Empty title="You are not in any team yet"><p><Link to="/teams">Create or join a team</Link> to chat with it.</p></Empty>}
        >
          {(list) => (
            <ul className="chat-team-list" aria-labelledby="chat-teams-title">
              {list.map((team) => (
                <li key={team.teamId}><Link to={`/chat/${encodeURIComponent(team.teamId)}`}>{team.teamName}</Link></li>
              ))}
            </ul>
          )}
        </QueryView>
      </section>
    </section>
  )
}
