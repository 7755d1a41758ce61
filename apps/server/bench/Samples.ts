/**
 * The arithmetic the benchmarks report with: quantiles of latency samples, settings read from the
 * environment, and the machine's load, which every number here needs beside it (the machine is
 * small and shared, so a run under load says so).
 */
import { availableParallelism, loadavg } from "node:os"

/** A non-negative integer from the environment, or `fallback`. */
export const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`)
  return value
}

/** The q-quantile (0..1) of `values`, interpolated; NaN when empty. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low)
}

export const median = (values: ReadonlyArray<number>): number => quantile(values, 0.5)

export interface LatencySummary {
  readonly samples: number
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly meanMs: number
}

/** p50/p90/p99/max/mean of `millis`, rounded to 0.01 ms. */
export const summarize = (millis: ReadonlyArray<number>): LatencySummary => {
  const round = (value: number) => Math.round(value * 100) / 100
  return {
    samples: millis.length,
    p50Ms: round(quantile(millis, 0.5)),
    p90Ms: round(quantile(millis, 0.9)),
    p99Ms: round(quantile(millis, 0.99)),
    maxMs: round(millis.length === 0 ? Number.NaN : Math.max(...millis)),
    meanMs: round(millis.length === 0 ? Number.NaN : millis.reduce((a, b) => a + b, 0) / millis.length)
  }
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
export const loadAverages = (): readonly [number, number, number] => {
  const [one, five, fifteen] = loadavg()
  return [one!, five!, fifteen!]
}

export const describeLoad = (): string =>
  `load average ${loadAverages().map((n) => n.toFixed(2)).join(", ")} on ${availableParallelism()} CPUs`

/** 12345.6 → "12,346". */
export const count = (value: number): string => Math.round(value).toLocaleString("en-US")
