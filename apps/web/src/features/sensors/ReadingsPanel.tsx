/**
 * Readings of one device over time: which device and measurement, the resolution (raw, 1-minute
 * or 1-hour buckets — the query's `bucket`), and the time range (a preset relative to now, or a
 * custom from–to — the query's `from` / `to`). Every choice lives in the URL. A preset range is
 * refreshed every 15 s so new readings appear; the previous chart stays up while a new one loads.
 */
import type { ApiClient } from "@app/api"
import { keepPreviousData, useQuery } from "@tanstack/react-query"
import { useId, useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Empty } from "../../ui/Empty"
import { ErrorState } from "../../ui/ErrorState"
import { Field } from "../../ui/Field"
import { Loading } from "../../ui/Loading"
import { chartData, isMetric, METRICS, metricInfo, metricsPresent, type Metric } from "./ReadingSeries"
import { formatValue, ReadingsTable } from "./ReadingsTable"
import { sensorKeys, type Device } from "./SensorTypes"
import {
  BUCKETS,
  bucketProblem,
  customRangeErrors,
  fromLocalInput,
  isBucket,
  PRESETS,
  rangeFromParams,
  rangeToParams,
  resolveRange,
  toLocalInput,
  type Bucket,
  type TimeRange
} from "./TimeRange"
import { UPlotChart } from "./UPlotChart"
import { useInstantSearchParams } from "./useInstantSearchParams"

export const REFRESH_MS = 15_000

const rangeKey = (range: TimeRange) => (range.kind === "preset" ? range.preset : `${range.from}-${range.to}`)

const rangeLabel = (range: TimeRange) =>
  range.kind === "preset"
    ? PRESETS.find((p) => p.value === range.preset)!.label.toLowerCase()
    : `${new Date(range.from).toLocaleString()} – ${new Date(range.to).toLocaleString()}`

/** One query of the readings endpoint; a preset range ends now, as of the fetch. */
const fetchReadings = async (api: ApiClient, deviceId: string, bucket: Bucket, range: TimeRange) => {
  const { from, to } = resolveRange(range, Date.now())
  const rows = await api.call("sensors.query", {
    query: { deviceId, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket }
  })
  return { bucket, rows }
}

