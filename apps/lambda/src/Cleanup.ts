/**
 * The scheduled (EventBridge) housekeeping function — and why it deletes nothing.
 *
 * What expires in the DynamoDB store, read from adapters-aws Tables.ts and the adapters:
 * - QR challenges: the table's TTL (`ttl` = expiresAt + retention) lets DynamoDB delete them; the
 *   adapter already treats an expired challenge as absent, so an item AWS has not swept yet (it
 *   may be days late) is never served. So are refresh tokens and families, sync locks and
 *   rate-limit windows: each has a TTL attribute.
 * - Invitations: no TTL, on purpose. An expired invitation is a record the product still answers
 *   from — accepting or declining it is 410 Gone "InvitationExpired", not 404 — and the listing
 *   query's key condition (expiresAt > now on the email index) never reads expired ones, so they
 *   cost storage, not reads. Deleting them would change what the API answers; and the one-pending-
 *   invitation guard is overwritten once expired, so nothing waits on a deletion either.
 *
 * So no store needs explicit deletion, and a sweep would be work that changes nothing. What can
 * go wrong is the deployment: a table whose TTL is off (or on another attribute) keeps every
 * expired item forever. This function checks exactly that — DescribeTimeToLive of every table
 * Tables.ts gives a TTL attribute — logs the report and returns it, and fails the invocation
 * (an Errors metric to alarm on) when a table's TTL is not enabled on the expected attribute.
 * "ENABLING" counts as fine: AWS is turning it on.
 */
import { DynamoClient, Tables } from "@app/adapters-aws"
import { DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb"
import { Cause, ConfigProvider, Effect, Exit, Layer } from "effect"
import { type Container, makeContainer } from "./Container.js"
import { awsRequestIdOf, type InvocationContext } from "./Invocation.js"
import type { LambdaConfig } from "./LambdaConfig.js"

export interface TtlCheck {
  /** The logical table ("qrChallenges", …). */
  readonly table: Tables.TableKey
  readonly tableName: string
  readonly expectedAttribute: string
  /** DynamoDB's TimeToLiveStatus, or "TableMissing". */
  readonly status: string
  readonly attribute: string | undefined
  readonly ok: boolean
}

export interface CleanupReport {
  readonly ok: boolean
  readonly checks: ReadonlyArray<TtlCheck>
}

export type CleanupHandler = (event: unknown, context?: InvocationContext) => Promise<CleanupReport>

/** Some table's TTL is not what Tables.ts defines: thrown so the invocation counts as failed. */
export class TtlMisconfigured extends Error {
  constructor(readonly tables: ReadonlyArray<string>) {
    super(`TTL is not enabled as defined on: ${tables.join(", ")}`)
    this.name = "TtlMisconfigured"
  }
}

/** The tables whose items expire by TTL. */
export const ttlTables: ReadonlyArray<Tables.TableKey> = Tables.tableKeys.filter((table) => Tables.definition(table).ttlAttribute !== undefined)

const checkTable = (table: Tables.TableKey) =>
  Effect.gen(function*() {
    const { raw, tableName } = yield* DynamoClient
    const name = tableName(table)
    const expectedAttribute = Tables.definition(table).ttlAttribute ?? ""
    const described = yield* Effect.tryPromise({
      try: (abortSignal) => raw.send(new DescribeTimeToLiveCommand({ TableName: name }), { abortSignal }),
      catch: (cause) => cause
    }).pipe(
      Effect.map((output) => output.TimeToLiveDescription),
      Effect.catch((cause) =>
        (cause as { name?: unknown } | undefined)?.name === "ResourceNotFoundException" ? Effect.succeed("TableMissing" as const) : Effect.fail(cause)
      )
    )
    const status = described === "TableMissing" ? described : described?.TimeToLiveStatus ?? "DISABLED"
    const attribute = described === "TableMissing" ? undefined : described?.AttributeName
    const ok = (status === "ENABLED" || status === "ENABLING") && attribute === expectedAttribute
    return { table, tableName: name, expectedAttribute, status, attribute, ok } satisfies TtlCheck
  })

/** The runtime of the cleanup function: only the DynamoDB client. */
export const cleanupLayer = (config: LambdaConfig): Layer.Layer<DynamoClient, unknown> =>
  DynamoClient.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: config.environment }))))

export const makeCleanup = (container: Container<DynamoClient>): CleanupHandler => async (_event, context) => {
  const awsRequestId = awsRequestIdOf(context)
  const ids = { awsRequestId, correlationId: awsRequestId }
  const runtime = await container.runtime()
  const exit = await runtime.runPromiseExit(Effect.forEach(ttlTables, checkTable, { concurrency: 4 }))
  if (Exit.isFailure(exit)) {
    const cause = Cause.squash(exit.cause) as { name?: unknown; _tag?: unknown } | undefined
    // The SDK error's name ("AccessDeniedException", …) says what failed; its message is not needed.
    const error = typeof cause?.name === "string" ? cause.name : typeof cause?._tag === "string" ? cause._tag : "unknown"
    container.log().write("ERROR", "cleanup could not check the tables", { ...ids, error })
    throw new Error("cleanup could not check the tables' TTL")
  }
  const checks = exit.value
  const report: CleanupReport = { ok: checks.every((c) => c.ok), checks }
  const failing = checks.filter((c) => !c.ok)
  container.log().write(report.ok ? "INFO" : "ERROR", "ttl check", {
    ...ids,
    checked: checks.map((c) => ({ table: c.tableName, status: c.status, attribute: c.attribute })),
    ...(report.ok ? {} : { failing: failing.map((c) => c.tableName) })
  })
  if (!report.ok) throw new TtlMisconfigured(failing.map((c) => c.tableName))
  return report
}

/** The deployed function's handler. */
export const cleanupFunction = (): CleanupHandler => makeCleanup(makeContainer({ functionName: "cleanup", layer: cleanupLayer }))
