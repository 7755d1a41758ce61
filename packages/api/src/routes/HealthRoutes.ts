/**
 * Liveness and readiness for a load balancer's target group: health answers while the process is
 * up; ready answers 200 only when every store the deployment uses answers.
 */
import { Effect, Schema } from "effect"
import { endpoint, withStatus } from "../Endpoint.js"
import { Problem, problem } from "../Problem.js"
import { checkReadiness } from "../Readiness.js"

const READINESS_TIMEOUT_MS = 2_000

export const Health = Schema.Struct({ status: Schema.Literal("ok") })

const Checks = Schema.Array(Schema.Struct({ name: Schema.String, ok: Schema.Boolean }))

export const ReadinessBody = Schema.Struct({ status: Schema.Literal("ready"), checks: Checks })

/** The 503 is a problem like every error, with the failing checks beside it. */
export const NotReadyBody = Schema.Struct({ ...Problem.fields, checks: Checks })

export const health = endpoint({
  name: "health",
  method: "GET",
  path: "/api/health",
  tag: "health",
  summary: "The process is up",
  auth: "none",
  response: Health,
  handle: () => Effect.succeed({ status: "ok" as const })
})

export const ready = endpoint({
  name: "ready",
  method: "GET",
  path: "/api/ready",
  tag: "health",
  summary: "Every store this deployment uses answers (else 503)",
  auth: "none",
  response: Schema.Union([ReadinessBody, NotReadyBody]),
  errors: [503],
  handle: () =>
    checkReadiness(READINESS_TIMEOUT_MS).pipe(
      Effect.map((report) => {
        if (report.status === "ready") return { status: "ready" as const, checks: report.checks }
        const failing = report.checks.filter((c) => !c.ok).map((c) => c.name)
        return withStatus(503, {
          ...problem(503, { code: "NotReady", detail: `not answering: ${failing.join(", ")}` }),
          checks: report.checks
        })
      })
    )
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [health, ready] as const
