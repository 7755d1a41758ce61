/**
 * A function's logs as JSON lines on stdout, one object per line, which CloudWatch Logs stores as
 * they are and Logs Insights queries by field: `timestamp`, `level`, `function`, `message`, then
 * the fields of the line — for every line of an invocation its `awsRequestId` and
 * `correlationId`. The shell's own lines (one per request, with method, path, status and
 * duration) and Effect's (`Effect.logError` in the contract, the use cases, the adapters, with
 * the invocation's ids as log annotations) come out the same way. Callers never hand a body, a
 * token, an Authorization header or a cookie to a log line.
 */
import { effectLogLevels, type LogLevelName } from "@app/api"
import { Layer, Logger, References } from "effect"

/** Where lines go (process.stdout by default; tests pass a collector). */
export interface LogSink {
  readonly write: (line: string) => unknown
}

export type Severity = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL"

export interface LogLines {
  /** Writes one line when `severity` is at or above the function's level. */
  readonly write: (severity: Severity, message: string, fields?: Readonly<Record<string, unknown>>) => void
  /** Effect's default logger replaced by these lines, at the same level. */
  readonly layer: Layer.Layer<never>
}

const rank: Record<Severity, number> = { TRACE: 10, DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50, FATAL: 60 }

const threshold: Record<LogLevelName, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY
}

const severityOf = (effectLevel: string): Severity => {
  const upper = effectLevel.toUpperCase()
  return upper === "WARNING" ? "WARN" : upper in rank ? (upper as Severity) : "INFO"
}

export const make = (options: {
  readonly functionName: string
  readonly level: LogLevelName
  readonly sink?: LogSink | undefined
}): LogLines => {
  const sink = options.sink ?? process.stdout
  const minimum = threshold[options.level]
  const line = (timestamp: string, severity: Severity, message: string, fields: Readonly<Record<string, unknown>>) =>
    JSON.stringify({ timestamp, level: severity, function: options.functionName, message, ...fields }) + "\n"

  const write: LogLines["write"] = (severity, message, fields = {}) => {
    if (rank[severity] < minimum) return
    sink.write(line(new Date().toISOString(), severity, message, fields))
  }

  const effectLines = Logger.map(Logger.formatStructured, (entry) => {
    const { message, annotations, spans, cause } = entry
    // Effect.log("text", { fields }) → message "text", and the fields beside it.
    const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
    const fields: Record<string, unknown> = { ...annotations }
    const others = parts.filter((part) => typeof part !== "string")
    if (others.length > 0) fields["details"] = others.length === 1 ? others[0] : others
    if (Object.keys(spans).length > 0) fields["spans"] = spans
    if (cause !== undefined) fields["cause"] = cause
    const text = parts.filter((part) => typeof part === "string").join(" ")
    return line(entry.timestamp, severityOf(entry.level), text, fields)
  })
  const writer = Logger.make((entry) => {
    sink.write(effectLines.log(entry))
  })

  return {
    write,
    layer: Layer.mergeAll(Logger.layer([writer]), Layer.succeed(References.MinimumLogLevel, effectLogLevels[options.level]))
  }
}
