/**
 * The Chat feature's reads and their react-query keys (all starting with "chat"): a team's rooms
 * and a team's members (for the senders' names). The team routes are read here rather than
 * through the Teams feature, which features do not import (the caller's teams come from
 * shell/MyTeams, under ["chat", "myTeams"]).
 */
import { useQuery } from "@tanstack/react-query"
import { useApiClient } from "../../session/SessionContext"

export const chatKeys = {
  rooms: (teamId: string) => ["chat", "rooms", teamId] as const,
  members: (teamId: string) => ["chat", "members", teamId] as const
}

export const useTeamRooms = (teamId: string) => {
  const api = useApiClient()
  return useQuery({
    queryKey: chatKeys.rooms(teamId),
    queryFn: async () => {
      const rooms = await api.call("chat.listRooms", { query: { teamId } })
      return [...rooms].sort((a, b) => a.name.localeCompare(b.name))
    }
  })
}

/** userId → display name, for the team's current members. */
export const useMemberNames = (teamId: string) => {
  const api = useApiClient()
  return useQuery({
    queryKey: chatKeys.members(teamId),
    queryFn: async () => {
      const team = await api.call("teams.get", { params: { teamId } })
      return new Map(team.members.map((m) => [m.userId as string, m.name ?? "Unknown user"]))
    }
  })
}
