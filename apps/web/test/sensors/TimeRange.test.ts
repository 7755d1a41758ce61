import { describe, expect, it } from "vitest"
import {
  bucketProblem,
  customRangeErrors,
  DEFAULT_RANGE,
  fromLocalInput,
  rangeFromParams,
  rangeToParams,
  resolveRange,
  toLocalInput
} from "../../src/features/sensors/TimeRange"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe("TimeRange", () => {
  it("resolves presets relative to now (ending a minute ahead) and custom ranges as given", () => {
    const now = Date.parse("2026-11-21T12:00:00.000Z")
    expect(resolveRange({ kind: "preset", preset: "15m" }, now)).toEqual({ from: now - 15 * MINUTE, to: now + MINUTE })
    expect(resolveRange({ kind: "preset", preset: "7d" }, now)).toEqual({ from: now - 7 * 24 * HOUR, to: now + MINUTE })
    expect(resolveRange({ kind: "custom", from: 1, to: 2 }, now)).toEqual({ from: 1, to: 2 })
  })

  it("round-trips through the URL and falls back to the default for anything unreadable", () => {
    const custom = { kind: "custom", from: Date.parse("2026-11-20T08:00:00.000Z"), to: Date.parse("2026-11-20T09:30:00.000Z") } as const
    const params = rangeToParams(custom, new URLSearchParams("device=d1&bucket=1m"))
    expect(params.get("device")).toBe("d1")
    expect(params.get("range")).toBe("custom")
    expect(rangeFromParams(params)).toEqual(custom)
    const preset = rangeToParams({ kind: "preset", preset: "24h" }, params)
    expect(preset.has("from")).toBe(false)
    expect(rangeFromParams(preset)).toEqual({ kind: "preset", preset: "24h" })
    expect(rangeFromParams(new URLSearchParams("range=2y"))).toEqual(DEFAULT_RANGE)
    expect(rangeFromParams(new URLSearchParams("range=custom&from=2026-11-20T09:00:00Z&to=2026-11-20T08:00:00Z"))).toEqual(DEFAULT_RANGE)
  })

  it("refuses 1-minute buckets where the server would (over 10 000 buckets), never raw or 1-hour", () => {
    expect(bucketProblem("1m", { kind: "preset", preset: "24h" })).toBeUndefined()
    expect(bucketProblem("1m", { kind: "preset", preset: "7d" })).toMatch(/1-hour/)
    expect(bucketProblem("1h", { kind: "preset", preset: "7d" })).toBeUndefined()
    expect(bucketProblem("raw", { kind: "preset", preset: "7d" })).toBeUndefined()
  })

  it("checks a custom range as typed", () => {
    expect(customRangeErrors("", "2026-11-20T09:00")).toEqual({ from: "Enter a start date and time" })
    expect(customRangeErrors("2026-11-20T09:00", "2026-11-20T08:00")).toEqual({ to: "The end must be after the start" })
    expect(customRangeErrors("2026-11-20T08:00", "2026-11-20T09:00")).toEqual({})
    const millis = fromLocalInput("2026-11-20T08:15")!
    expect(toLocalInput(millis)).toBe("2026-11-20T08:15")
    expect(fromLocalInput("yesterday")).toBeUndefined()
  })
})
