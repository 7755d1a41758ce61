/**
 * /sensors/{teamId}: one team's sensor dashboard — its devices (and registering one), the floor
 * plan with live positions, and the readings chart of a chosen device.
 */
import { useQuery } from "@tanstack/react-query"
import { Link, useParams } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { useMyTeams } from "../../shell/MyTeams"
import { ErrorState } from "../../ui/ErrorState"
import { Loading } from "../../ui/Loading"
import { usePageTitle } from "../../ui/usePageTitle"
import type { LivePosition } from "./CoordinatesConnection"
import { DevicesSection } from "./DevicesSection"
import { FloorPlan } from "./FloorPlan"
import { ReadingsPanel } from "./ReadingsPanel"
import { sensorKeys, type LatestReading } from "./SensorTypes"
import { newerPosition, useLivePositions } from "./useLivePositions"
import { useRefreshOnLive } from "./useRefreshOnLive"

const LATEST_REFRESH_MS = 30_000

/** Each device's newest position: the stored latest readings, overtaken by newer live ones. */
const mergePositions = (latest: ReadonlyArray<LatestReading>, live: ReadonlyMap<string, LivePosition>) => {
  const merged = new Map<string, LivePosition>()
  for (const r of latest) {
    if (r.x !== undefined && r.y !== undefined) merged.set(r.deviceId, { deviceId: r.deviceId, x: r.x, y: r.y, ts: Date.parse(r.ts) })
  }
  for (const [deviceId, p] of live) merged.set(deviceId, newerPosition(merged.get(deviceId), p))
  return merged
}

export const TeamSensorsPage = () => {
  const { teamId = "" } = useParams()
  // Keyed by team: another team's page starts with a fresh connection and fresh state.
  return <TeamDashboard key={teamId} teamId={teamId} />
}

const TeamDashboard = ({ teamId }: { readonly teamId: string }) => {
  const api = useApiClient()
  const teams = useMyTeams("sensors")
  const team = teams.data?.find((t) => t.teamId === teamId)
  usePageTitle(team === undefined ? "Sensors" : `${team.teamName} · Sensors`)
  const devices = useQuery({
    queryKey: sensorKeys.devices(teamId),
    queryFn: () => api.call("sensors.listDevices", { query: { teamId } })
  })
  const latest = useQuery({
    queryKey: sensorKeys.latest(teamId),
    queryFn: () => api.call("sensors.latest", { query: { teamId } }),
    refetchInterval: LATEST_REFRESH_MS
  })
  const live = useLivePositions(teamId)
  useRefreshOnLive(live.positions, [sensorKeys.latest(teamId), sensorKeys.allReadings])
  const latestByDevice = new Map((latest.data ?? []).map((r) => [r.deviceId, r] as const))
  const canRegister = team?.role === "owner" || team?.role === "admin"

  return (
    <section aria-labelledby="sensors-title" className="sensors-page">
      <p className="breadcrumb"><Link to="/sensors">All teams</Link></p>
      <h1 id="sensors-title">Sensors{team === undefined ? "" : ` · ${team.teamName}`}</h1>
      {devices.isPending ? <Loading label="Loading devices…" /> : null}
      {devices.isError ? (
        <ErrorState error={devices.error} title="Could not load this team's devices" onRetry={() => void devices.refetch()} />
      ) : null}
      {devices.isSuccess ? (
        <>
          <DevicesSection teamId={teamId} devices={devices.data} latest={latestByDevice} canRegister={canRegister} />
          {devices.data.length === 0 ? null : (
            <>
              <FloorPlan devices={devices.data} positions={mergePositions(latest.data ?? [], live.positions)} state={live.state} />
              <ReadingsPanel devices={devices.data} />
            </>
          )}
        </>
      ) : null}
    </section>
  )
}
