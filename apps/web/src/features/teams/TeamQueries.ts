/**
 * The Teams feature's reads and their react-query keys. Every key starts with "teams", so one
 * `invalidateQueries({ queryKey: ["teams"] })` after a write refreshes the list, the team page and
 * the invitations together (a role change or an accept changes more than one of them), and the
 * caller's list of teams (shell/MyTeams, under ["teams", "myTeams"]).
 */
import type { ResponseOf, RouteNamed } from "@app/api"
import { useQuery } from "@tanstack/react-query"
import { useApiClient } from "../../session/SessionContext"

export type TeamDetails = ResponseOf<RouteNamed<"teams.get">>
export type TeamMember = TeamDetails["members"][number]
export type PendingInvitation = ResponseOf<RouteNamed<"teams.myInvitations">>[number]

export const teamKeys = {
  all: ["teams"] as const,
  detail: (teamId: string) => ["teams", "detail", teamId] as const,
  invitations: ["teams", "invitations"] as const
}

/** One team with its members (owner first, then admins, then members). */
export const useTeamDetails = (teamId: string) => {
  const api = useApiClient()
  return useQuery({
    queryKey: teamKeys.detail(teamId),
    queryFn: () => api.call("teams.get", { params: { teamId } })
  })
}

/** Pending, unexpired invitations addressed to the caller's email. */
export const usePendingInvitations = () => {
  const api = useApiClient()
  return useQuery({ queryKey: teamKeys.invitations, queryFn: () => api.call("teams.myInvitations") })
}
