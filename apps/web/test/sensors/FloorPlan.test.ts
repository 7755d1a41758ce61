import { describe, expect, it } from "vitest"
import { planExtent } from "../../src/features/sensors/FloorPlan"
import { coordinatesSocketUrl, newerPosition } from "../../src/features/sensors/useLivePositions"

const at = (x: number, y: number, ts = 0) => ({ deviceId: "d", x, y, ts })

describe("the floor plan's geometry and sources", () => {
  it("sizes the plan to the smallest extent that holds every position with a margin", () => {
    expect(planExtent([])).toBe(100)
    expect(planExtent([at(10, 80)])).toBe(100)
    expect(planExtent([at(10, 95)])).toBe(250)
    expect(planExtent([at(3_000, 20)])).toBe(5_000)
    expect(planExtent([at(10_000, 10_000)])).toBe(10_000)
  })

  it("keeps the position measured last, whichever arrived last", () => {
    expect(newerPosition(at(1, 1, 200), at(2, 2, 100))).toEqual(at(1, 1, 200))
    expect(newerPosition(at(1, 1, 100), at(2, 2, 200))).toEqual(at(2, 2, 200))
    expect(newerPosition(undefined, at(2, 2, 1))).toEqual(at(2, 2, 1))
  })

  it("opens the socket on the API's origin, wss under https", () => {
    expect(coordinatesSocketUrl("", "http://localhost:3000/sensors/t1")).toBe("ws://localhost:3000/ws/coordinates")
    expect(coordinatesSocketUrl("https://api.example.com", "https://app.example.com/sensors")).toBe("wss://api.example.com/ws/coordinates")
  })
})
