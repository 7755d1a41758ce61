/**
 * What `/api/ready` asks: every store the deployment uses, each answering a trivial request. The
 * shell that wires the stores provides the probes; the contract only reports them.
 */
import { Context, Effect, Layer } from "effect"

export interface ReadinessProbe {
  readonly name: string
  /** Succeeds when the dependency answered; it is given a deadline by the caller. */
  readonly check: Effect.Effect<void, unknown>
}

export class Readiness extends Context.Service<Readiness, {
  readonly probes: ReadonlyArray<ReadinessProbe>
}>()("@app/api/Readiness") {
  static readonly layer = (probes: ReadonlyArray<ReadinessProbe>): Layer.Layer<Readiness> =>
    Layer.succeed(Readiness, Readiness.of({ probes }))

  /** Nothing external to wait for (the in-memory product). */
  static readonly layerNone: Layer.Layer<Readiness> = Readiness.layer([])
}

export interface ReadinessReport {
  readonly status: "ready" | "unavailable"
  readonly checks: ReadonlyArray<{ readonly name: string; readonly ok: boolean }>
}

/** Every probe at once, each bounded by `timeoutMs`. */
export const checkReadiness = (timeoutMs: number): Effect.Effect<ReadinessReport, never, Readiness> =>
  Effect.gen(function*() {
    const { probes } = yield* Readiness
    const checks = yield* Effect.forEach(probes, (probe) =>
      probe.check.pipe(
        Effect.timeout(timeoutMs),
        Effect.as(true),
        Effect.catchCause(() => Effect.succeed(false)),
        Effect.map((ok) => ({ name: probe.name, ok }))
      ), { concurrency: "unbounded" })
    return { status: checks.every((c) => c.ok) ? "ready" : "unavailable", checks }
  })
