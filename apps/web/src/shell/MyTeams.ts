/**
 * The teams the logged-in user belongs to, with their role in each: what every feature that works
 * per team (teams, chat, sensors) lists or picks from. Each feature caches its copy under its own
 * key prefix, like the rest of its reads: the feature's own invalidations cover it, and a list
 * one feature holds (fresh for the app's staleTime) never hides a team created since from another.
 */
import { useQuery } from "@tanstack/react-query"
import { useApiClient, useSession } from "../session/SessionContext"

/** A feature that works per team: its route and its query-key prefix. */
export type FeatureKey = "teams" | "chat" | "sensors"

const myTeamsKey = (feature: FeatureKey, userId: string) => [feature, "myTeams", userId] as const

export const useMyTeams = (feature: FeatureKey) => {
  const api = useApiClient()
  const userId = useSession()?.userId ?? ""
  return useQuery({
    queryKey: myTeamsKey(feature, userId),
    queryFn: () => api.call("teams.listMine", { params: { userId } }),
    enabled: userId !== ""
  })
}
