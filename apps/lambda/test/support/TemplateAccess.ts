/**
 * The deployment's HTTP functions as the role check runs them: the contract's handler over the
 * DynamoDB adapters on DynamoDB Local, with one runtime and one DynamoDB client per function (as
 * each Lambda function has its own), and each request handed to the runtime of the function
 * whose FunctionGroups entry serves its route (as API Gateway routes it). Every request a
 * function's client sends is written down as the IAM actions and resources it needs, so the test
 * can hold them against that function's role in the template.
 *
 * This is the contract's own wiring (packages/api + the domain's use cases + AwsStores), not the
 * handlers of src/functions: what is checked is which tables the use cases of each function's
 * routes touch. Not AWS-managed here: the secret cipher is the local one (KMS has no emulator;
 * the KMS grant is checked statically) and the ad platform is the domain's fake.
 */
import { randomBytes } from "node:crypto"
import { AwsStores, DynamoClient, Tables, TableSetup } from "@app/adapters-aws"
import {
  type AnyEndpoint,
  apiHandler,
  ApiSettings,
  type ApiRequest,
  Authenticator,
  defaultApiSettings,
  Readiness,
  type ApiServices
} from "@app/api"
import { AuthConfig } from "@app/domain"
import { CampaignSourceMemory, ChatBusMemory, QrEventsMemory, SensorBusMemory } from "@app/domain/memory"
import { InProcess, LocalEnvelopeCipher, ScryptPasswordHasher } from "@app/domain/node"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import type { ScenarioTarget } from "../../../../packages/api/test/scenario/ScenarioSuite.js"
import { handlerFetch } from "../../../../packages/api/test/support/HandlerFetch.js"
import { type FunctionGroup, functionGroups } from "../../src/FunctionGroups.js"

/** One IAM permission a request needed: `table` is the logical table, `index` a GSI's name. */
export interface Access {
  readonly action: string
  readonly table: Tables.TableKey
  readonly index?: string
}

/** Requests that matched no route (API Gateway would answer them without any function). */
export const UNROUTED = "(unrouted)"

const REGION = "us-east-1"
const CREDENTIALS = { accessKeyId: "templateroles", secretAccessKey: "templateroles" } as const
const generous = { limit: 100_000, windowMs: 60_000 }

const tableByName = (prefix: string) => {
  const byName = new Map(Tables.tableKeys.map((table) => [Tables.physicalName(prefix, table), table] as const))
  return (name: unknown): Tables.TableKey => {
    const table = typeof name === "string" ? byName.get(name) : undefined
    if (table === undefined) throw new Error(`a request named table ${String(name)}, which is not one of Tables.ts under ${prefix}`)
    return table
  }
}

/**
 * The IAM permissions a DynamoDB command needs (each item of a transaction needs the action of its
 * kind; a batch needs the batch action on each of its tables; a Query of a GSI, Query on the index).
 */
export const accessesOf = (command: string, input: Record<string, any>, tableOf: (name: unknown) => Tables.TableKey): Array<Access> => {
  switch (command) {
    case "TransactWriteItems":
      return (input["TransactItems"] as Array<Record<string, { TableName: string }>>).flatMap((item) =>
        Object.entries(item).map(([kind, operation]) => ({
          action: `dynamodb:${kind === "ConditionCheck" ? "ConditionCheckItem" : `${kind}Item`}`,
          table: tableOf(operation.TableName)
        })))
    case "TransactGetItems":
      return (input["TransactItems"] as Array<{ Get: { TableName: string } }>).map((item) => ({
        action: "dynamodb:GetItem",
        table: tableOf(item.Get.TableName)
      }))
    case "BatchGetItem":
    case "BatchWriteItem":
      return Object.keys(input["RequestItems"] as object).map((name) => ({ action: `dynamodb:${command}`, table: tableOf(name) }))
    default:
      return [{
        action: `dynamodb:${command}`,
        table: tableOf(input["TableName"]),
        ...(typeof input["IndexName"] === "string" ? { index: input["IndexName"] } : {})
      }]
  }
}

/** A DynamoClient whose every request is recorded, by the permissions it needs, into `accesses`. */
const recordedClient = (endpoint: string, prefix: string, accesses: Array<Access>): Layer.Layer<DynamoClient> => {
  const tableOf = tableByName(prefix)
  return Layer.effect(
    DynamoClient,
    Effect.gen(function*() {
      const client = yield* DynamoClient
      // The document client shares this stack, so its commands are seen here too.
      client.raw.middlewareStack.add(
        (next, context) => async (args) => {
          const command = (context.commandName ?? "Unknown").replace(/Command$/, "")
          accesses.push(...accessesOf(command, (args.input ?? {}) as Record<string, any>, tableOf))
          return next(args)
        },
        { step: "initialize", name: "templateRoleCheck" }
      )
      return client
    })
  ).pipe(
    Layer.provide(DynamoClient.layer({ region: REGION, endpoint, credentials: CREDENTIALS, tablePrefix: prefix, requestTimeoutMs: 5_000 }))
  )
}

