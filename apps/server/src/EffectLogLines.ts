/**
 * Logs written inside Effect programs (the contract, the use cases, the adapters) as the same
 * JSON lines Fastify's pino logger writes — numeric `level`, `time`, `pid`, `hostname`, `msg` —
 * with the log annotations (e.g. `reqId`) as fields, so one log pipeline reads both. The
 * contract already keeps payloads out of its log calls; nothing here adds request data.
 */
import { hostname } from "node:os"
import { effectLogLevels, type LogLevelName } from "@app/api"
import { Layer, Logger, References } from "effect"

/** Where lines go (process.stdout by default; tests pass a collector). */
export interface LogLineSink {
  readonly write: (line: string) => unknown
}

const pinoLevels: Record<string, number> = { Trace: 10, Debug: 20, Info: 30, Warn: 40, Error: 50, Fatal: 60 }

const host = hostname()

/** Effect's default logger replaced by JSON lines to `sink`, at `level` and above. */
export const layer = (level: LogLevelName, sink: LogLineSink = process.stdout): Layer.Layer<never> => {
  const lines = Logger.map(Logger.formatStructured, (entry) => {
    const { message, level: name, annotations, spans, cause } = entry
    // Effect.log("text", { fields }) → msg "text", and the fields beside it.
    const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
    const texts = parts.filter((part) => typeof part === "string")
    const others = parts.filter((part) => typeof part !== "string")
    const line: Record<string, unknown> = {
      level: pinoLevels[name.charAt(0) + name.slice(1).toLowerCase()] ?? 30,
      time: Date.parse(entry.timestamp),
      pid: process.pid,
      hostname: host,
      ...annotations,
      msg: texts.join(" ")
    }
    if (others.length > 0) line["details"] = others.length === 1 ? others[0] : others
    if (Object.keys(spans).length > 0) line["spans"] = spans
    if (cause !== undefined) line["cause"] = cause
    return JSON.stringify(line)
  })
  const writer = Logger.make((options) => {
    sink.write(lines.log(options) + "\n")
  })
  return Layer.mergeAll(
    Logger.layer([writer]),
    Layer.succeed(References.MinimumLogLevel, effectLogLevels[level])
  )
}
