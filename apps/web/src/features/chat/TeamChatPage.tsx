/**
 * /chat/:teamId and /chat/:teamId/:roomId — a team's rooms (with room creation) beside the open
 * room. Rooms are links, so each room has its own URL and the browser's back button works.
 */
import { Link, NavLink, useParams } from "react-router"
import { useMyTeams } from "../../shell/MyTeams"
import { Empty } from "../../ui/Empty"
import { ErrorState } from "../../ui/ErrorState"
import { Loading } from "../../ui/Loading"
import { QueryView } from "../../ui/QueryView"
import { usePageTitle } from "../../ui/usePageTitle"
import { useTeamRooms } from "./ChatQueries"
import { CreateRoomForm } from "./CreateRoomForm"
import { RoomView } from "./RoomView"

export const TeamChatPage = () => {
  const { teamId = "", roomId } = useParams()
  const teams = useMyTeams("chat")
  const rooms = useTeamRooms(teamId)
  const team = teams.data?.find((t) => t.teamId === teamId)
  const room = rooms.data?.find((r) => r.roomId === roomId)
  usePageTitle(room === undefined ? (team === undefined ? "Chat" : `Chat · ${team.teamName}`) : `#${room.name} · ${team?.teamName ?? "Chat"}`)
  return (
    <section aria-labelledby="chat-title">
      <h1 id="chat-title">Chat</h1>
      <p className="chat-team-line">
        {teams.isPending ? "Loading the team…" : team === undefined ? null : <>Team: <strong>{team.teamName}</strong></>}{" "}
        <Link to="/chat">Change team</Link>
      </p>
      {teams.isSuccess && team === undefined ? (
        <ErrorState error={new Error("This team does not exist, or you are not a member of it.")} title="Team not found" />
      ) : (
        <div className="chat-layout">
          <nav aria-labelledby="rooms-title" className="chat-rooms">
            <h2 id="rooms-title">Rooms</h2>
            <QueryView
              query={rooms}
              loadingLabel="Loading rooms…"
              errorTitle="Could not load the rooms"
              isEmpty={(list) => list.length === 0}
              empty={<Empty title="No rooms yet"><p>Create the first room below.</p></Empty>}
            >
              {(list) => (
                <ul className="room-list">
                  {list.map((r) => (
                    <li key={r.roomId}>
                      <NavLink to={`/chat/${encodeURIComponent(teamId)}/${encodeURIComponent(r.roomId)}`}># {r.name}</NavLink>
                    </li>
                  ))}
                </ul>
              )}
            </QueryView>
            <CreateRoomForm teamId={teamId} />
          </nav>
          <div className="chat-room-area">
            {roomId === undefined ? (
              <p className="muted">Pick a room to read and write its messages.</p>
            ) : rooms.isPending ? (
              <Loading label="Loading the room…" />
            ) : room === undefined ? (
              rooms.isError ? null : <ErrorState error={new Error("This room does not exist in this team.")} title="Room not found" />
            ) : (
              <RoomView key={room.roomId} room={room} />
            )}
          </div>
        </div>
      )}
    </section>
  )
}
