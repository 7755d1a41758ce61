import { Effect } from "effect"
import { expect, it } from "vitest"
import * as EffectLogLines from "../src/EffectLogLines.js"

const collect = async (level: Parameters<typeof EffectLogLines.layer>[0], program: Effect.Effect<void>) => {
  const lines: Array<string> = []
  await Effect.runPromise(program.pipe(Effect.provide(EffectLogLines.layer(level, { write: (line) => lines.push(line) }))))
  return lines
}

it("writes Effect logs as pino-shaped JSON lines with the annotations beside the message", async () => {
  const lines = await collect(
    "info",
    Effect.logError("signup failed", { status: 503 }).pipe(Effect.annotateLogs({ reqId: "req-1" }))
  )
  expect(lines).toHaveLength(1)
  expect(lines[0]!.endsWith("\n")).toBe(true)
  expect(JSON.parse(lines[0]!)).toMatchObject({
    level: 50,
    pid: process.pid,
    reqId: "req-1",
    msg: "signup failed",
    details: { status: 503 }
  })
})

it("drops what is below LOG_LEVEL, and everything when silent", async () => {
  const program = Effect.logDebug("debug").pipe(Effect.andThen(Effect.logWarning("warn")), Effect.andThen(Effect.logInfo("info")))
  const atWarn = await collect("warn", program)
  expect(atWarn.map((l) => (JSON.parse(l) as { msg: string; level: number }))).toEqual([
    expect.objectContaining({ msg: "warn", level: 40 })
  ])
  expect(await collect("silent", Effect.logError("error"))).toEqual([])
})
