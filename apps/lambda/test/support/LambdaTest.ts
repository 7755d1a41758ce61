/**
 * What the Lambda tests share: a function's container built the way a deployed one is (its own
 * wiring, FunctionWiring, through the same functionLayer — so a route or event whose function's
 * wiring misses a service fails here as it would deployed), from an environment the test writes,
 * with test-cost scrypt and a log collector; fresh secrets; a fake Lambda context; DynamoDB Local tables under a prefix of the
 * test's own; and the domain's in-memory stores for tests about the shell itself (translation,
 * CORS, logs), where no store behaviour is under test.
 */
import { randomBytes, randomUUID } from "node:crypto"
import { DynamoClient, TableSetup } from "@app/adapters-aws"
import { Readiness } from "@app/api"
import {
  CampaignRepositoryMemory,
  ChatRepositoryMemory,
  CredentialRepositoryMemory,
  DeviceRepositoryMemory,
  LatestReadingCacheMemory,
  PlatformConfigRepositoryMemory,
  QrChallengeStoreMemory,
  RateLimiterMemory,
  ReadingRepositoryMemory,
  RefreshTokenStoreMemory,
  SyncLockMemory,
  TeamRepositoryMemory,
  UserRepositoryMemory
} from "@app/domain/memory"
import { ScryptPasswordHasher } from "@app/domain/node"
import { Effect, Layer } from "effect"
import { LogCollector } from "../../../../packages/api/test/support/LogCollector.js"
import {
  type Container,
  type FunctionServices,
  FunctionWiring,
  functionLayer,
  type InvocationContext,
  type LambdaStorePorts,
  makeContainer
} from "../../src/index.js"

/** Every line a function wrote. */
export { LogCollector }

/** Fresh secrets, as the template would pass them. */
export const testSecrets = (): Record<string, string> => ({
  AUTH_ACCESS_TOKEN_SECRET: randomBytes(32).toString("hex"),
  AUTH_REFRESH_TOKEN_SECRET: randomBytes(32).toString("hex"),
  SECRETS_MASTER_KEY: randomBytes(32).toString("base64")
})

/** The part of Lambda's context the handlers read, with a fresh request id. */
export const fakeContext = (): InvocationContext & { readonly functionName: string } => ({
  awsRequestId: randomUUID(),
  functionName: "test"
})

/** Every store port in process memory, with nothing to be ready for. */
export const memoryStores: Layer.Layer<LambdaStorePorts> = Layer.mergeAll(
  UserRepositoryMemory.layer,
  RefreshTokenStoreMemory.layer,
  TeamRepositoryMemory.layer,
  PlatformConfigRepositoryMemory.layer,
  CredentialRepositoryMemory.layer,
  CampaignRepositoryMemory.layer,
  SyncLockMemory.layer,
  ChatRepositoryMemory.layer,
  QrChallengeStoreMemory.layer,
  DeviceRepositoryMemory.layer,
  ReadingRepositoryMemory.layer,
  LatestReadingCacheMemory.layer,
  RateLimiterMemory.layer,
  Readiness.layerNone
)

/**
 * One set of in-memory stores that several function containers share, as the functions of one
 * deployment share their tables (each container building `memoryStores` gets its own, empty set).
 */
export const sharedMemoryStores = async (): Promise<Layer.Layer<LambdaStorePorts>> =>
  Layer.succeedContext(await Effect.runPromise(Effect.scoped(Layer.build(memoryStores))))

export interface TestContainerOptions {
  /** DynamoDB from the environment when absent. */
  readonly stores?: Layer.Layer<LambdaStorePorts, unknown>
  readonly logs?: LogCollector
}

/** A function with a wiring of its own: every HTTP function, chatResolver and sensorIngest (not cleanup). */
export type WiredFunction = keyof typeof FunctionWiring.byFunction

/** What the runtime of `N` provides: its wiring's services and store ports, no more. */
export type ServicesOf<N extends WiredFunction> = FunctionServices<(typeof FunctionWiring.byFunction)[N]>

/** A function's container as deployed (its own wiring), but with test-cost scrypt and collected logs. */
export const testContainer = <N extends WiredFunction>(
  functionName: N,
  environment: Record<string, string>,
  options: TestContainerOptions = {}
): Container<ServicesOf<N>> =>
  makeContainer({
    functionName,
    environment,
    logSink: options.logs ?? new LogCollector(),
    layer: (config) =>
      // TypeScript does not follow a generic index into byFunction to the wiring's own types.
      functionLayer(config, FunctionWiring.byFunction[functionName] as FunctionWiring.WiringOf<unknown, LambdaStorePorts>, {
        passwordHasher: ScryptPasswordHasher.layerTest,
        ...(options.stores === undefined ? {} : { stores: options.stores })
      }) as Layer.Layer<ServicesOf<N>, unknown>
  })

/** Generous enough that no scenario meets a 429 (which has its own tests). */
export const generousRateLimits = {
  RATE_LIMIT_LOGIN: "100000/60",
  RATE_LIMIT_SIGNUP: "100000/60",
  RATE_LIMIT_QR_INIT: "100000/60",
  RATE_LIMIT_INGEST: "100000/60"
}

/**
 * The environment of functions on DynamoDB Local under a fresh table prefix. The SDK reads its
 * credentials from the process (DynamoDB Local accepts any made of letters and digits), so they
 * are set there too.
 */
export const dynamoEnvironment = (endpoint: string): Record<string, string> => {
  process.env["AWS_ACCESS_KEY_ID"] ??= "lambdatests"
  process.env["AWS_SECRET_ACCESS_KEY"] ??= "lambdatests"
  return {
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: endpoint,
    DYNAMODB_TABLE_PREFIX: `l${randomBytes(5).toString("hex")}-`,
    DYNAMODB_REQUEST_TIMEOUT_MS: "5000",
    ...testSecrets()
  }
}

/** Creates every table under the environment's prefix (TTL off unless asked: test clocks sit in the past). */
export const createTables = (environment: Record<string, string>, options: { readonly enableTtl?: boolean } = {}) =>
  Effect.runPromise(
    TableSetup.createAll(undefined, { enableTtl: options.enableTtl ?? false }).pipe(
      Effect.provide(
        DynamoClient.layer({
          region: environment["AWS_REGION"] ?? "us-east-1",
          endpoint: environment["DYNAMODB_ENDPOINT"],
          tablePrefix: environment["DYNAMODB_TABLE_PREFIX"] ?? "",
          requestTimeoutMs: 10_000
        })
      )
    )
  )
