/**
 * A function's runtime Layer, for its configuration: its wiring (FunctionWiring: the use cases it
 * runs over the store ports they use) on DynamoDB with one client, ids and randomness, the
 * contract's settings, and the ConfigProvider the adapters read AWS_REGION, DYNAMODB_*, AUTH_*,
 * KMS_* and SECRETS_MASTER_KEY* from. The same wiring as the server's STORE=dynamodb, per function.
 *
 * `makeLambdaLayer` is every function's wiring at once — every route of the contract and both
 * event handlers in one runtime — for tests and anyone who wants one runtime for all of them.
 * `stores` swaps the store ports for others (a test runs the same handlers over Postgres), which
 * is the only thing that differs between deployments. Spans are off as in the server: nothing
 * exports them.
 */
import { DynamoClient } from "@app/adapters-aws"
import { ApiSettings, type ApiServices, type ApiSettingsShape, withDefaultApiSettings } from "@app/api"
import { Ids, Randomness } from "@app/domain"
import { ConfigProvider, Layer, References } from "effect"
import * as FunctionWiring from "./FunctionWiring.js"
import type { LambdaLayerOptions, LambdaStorePorts, WiringOf } from "./FunctionWiring.js"
import type { LambdaConfig } from "./LambdaConfig.js"

export type { LambdaLayerOptions, LambdaStorePorts } from "./FunctionWiring.js"

/** What the runtime of every function at once provides: the contract's services (and the ports under them). */
export type LambdaServices = ApiServices

/** The contract's settings: its defaults, with what the environment set. */
export const apiSettingsOf = (config: LambdaConfig): ApiSettingsShape => withDefaultApiSettings(config.apiOverrides)

/** What the runtime of a function wired by `W` (a FunctionWiring entry) provides. */
export type FunctionServices<W> = W extends WiringOf<infer A, infer P> ? A | P | Ids | Randomness : never

/** The runtime of the function `wiringOf` describes, for `config`. Building it creates the AWS clients (no I/O). */
export const functionLayer = <A, P extends LambdaStorePorts>(
  config: LambdaConfig,
  wiringOf: WiringOf<A, P>,
  options: LambdaLayerOptions = {}
): Layer.Layer<A | P | Ids | Randomness, unknown> => {
  const wiring = wiringOf(config, options)
  const stores: Layer.Layer<P, unknown> = options.stores ?? wiring.dynamo.pipe(Layer.provide(DynamoClient.layerConfig))
  return Layer.merge(wiring.services, Layer.succeed(ApiSettings, apiSettingsOf(config))).pipe(
    Layer.provideMerge(stores),
    Layer.provideMerge(Ids.layer),
    Layer.provideMerge(Randomness.layer),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: config.environment }))),
    // See the module comment.
    Layer.provideMerge(Layer.succeed(References.TracerEnabled, false))
  )
}

/** Every function's wiring at once: the services of every route and event of the deployment. */
const everyFunction = (config: LambdaConfig, options: LambdaLayerOptions) => {
  const auth = FunctionWiring.auth(config, options)
  const users = FunctionWiring.users(config, options)
  const teams = FunctionWiring.teams(config, options)
  const platforms = FunctionWiring.platforms(config, options)
  const chat = FunctionWiring.chat(config, options)
  const qr = FunctionWiring.qr(config, options)
  const sensors = FunctionWiring.sensors(config, options)
  const health = FunctionWiring.health(config, options)
  const chatResolver = FunctionWiring.chatResolver(config, options)
  const sensorIngest = FunctionWiring.sensorIngest(config, options)
  return {
    services: Layer.mergeAll(
      auth.services,
      users.services,
      teams.services,
      platforms.services,
      chat.services,
      qr.services,
      sensors.services,
      health.services,
      chatResolver.services,
      sensorIngest.services
    ),
    dynamo: Layer.mergeAll(
      auth.dynamo,
      users.dynamo,
      teams.dynamo,
      platforms.dynamo,
      chat.dynamo,
      qr.dynamo,
      sensors.dynamo,
      health.dynamo,
      chatResolver.dynamo,
      sensorIngest.dynamo
    )
  }
}

/** Every service of every function for `config`, in one runtime. */
export const makeLambdaLayer = (config: LambdaConfig, options: LambdaLayerOptions = {}): Layer.Layer<LambdaServices, unknown> =>
  functionLayer(config, everyFunction, options)