export const ReadingsPanel = ({ devices }: { readonly devices: ReadonlyArray<Device> }) => {
  const api = useApiClient()
  const [params, setParams] = useInstantSearchParams()
  const selected = devices.find((d) => d.deviceId === params.get("device")) ?? devices[0]
  const bucketParam = params.get("bucket")
  const bucket: Bucket = isBucket(bucketParam) ? bucketParam : "raw"
  const range = rangeFromParams(params)
  const metricParam = params.get("metric")
  const ids = { device: useId(), metric: useId(), range: useId(), heading: useId() }

  const update = (change: (next: URLSearchParams) => void) => {
    const next = new URLSearchParams(params)
    change(next)
    setParams(next)
  }
  const setRange = (next: TimeRange) => setParams(rangeToParams(next, params))

  const readings = useQuery({
    queryKey: sensorKeys.readings(selected?.deviceId ?? "", bucket, rangeKey(range)),
    enabled: selected !== undefined,
    queryFn: () => fetchReadings(api, selected!.deviceId, bucket, range),
    placeholderData: keepPreviousData,
    refetchInterval: range.kind === "preset" ? REFRESH_MS : false
  })

  if (selected === undefined) return null

  const present = readings.data === undefined ? [] : metricsPresent(readings.data.rows)
  const metric: Metric = isMetric(metricParam) ? metricParam : present[0] ?? "temperature"
  const data = readings.data === undefined ? undefined : chartData(readings.data.rows, metric, readings.data.bucket)
  const { label: metricLabel, noun, unit } = metricInfo(metric)
  const tooMany = bucketProblem(bucket, range)
  const describe = `${metricLabel} of ${selected.name}, ${BUCKETS.find((b) => b.value === bucket)!.label.toLowerCase()}, ${rangeLabel(range)}`

  return (
    <section aria-labelledby={ids.heading} className="panel">
      <h2 id={ids.heading}>Readings</h2>
      <div className="chart-controls">
        <div className="field">
          <label htmlFor={ids.device}>Device</label>
          <select id={ids.device} value={selected.deviceId} onChange={(e) => update((n) => n.set("device", e.target.value))}>
            {devices.map((d) => <option key={d.deviceId} value={d.deviceId}>{d.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.metric}>Measurement</label>
          <select id={ids.metric} value={metric} onChange={(e) => update((n) => n.set("metric", e.target.value))}>
            {METRICS.map((m) => <option key={m.value} value={m.value}>{m.label} ({m.unit})</option>)}
          </select>
        </div>
        <fieldset className="segmented">
          <legend>Resolution</legend>
          {BUCKETS.map((b) => (
            <label key={b.value}>
              <input type="radio" name="bucket" value={b.value} checked={bucket === b.value}
                onChange={() => update((n) => n.set("bucket", b.value))} />
              {b.label}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={ids.range}>Time range</label>
          <select id={ids.range} value={range.kind === "preset" ? range.preset : "custom"}
            onChange={(e) => {
              const preset = PRESETS.find((p) => p.value === e.target.value)
              if (preset !== undefined) {
                setRange({ kind: "preset", preset: preset.value })
              } else {
                // Custom starts from the range shown, so the person adjusts rather than types it all.
                const now = Date.now()
                const { from, to } = resolveRange(range, now)
                setRange({ kind: "custom", from, to: Math.min(to, now) })
              }
            }}>
            {PRESETS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
            <option value="custom">Custom…</option>
          </select>
        </div>
        <Button variant="secondary" onClick={() => void readings.refetch()} busy={readings.isFetching} busyLabel="Refreshing…">Refresh</Button>
      </div>
      {range.kind === "custom" ? (
        <CustomRangeForm key={rangeKey(range)} range={range} onApply={setRange} />
      ) : null}
      {tooMany === undefined ? null : <p role="alert" className="field-error">{tooMany}</p>}
      {readings.isPending ? <Loading label="Loading readings…" /> : null}
      {readings.isError ? <ErrorState error={readings.error} title="Could not load the readings" onRetry={() => void readings.refetch()} /> : null}
      {data === undefined ? null : data.xs.length === 0 ? (
        <Empty title={`No ${noun} readings in this range`}>
          {present.length > 0
            ? `This range has ${present.map((m) => metricInfo(m).label).join(", ")} readings: choose another measurement.`
            : "Readings appear here once the device sends them (POST /api/sensor-data with its key)."}
        </Empty>
      ) : (
        <figure className="chart-figure">
          <UPlotChart data={data} label={describe} />
          <figcaption>
            {describe}: {data.xs.length} {data.bucket === "raw" ? "readings" : "buckets"} · latest{" "}
            {data.bucket === "raw" ? "" : "average "}
            <output>{formatValue(data.series[0]!.values[data.series[0]!.values.length - 1]!)}</output> {unit}
          </figcaption>
          <ReadingsTable data={data} caption={describe} />
        </figure>
      )}
    </section>
  )
}

const CustomRangeForm = ({ range, onApply }: { readonly range: Extract<TimeRange, { kind: "custom" }>; readonly onApply: (range: TimeRange) => void }) => {
  const [fromText, setFromText] = useState(toLocalInput(range.from))
  const [toText, setToText] = useState(toLocalInput(range.to))
  const [errors, setErrors] = useState<{ readonly from?: string; readonly to?: string }>({})
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    const found = customRangeErrors(fromText, toText)
    setErrors(found)
    if (found.from !== undefined || found.to !== undefined) return
    onApply({ kind: "custom", from: fromLocalInput(fromText)!, to: fromLocalInput(toText)! })
  }
  return (
    <form onSubmit={onSubmit} noValidate className="custom-range" aria-label="Custom time range">
      <Field label="From" name="from" type="datetime-local" value={fromText} onChange={(e) => setFromText(e.target.value)} error={errors.from} />
      <Field label="To" name="to" type="datetime-local" value={toText} onChange={(e) => setToText(e.target.value)} error={errors.to} />
      <Button type="submit" variant="secondary">Apply range</Button>
    </form>
  )
}
