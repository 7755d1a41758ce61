/**
 * The scheduled function on DynamoDB Local. Expired QR challenges (and refresh tokens, locks,
 * rate-limit windows) go by TTL and expired invitations stay as records the API answers 410 for
 * (Cleanup.ts says why), so what it does is check that every table Tables.ts gives a TTL
 * attribute has TTL on, on that attribute — and fail loudly when one does not.
 */
import { randomBytes } from "node:crypto"
import { Tables } from "@app/adapters-aws"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cleanupLayer, makeCleanup, makeContainer, TtlMisconfigured, ttlTables } from "../src/index.js"
import * as DynamoDbLocal from "../../../packages/adapters-aws/test/support/DynamoDbLocal.js"
import { createTables, dynamoEnvironment, fakeContext, LogCollector } from "./support/LambdaTest.js"

let dynamo: DynamoDbLocal.DynamoDbLocal | undefined
const disposers: Array<() => Promise<void>> = []

beforeAll(async () => {
  dynamo = await DynamoDbLocal.start()
}, 60_000)

afterAll(async () => {
  await Promise.all(disposers.map((dispose) => dispose()))
  await dynamo?.stop()
})

/** The cleanup function over tables under a fresh prefix, created with TTL on or off (or not at all). */
const cleanupOver = async (tables: "ttl on" | "ttl off" | "none") => {
  const prefix = `c${randomBytes(5).toString("hex")}-`
  const environment: Record<string, string> = { ...dynamoEnvironment(dynamo!.endpoint), DYNAMODB_TABLE_PREFIX: prefix }
  if (tables !== "none") await createTables(environment, { enableTtl: tables === "ttl on" })
  const logs = new LogCollector()
  // No secrets in this environment: the cleanup function needs none.
  const { AUTH_ACCESS_TOKEN_SECRET: _a, AUTH_REFRESH_TOKEN_SECRET: _r, SECRETS_MASTER_KEY: _k, ...withoutSecrets } = environment
  const container = makeContainer({ functionName: "cleanup", environment: withoutSecrets, logSink: logs, layer: cleanupLayer })
  disposers.push(() => container.dispose())
  return { cleanup: makeCleanup(container), logs, prefix }
}

const scheduledEvent = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: "2026-11-21T03:00:00Z",
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/cleanup"],
  detail: {}
}

describe("the scheduled TTL check", () => {
  it("checks exactly the tables that expire by TTL", () => {
    expect([...ttlTables].sort()).toEqual(["qrChallenges", "rateLimits", "refreshFamilies", "refreshTokens", "syncLocks"])
    expect(ttlTables).not.toContain("invitations")
  })

  it("reports every TTL table enabled on its attribute", async () => {
    const { cleanup, logs, prefix } = await cleanupOver("ttl on")
    const context = fakeContext()
    const report = await cleanup(scheduledEvent, context)
    expect(report.ok).toBe(true)
    expect(report.checks.map((c) => c.table).sort()).toEqual([...ttlTables].sort())
    for (const check of report.checks) {
      expect(check).toMatchObject({ tableName: Tables.physicalName(prefix, check.table), attribute: "ttl", expectedAttribute: "ttl", ok: true })
      expect(["ENABLED", "ENABLING"]).toContain(check.status)
    }
    expect(logs.records()).toContainEqual(expect.objectContaining({ level: "INFO", message: "ttl check", function: "cleanup", awsRequestId: context.awsRequestId }))
  })

  it("fails the invocation, naming each table, when TTL is off", async () => {
    const { cleanup, logs, prefix } = await cleanupOver("ttl off")
    const error = await cleanup(scheduledEvent, fakeContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TtlMisconfigured)
    expect([...(error as TtlMisconfigured).tables].sort()).toEqual(ttlTables.map((t) => Tables.physicalName(prefix, t)).sort())
    expect(logs.records()).toContainEqual(expect.objectContaining({ level: "ERROR", message: "ttl check", failing: expect.any(Array) }))
  })

  it("fails the invocation when the tables are not there", async () => {
    const { cleanup } = await cleanupOver("none")
    const error = await cleanup(scheduledEvent, fakeContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TtlMisconfigured)
  })
})
