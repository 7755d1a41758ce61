/**
 * The team's live device positions for React: one CoordinatesConnection while mounted (closed on
 * unmount), its connection state, and the newest position per device. Coming back online skips the
 * backoff wait. Key the component by team, so another team starts with fresh state.
 */
import { useEffect, useState } from "react"
import { apiBaseUrl } from "../../ApiBaseUrl"
import { useSessionManager } from "../../session/SessionContext"
import { connectCoordinates, type LivePosition, type LiveState } from "./CoordinatesConnection"

/** ws(s)://…/ws/coordinates on the API's origin (the page's own when apiBaseUrl is ""). */
export const coordinatesSocketUrl = (base: string = apiBaseUrl, page: string = window.location.href): string => {
  const url = new URL("/ws/coordinates", base === "" ? page : base)
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  return url.href
}

/** Keeps the newer of two positions of a device (by measured time). */
export const newerPosition = (a: LivePosition | undefined, b: LivePosition): LivePosition =>
  a !== undefined && a.ts > b.ts ? a : b

export interface LivePositions {
  readonly state: LiveState
  readonly positions: ReadonlyMap<string, LivePosition>
}

export const useLivePositions = (teamId: string): LivePositions => {
  const manager = useSessionManager()
  const [state, setState] = useState<LiveState>({ status: "connecting" })
  const [positions, setPositions] = useState<ReadonlyMap<string, LivePosition>>(() => new Map())

  useEffect(() => {
    const connection = connectCoordinates({
      url: coordinatesSocketUrl(),
      teamId,
      accessToken: () => manager.freshAccessToken(),
      onState: setState,
      onPosition: (position) =>
        setPositions((previous) => {
          const next = new Map(previous)
          next.set(position.deviceId, newerPosition(previous.get(position.deviceId), position))
          return next
        })
    })
    const online = () => connection.reconnectNow()
    window.addEventListener("online", online)
    return () => {
      window.removeEventListener("online", online)
      connection.close()
    }
  }, [teamId, manager])

  return { state, positions }
}
