/**
 * A team's devices: each with its latest reading, the form to register one (owners and admins —
 * the server decides too), and the new device's ingest key, shown once.
 */
import { useState } from "react"
import { Empty } from "../../ui/Empty"
import { IngestKeyNotice } from "./IngestKeyNotice"
import { metricInfo, METRICS } from "./ReadingSeries"
import { formatValue } from "./ReadingsTable"
import { RegisterDeviceForm } from "./RegisterDeviceForm"
import type { CreatedDevice, Device, LatestReading } from "./SensorTypes"

export interface DevicesSectionProps {
  readonly teamId: string
  readonly devices: ReadonlyArray<Device>
  readonly latest: ReadonlyMap<string, LatestReading>
  readonly canRegister: boolean
}

const latestText = (reading: LatestReading | undefined): string => {
  if (reading === undefined) return "No readings yet"
  const values = METRICS.flatMap((m) => {
    const v = reading[m.value]
    return typeof v === "number" ? [`${metricInfo(m.value).label} ${formatValue(v)} ${m.unit}`] : []
  })
  return `${values.length === 0 ? "Position only" : values.join(" · ")} — ${new Date(reading.ts).toLocaleString()}`
}

export const DevicesSection = ({ teamId, devices, latest, canRegister }: DevicesSectionProps) => {
  const [created, setCreated] = useState<CreatedDevice | undefined>(undefined)
  return (
    <section aria-labelledby="devices-title" className="panel">
      <h2 id="devices-title">Devices</h2>
      {created === undefined ? null : <IngestKeyNotice device={created} onDismiss={() => setCreated(undefined)} />}
      {devices.length === 0 ? (
        <Empty title="No devices yet">{canRegister ? "Register the first one below." : "An owner or admin of the team registers devices."}</Empty>
      ) : (
        <ul className="item-list" aria-label="Devices">
          {devices.map((d) => (
            <li key={d.deviceId} className="item">
              <div className="item-head">
                <h3 className="item-title">{d.name}</h3>
                <code className="item-meta">{d.deviceId}</code>
              </div>
              <p className="item-meta">{latestText(latest.get(d.deviceId))}</p>
            </li>
          ))}
        </ul>
      )}
      {canRegister ? <RegisterDeviceForm teamId={teamId} onRegistered={setCreated} /> : null}
    </section>
  )
}