/** The contract's services on `client`, as a Lambda function wires them (minus the shell). */
const functionLayer = (client: Layer.Layer<DynamoClient>, probes: boolean): Layer.Layer<ApiServices> => {
  const stores = Layer.mergeAll(
    AwsStores.stores,
    CampaignSourceMemory.layer,
    ChatBusMemory.layer,
    QrEventsMemory.layer,
    SensorBusMemory.layer,
    // As apps/server probes DynamoDB: one GetItem on users.
    probes
      ? Layer.effect(
        Readiness,
        Effect.gen(function*() {
          const dynamo = yield* DynamoClient
          return Readiness.of({ probes: [{ name: "dynamodb", check: dynamo.get("users", { userId: "readiness-probe" }, { consistent: false }) }] })
        })
      )
      : Readiness.layerNone
  ).pipe(Layer.provide(client))
  const product = InProcess.make({
    stores,
    authConfig: AuthConfig.layerTest(),
    cipher: LocalEnvelopeCipher.layerTest,
    passwordHasher: ScryptPasswordHasher.layerTest
  })
  return Authenticator.bearer.pipe(
    Layer.provideMerge(product),
    Layer.provideMerge(Layer.succeed(ApiSettings, {
      ...defaultApiSettings,
      rateLimits: { login: generous, signup: generous, qrInit: generous, ingest: generous }
    }))
  ) as Layer.Layer<ApiServices>
}

interface Route {
  readonly fn: FunctionGroup
  readonly method: string
  readonly segments: ReadonlyArray<string>
}

const routes: ReadonlyArray<Route> = (Object.entries(functionGroups) as Array<[FunctionGroup, ReadonlyArray<AnyEndpoint>]>).flatMap(([fn, endpoints]) =>
  endpoints.flatMap((endpoint) =>
    [endpoint.method, ...endpoint.alsoMethods].map((method) => ({ fn, method, segments: endpoint.path.split("/").slice(1) }))))

const isParameter = (segment: string) => segment.startsWith("{")

/**
 * The function API Gateway hands `method path` to: among the routes whose segments match, the
 * most specific (a literal segment beats a `{parameter}` at the first place they differ).
 */
export const functionOf = (method: string, path: string): FunctionGroup | undefined => {
  const segments = path.split("/").slice(1)
  const matching = routes.filter((route) =>
    route.method === method &&
    route.segments.length === segments.length &&
    route.segments.every((segment, i) => (isParameter(segment) ? segments[i] !== "" : segment === segments[i])))
  matching.sort((a, b) => {
    for (let i = 0; i < a.segments.length; i++) {
      const specific = Number(isParameter(a.segments[i]!)) - Number(isParameter(b.segments[i]!))
      if (specific !== 0) return specific
    }
    return 0
  })
  return matching[0]?.fn
}

export interface FunctionsTarget {
  readonly target: ScenarioTarget
  /** Every permission each function's requests needed, by function name (UNROUTED included). */
  readonly accesses: ReadonlyMap<string, ReadonlyArray<Access>>
}

export const makeFunctionsTarget = async (endpoint: string): Promise<FunctionsTarget> => {
  const prefix = `r${randomBytes(5).toString("hex")}-`
  const setup = ManagedRuntime.make(DynamoClient.layer({ region: REGION, endpoint, credentials: CREDENTIALS, tablePrefix: prefix, requestTimeoutMs: 10_000 }))
  await setup.runPromise(TableSetup.createAll(Tables.tableKeys, { enableTtl: false }))

  const accesses = new Map<string, Array<Access>>()
  const runtimes = new Map<string, ManagedRuntime.ManagedRuntime<ApiServices, never>>()
  for (const name of [...Object.keys(functionGroups), UNROUTED]) {
    const recorded: Array<Access> = []
    accesses.set(name, recorded)
    runtimes.set(name, ManagedRuntime.make(functionLayer(recordedClient(endpoint, prefix, recorded), name === "health")))
  }

  const handle = (request: ApiRequest) => runtimes.get(functionOf(request.method, request.path) ?? UNROUTED)!.runPromise(apiHandler(request))

  const fetch = handlerFetch(handle)

  const auth = Effect.runSync(Effect.gen(function*() {
    return yield* AuthConfig
  }).pipe(Effect.provide(AuthConfig.layerTest())))
  return {
    accesses,
    target: {
      baseUrl: "http://lambda-functions.test",
      fetch: fetch as typeof globalThis.fetch,
      accessTokenSecret: Redacted.value(auth.accessTokenSecret),
      refreshGraceMs: auth.refreshGraceMillis,
      dispose: async () => {
        await Promise.all([...runtimes.values()].map((runtime) => runtime.dispose()))
        await setup.runPromise(TableSetup.deleteAll(Tables.tableKeys).pipe(Effect.ignore))
        await setup.dispose()
      }
    }
  }
}
