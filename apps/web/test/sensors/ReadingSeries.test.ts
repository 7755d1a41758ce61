import { describe, expect, it } from "vitest"
import { chartData, metricsPresent } from "../../src/features/sensors/ReadingSeries"
import type { QueryAnswer } from "../../src/features/sensors/SensorTypes"

const raw = [
  { deviceId: "d", ts: "2026-11-21T10:02:00.000Z", temperature: 22, humidity: 40 },
  { deviceId: "d", ts: "2026-11-21T10:00:00.000Z", temperature: 20 },
  { deviceId: "d", ts: "2026-11-21T10:01:00.000Z", x: 5, y: 6 }
] as unknown as QueryAnswer

const buckets = [
  { start: "2026-11-21T11:00:00.000Z", count: 2, temperature: { min: 19, max: 23, avg: 21 }, humidity: null, co2: null, pm25: null },
  { start: "2026-11-21T10:00:00.000Z", count: 1, temperature: null, humidity: { min: 40, max: 40, avg: 40 }, co2: null, pm25: null },
  { start: "2026-11-21T09:00:00.000Z", count: 3, temperature: { min: 18, max: 20, avg: 19 }, humidity: null, co2: null, pm25: null }
] as unknown as QueryAnswer

const seconds = (iso: string) => Date.parse(iso) / 1000

describe("chartData", () => {
  it("turns raw readings into one ascending series of the metric, leaving out readings without it", () => {
    expect(chartData(raw, "temperature", "raw")).toEqual({
      metric: "temperature",
      bucket: "raw",
      xs: [seconds("2026-11-21T10:00:00.000Z"), seconds("2026-11-21T10:02:00.000Z")],
      series: [{ label: "Temperature (°C)", values: [20, 22] }]
    })
    expect(chartData(raw, "co2", "raw").xs).toEqual([])
  })

  it("turns buckets into average, minimum and maximum series, ascending, skipping buckets without the metric", () => {
    expect(chartData(buckets, "temperature", "1h")).toEqual({
      metric: "temperature",
      bucket: "1h",
      xs: [seconds("2026-11-21T09:00:00.000Z"), seconds("2026-11-21T11:00:00.000Z")],
      series: [
        { label: "Average (°C)", values: [19, 21] },
        { label: "Minimum (°C)", values: [18, 19] },
        { label: "Maximum (°C)", values: [20, 23] }
      ]
    })
  })

  it("ignores rows of the other kind (a stale raw answer charted as buckets gives nothing)", () => {
    expect(chartData(raw, "temperature", "1m").xs).toEqual([])
    expect(chartData(buckets, "temperature", "raw").xs).toEqual([])
  })
})

describe("metricsPresent", () => {
  it("names the measurements the answer has values of", () => {
    expect(metricsPresent(raw)).toEqual(["temperature", "humidity"])
    expect(metricsPresent(buckets)).toEqual(["temperature", "humidity"])
    expect(metricsPresent([] as unknown as QueryAnswer)).toEqual([])
  })
})
