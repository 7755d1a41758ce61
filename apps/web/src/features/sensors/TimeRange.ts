/**
 * The time range of the readings chart: a preset relative to now (last 15 minutes, hour, day,
 * week) or a custom from–to, as it lives in the URL (`?range=1h`, `?range=custom&from=…&to=…`),
 * and its resolution to the query's `from` / `to` instants. Also which bucket sizes a range allows
 * without the server refusing it (at most 10 000 buckets or raw points per query).
 */
export type RangePreset = "15m" | "1h" | "24h" | "7d"
export type Bucket = "raw" | "1m" | "1h"

export type TimeRange =
  | { readonly kind: "preset"; readonly preset: RangePreset }
  | { readonly kind: "custom"; readonly from: number; readonly to: number }

const MINUTE = 60_000
const HOUR = 60 * MINUTE

export const PRESETS: ReadonlyArray<{ readonly value: RangePreset; readonly label: string; readonly millis: number }> = [
  { value: "15m", label: "Last 15 minutes", millis: 15 * MINUTE },
  { value: "1h", label: "Last hour", millis: HOUR },
  { value: "24h", label: "Last 24 hours", millis: 24 * HOUR },
  { value: "7d", label: "Last 7 days", millis: 7 * 24 * HOUR }
]

export const BUCKETS: ReadonlyArray<{ readonly value: Bucket; readonly label: string; readonly millis: number }> = [
  { value: "raw", label: "Raw readings", millis: 0 },
  { value: "1m", label: "1-minute averages", millis: MINUTE },
  { value: "1h", label: "1-hour averages", millis: HOUR }
]

/** The server's limit on buckets per query (packages/domain Sensors MAX_BUCKETS). */
export const MAX_BUCKETS = 10_000

export const DEFAULT_RANGE: TimeRange = { kind: "preset", preset: "1h" }

export const isBucket = (value: string | null): value is Bucket => value === "raw" || value === "1m" || value === "1h"

/** The range in the URL's search params; anything unreadable is the default. */
export const rangeFromParams = (params: URLSearchParams): TimeRange => {
  const range = params.get("range")
  const preset = PRESETS.find((p) => p.value === range)
  if (preset !== undefined) return { kind: "preset", preset: preset.value }
  if (range === "custom") {
    const from = Date.parse(params.get("from") ?? "")
    const to = Date.parse(params.get("to") ?? "")
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { kind: "custom", from, to }
  }
  return DEFAULT_RANGE
}

/** Writes the range into search params (keeping the others). */
export const rangeToParams = (range: TimeRange, params: URLSearchParams): URLSearchParams => {
  const next = new URLSearchParams(params)
  if (range.kind === "preset") {
    next.set("range", range.preset)
    next.delete("from")
    next.delete("to")
  } else {
    next.set("range", "custom")
    next.set("from", new Date(range.from).toISOString())
    next.set("to", new Date(range.to).toISOString())
  }
  return next
}

/** The query's [from, to) for a range at `now`. */
export const resolveRange = (range: TimeRange, now: number): { readonly from: number; readonly to: number } => {
  if (range.kind === "custom") return { from: range.from, to: range.to }
  const span = PRESETS.find((p) => p.value === range.preset)!.millis
  // A little past now, so a reading that just arrived (device clocks run a bit ahead) is included.
  return { from: now - span, to: now + MINUTE }
}

/** How long a range is, in millis (as queried). */
export const rangeSpan = (range: TimeRange): number => {
  const { from, to } = resolveRange(range, 0)
  return to - from
}

/** Why a bucket size cannot be used for a range (too many buckets), or undefined. */
export const bucketProblem = (bucket: Bucket, range: TimeRange): string | undefined => {
  if (bucket === "raw") return undefined
  const width = BUCKETS.find((b) => b.value === bucket)!.millis
  return rangeSpan(range) / width > MAX_BUCKETS ? "Too many 1-minute buckets for this range: choose 1-hour averages or a shorter range." : undefined
}

/** A datetime-local input's value (local time, minutes) for an instant, and back. */
export const toLocalInput = (millis: number): string => {
  const d = new Date(millis)
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export const fromLocalInput = (value: string): number | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined
  const millis = new Date(value).getTime()
  return Number.isFinite(millis) ? millis : undefined
}

/** Checks a custom range as typed: both ends, in order. */
export const customRangeErrors = (fromText: string, toText: string): { readonly from?: string; readonly to?: string } => {
  const from = fromLocalInput(fromText)
  const to = fromLocalInput(toText)
  return {
    ...(from === undefined ? { from: "Enter a start date and time" } : {}),
    ...(to === undefined ? { to: "Enter an end date and time" } : from !== undefined && to <= from ? { to: "The end must be after the start" } : {})
  }
}
