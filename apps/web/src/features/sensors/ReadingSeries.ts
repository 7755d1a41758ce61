/**
 * Readings as a chart draws them: the query's answer (raw readings or 1m/1h buckets) turned into
 * uPlot's aligned columns — x in seconds, ascending, and one column per series — for one metric.
 * Raw readings give one series; buckets give the average with the minimum and maximum around it.
 * Rows without the metric are left out, so lines join the points that exist. Kept apart from the
 * drawing so it is tested without a canvas.
 */
import type { QueryAnswer } from "./SensorTypes"
import type { Bucket } from "./TimeRange"

export type Metric = "temperature" | "humidity" | "co2" | "pm25"

export const METRICS: ReadonlyArray<{ readonly value: Metric; readonly label: string; readonly noun: string; readonly unit: string }> = [
  { value: "temperature", label: "Temperature", noun: "temperature", unit: "°C" },
  { value: "humidity", label: "Humidity", noun: "humidity", unit: "%" },
  { value: "co2", label: "CO₂", noun: "CO₂", unit: "ppm" },
  { value: "pm25", label: "PM2.5", noun: "PM2.5", unit: "µg/m³" }
]

export const metricInfo = (metric: Metric) => METRICS.find((m) => m.value === metric)!

export const isMetric = (value: string | null): value is Metric => METRICS.some((m) => m.value === value)

export interface ChartSeries {
  readonly label: string
  readonly values: ReadonlyArray<number>
}

export interface ChartData {
  readonly metric: Metric
  readonly bucket: Bucket
  /** Seconds since the epoch, ascending. */
  readonly xs: ReadonlyArray<number>
  readonly series: ReadonlyArray<ChartSeries>
}

type Row = QueryAnswer[number]
type RawRow = Extract<Row, { readonly ts: unknown }>
type BucketRow = Extract<Row, { readonly start: unknown }>

const isBucketRow = (row: Row): row is BucketRow => "start" in row

export const chartData = (answer: QueryAnswer, metric: Metric, bucket: Bucket): ChartData => {
  const rows = answer as ReadonlyArray<Row>
  if (bucket === "raw") {
    const points = rows
      .filter((row): row is RawRow => !isBucketRow(row))
      .flatMap((row) => {
        const value = row[metric]
        return typeof value === "number" ? [{ t: Date.parse(row.ts), value }] : []
      })
      .sort((a, b) => a.t - b.t)
    const { label, unit } = metricInfo(metric)
    return {
      metric,
      bucket,
      xs: points.map((p) => p.t / 1000),
      series: [{ label: `${label} (${unit})`, values: points.map((p) => p.value) }]
    }
  }
  const points = rows
    .filter(isBucketRow)
    .flatMap((row) => {
      const stats = row[metric]
      return stats === null || stats === undefined ? [] : [{ t: Date.parse(row.start), ...stats }]
    })
    .sort((a, b) => a.t - b.t)
  const { unit } = metricInfo(metric)
  return {
    metric,
    bucket,
    xs: points.map((p) => p.t / 1000),
    series: [
      { label: `Average (${unit})`, values: points.map((p) => p.avg) },
      { label: `Minimum (${unit})`, values: points.map((p) => p.min) },
      { label: `Maximum (${unit})`, values: points.map((p) => p.max) }
    ]
  }
}

/** Which metrics the answer has any value of (to offer only those, and pick a sensible default). */
export const metricsPresent = (answer: QueryAnswer): ReadonlyArray<Metric> =>
  METRICS.map((m) => m.value).filter((metric) =>
    (answer as ReadonlyArray<Row>).some((row) => {
      const value = (row as Record<string, unknown>)[metric]
      return value !== null && value !== undefined
    })
  )
