/**
 * happy-dom has no canvas: `getContext("2d")` answers null and there is no Path2D, so uPlot would
 * crash on its first draw. This installs a 2D context that accepts every call and draws nothing,
 * and a Path2D that records nothing — enough for uPlot to build its DOM (legend, axes' sizes)
 * around the canvas. What the chart draws is checked in real Chromium (e2e/Sensors.e2e.test.ts).
 * Installed for the whole test file (vitest isolates files): uPlot draws in a microtask, which may
 * run after a test's cleanup, so taking the stub away between tests would crash that late draw.
 */
export const installCanvasStub = (): void => {
  const contexts = new WeakMap<HTMLCanvasElement, object>()
  const noop = () => undefined
  const makeContext = (canvas: HTMLCanvasElement) => {
    const state: Record<string | symbol, unknown> = {}
    return new Proxy({}, {
      get: (_, key) => {
        if (key === "canvas") return canvas
        if (key === "measureText") return (text: string) => ({ width: text.length * 6, actualBoundingBoxAscent: 8, actualBoundingBoxDescent: 2 })
        if (key in state) return state[key]
        return noop
      },
      set: (_, key, value) => {
        state[key] = value
        return true
      }
    })
  }
  HTMLCanvasElement.prototype.getContext = function(this: HTMLCanvasElement, kind: string) {
    if (kind !== "2d") return null
    let context = contexts.get(this)
    if (context === undefined) {
      context = makeContext(this)
      contexts.set(this, context)
    }
    return context
  } as typeof HTMLCanvasElement.prototype.getContext
  if (!("Path2D" in globalThis)) {
    ;(globalThis as Record<string, unknown>)["Path2D"] = class {
      moveTo() {}
      lineTo() {}
      rect() {}
      arc() {}
      closePath() {}
      bezierCurveTo() {}
      quadraticCurveTo() {}
      addPath() {}
    }
  }
}
