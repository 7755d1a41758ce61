/**
 * The team's floor plan: an SVG of the map (floor-map units, 0–10 000 on each axis, origin top
 * left) with each device at its newest position — the latest stored reading at first, then each
 * live `coordinates` frame — and the live connection's state. The same positions are listed as
 * text below the drawing, for screen readers and keyboard users.
 */
import { useId } from "react"
import type { LivePosition, LiveState } from "./CoordinatesConnection"
import type { Device } from "./SensorTypes"

/** Sizes the drawing may take: the smallest that holds every position with a margin. */
const EXTENTS = [100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const

export const planExtent = (positions: Iterable<LivePosition>): number => {
  let largest = 0
  for (const p of positions) largest = Math.max(largest, p.x, p.y)
  return EXTENTS.find((e) => e >= largest * 1.1) ?? 10_000
}

export const liveStateText = (state: LiveState): string => {
  switch (state.status) {
    case "connecting":
      return "Connecting…"
    case "live":
      return "Live"
    case "reconnecting":
      return `Reconnecting… (attempt ${state.attempt}, in ${Math.ceil(state.retryInMs / 1000)} s)`
    case "stopped":
      return `Not live: ${state.reason}`
  }
}

export interface FloorPlanProps {
  readonly devices: ReadonlyArray<Device>
  readonly positions: ReadonlyMap<string, LivePosition>
  readonly state: LiveState
}

export const FloorPlan = ({ devices, positions, state }: FloorPlanProps) => {
  const ids = { heading: useId(), title: useId(), desc: useId() }
  const placed = devices.flatMap((d) => {
    const p = positions.get(d.deviceId)
    return p === undefined ? [] : [{ device: d, position: p }]
  })
  const extent = planExtent(placed.map((p) => p.position))
  const unit = extent / 100
  const grid = Array.from({ length: 9 }, (_, i) => ((i + 1) * extent) / 10)
  return (
    <section aria-labelledby={ids.heading} className="panel floor-plan">
      <div className="panel-head">
        <h2 id={ids.heading}>Floor plan</h2>
        <span role="status" className={`badge live-badge live-${state.status}`} data-live-state={state.status}>{liveStateText(state)}</span>
      </div>
      <svg viewBox={`0 0 ${extent} ${extent}`} role="img" aria-labelledby={`${ids.title} ${ids.desc}`} className="plan">
        <title id={ids.title}>Floor plan with live device positions</title>
        <desc id={ids.desc}>
          {placed.length === 0 ? "No device has reported a position yet." : `${placed.length} of ${devices.length} devices placed; the map spans 0 to ${extent} units.`}
        </desc>
        <rect x={0} y={0} width={extent} height={extent} className="plan-floor" />
        {grid.map((g) => (
          <g key={g} className="plan-grid">
            <line x1={g} y1={0} x2={g} y2={extent} />
            <line x1={0} y1={g} x2={extent} y2={g} />
          </g>
        ))}
        {placed.map(({ device, position }) => (
          <g key={device.deviceId} className="plan-device" data-device-id={device.deviceId}
            transform={`translate(${position.x} ${position.y})`}>
            <circle r={unit * 1.6} cx={0} cy={0} />
            <text x={unit * 2.2} y={unit * 1.2} fontSize={unit * 3.5}>{device.name}</text>
          </g>
        ))}
      </svg>
      <ul className="plan-list" aria-label="Device positions">
        {devices.map((d) => {
          const p = positions.get(d.deviceId)
          return (
            <li key={d.deviceId}>
              <strong>{d.name}</strong>:{" "}
              {p === undefined ? "no position yet" : `x ${round(p.x)}, y ${round(p.y)} at ${new Date(p.ts).toLocaleTimeString()}`}
            </li>
          )
        })}
      </ul>
    </section>
  )
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))
