/**
 * What a Lambda container keeps between invocations: its configuration, its log lines and one
 * ManagedRuntime (the Layers of the function, with their AWS clients), all made on the first
 * invocation — never at import, never per request. A runtime that fails to build is dropped, so
 * the next invocation tries again instead of failing forever on a cached failure; a
 * configuration error names the variable and stays (the environment of a container never changes).
 */
import { type Config, Layer, ManagedRuntime, Result } from "effect"
import { type LambdaConfig, type LambdaConfigError, load } from "./LambdaConfig.js"
import * as LogLines from "./LogLines.js"

export interface ContainerOptions<R> {
  /** The function's logical name ("auth", "chatResolver", …), on every log line. */
  readonly functionName: string
  /** The Layers of the function for its configuration. */
  readonly layer: (config: LambdaConfig) => Layer.Layer<R, unknown>
  /** The process environment (read on the first invocation) by default. */
  readonly environment?: Readonly<Record<string, string | undefined>>
  /** stdout by default. */
  readonly logSink?: LogLines.LogSink
}

/** The runtime could not be built (configuration the adapters refused, a client that failed). */
export class ContainerInitError extends Error {
  constructor(readonly description: string) {
    super(`the function could not start: ${description}`)
    this.name = "ContainerInitError"
  }
}

export interface Container<R> {
  readonly functionName: string
  /** The configuration, read once; a LambdaConfigError when it is not usable. */
  readonly config: () => Result.Result<LambdaConfig, LambdaConfigError>
  /** The log lines at the configured level (info while the configuration is unusable). */
  readonly log: () => LogLines.LogLines
  /** The runtime, built on first use; rejects with ContainerInitError (logged) when it cannot be built. */
  readonly runtime: () => Promise<ManagedRuntime.ManagedRuntime<R, unknown>>
  /** Releases the runtime (tests; a Lambda container is simply frozen and dropped). */
  readonly dispose: () => Promise<void>
}

/**
 * An Effect ConfigError as "<VARIABLE>: <problem>" (Effect puts the variable in the issue's path).
 * A missing variable says so; otherwise the schema's first line, which never shows a Redacted value.
 */
const describeConfigError = (error: Config.ConfigError): string => {
  const cause = error.cause
  if (cause._tag === "SchemaError" && cause.issue._tag === "Pointer" && cause.issue.path.length > 0) {
    const variable = cause.issue.path.map(String).join("_")
    const inner = cause.issue.issue
    const missing = inner._tag === "MissingKey" || (inner._tag === "InvalidType" && inner.input === undefined)
    return `${variable}: ${missing ? "is required but not set" : (cause.message.split("\n")[0] ?? "is not valid").trim()}`
  }
  return cause.message.split("\n")[0] ?? "is not valid"
}

/** A build failure as text that names what failed and never carries a secret's value. */
const describeInitFailure = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const tagged = error as { _tag?: unknown; errors?: unknown; reason?: { _tag?: unknown } }
  if (tagged._tag === "ConfigError") return `configuration: ${describeConfigError(error as Config.ConfigError)}`
  if (tagged._tag === "ValidationError" && Array.isArray(tagged.errors)) {
    // AuthConfig's checks of the secrets it read: paths and rules, no values.
    const fields = (tagged.errors as ReadonlyArray<{ path?: unknown; message?: unknown }>)
      .map((e) => `${String(e.path)} ${String(e.message)}`)
    return `configuration: ${fields.join("; ")}`
  }
  const reason = typeof tagged.reason?._tag === "string" ? `: ${tagged.reason._tag}` : ""
  return `${typeof tagged._tag === "string" ? tagged._tag : "error"}${reason}`
}

export const makeContainer = <R>(options: ContainerOptions<R>): Container<R> => {
  let config: Result.Result<LambdaConfig, LambdaConfigError> | undefined
  let log: LogLines.LogLines | undefined
  let current: ManagedRuntime.ManagedRuntime<R, unknown> | undefined

  const loadConfig = () => (config ??= load(options.environment ?? process.env))

  const getLog = () => {
    if (log !== undefined) return log
    const loaded = loadConfig()
    const made = LogLines.make({
      functionName: options.functionName,
      level: Result.isSuccess(loaded) ? loaded.success.logLevel : "info",
      sink: options.logSink
    })
    // Keep it only once it reflects a usable configuration.
    if (Result.isSuccess(loaded)) log = made
    return made
  }

  const runtime = async (): Promise<ManagedRuntime.ManagedRuntime<R, unknown>> => {
    const loaded = loadConfig()
    if (Result.isFailure(loaded)) {
      getLog().write("ERROR", "configuration is not usable", { variable: loaded.failure.variable, error: loaded.failure.message })
      throw new ContainerInitError(loaded.failure.message)
    }
    // Invocations that arrive while the first build runs share it (one build per container).
    const made = current ??= ManagedRuntime.make(options.layer(loaded.success).pipe(Layer.provideMerge(getLog().layer)))
    try {
      await made.context()
      return made
    } catch (error) {
      if (current === made) current = undefined
      await made.dispose().catch(() => undefined)
      const description = describeInitFailure(error)
      getLog().write("ERROR", "runtime could not be built", { error: description })
      throw new ContainerInitError(description)
    }
  }

  const dispose = async () => {
    const made = current
    current = undefined
    if (made !== undefined) await made.dispose()
  }

  return { functionName: options.functionName, config: loadConfig, log: getLog, runtime, dispose }
}
