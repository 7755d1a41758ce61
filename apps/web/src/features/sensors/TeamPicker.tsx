/** /sensors: the teams the caller belongs to, to pick whose sensors to show. */
import { useQuery } from "@tanstack/react-query"
import { Link } from "react-router"
import { useApiClient, useSession } from "../../session/SessionContext"
import { Empty } from "../../ui/Empty"
import { QueryView } from "../../ui/QueryView"
import { usePageTitle } from "../../ui/usePageTitle"
import { sensorKeys } from "./SensorTypes"

export const useMyTeams = () => {
  const api = useApiClient()
  const userId = useSession()?.userId ?? ""
  return useQuery({
    queryKey: sensorKeys.teams(userId),
    enabled: userId !== "",
    queryFn: () => api.call("teams.listMine", { params: { userId } })
  })
}

export const TeamPicker = () => {
  usePageTitle("Sensors")
  const teams = useMyTeams()
  return (
    <section aria-labelledby="sensors-title">
      <h1 id="sensors-title">Sensors</h1>
      <p>Choose a team to see its devices, their live positions and their readings.</p>
      <QueryView
        query={teams}
        loadingLabel="Loading your teams…"
        errorTitle="Could not load your teams"
        isEmpty={(list) => list.length === 0}
        empty={<Empty title="You are not in a team yet"><Link to="/teams">Create or join a team</Link> to add sensors.</Empty>}
      >
        {(list) => (
          <ul className="sensor-list" aria-label="Teams">
            {list.map((t) => (
              <li key={t.teamId} className="sensor-item">
                <Link to={`/sensors/${t.teamId}`}>{t.teamName}</Link> <span className="sensor-meta">({t.role})</span>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  )
}
