/**
 * The whole product in one process: every use case over the in-memory stores, with real scrypt
 * password hashing, jose JWTs and local envelope encryption. It is what the published package's
 * users run with no infrastructure, and the wiring every shell starts from (a shell swaps the
 * `stores` for Postgres/Redis or DynamoDB/KMS adapters and keeps the rest).
 */
import { Layer } from "effect"
import { Auth } from "../Auth/Auth.js"
import { AuthConfig } from "../Auth/AuthConfig.js"
import { PasswordHasher } from "../Auth/PasswordHasher.js"
import { SessionIssuer } from "../Auth/SessionIssuer.js"
import { Chat } from "../Chat/Chat.js"
import { Ids } from "../Ids.js"
import * as Memory from "../memory.js"
import { Campaigns } from "../Platforms/Campaigns.js"
import { PlatformConfigs } from "../Platforms/PlatformConfigs.js"
import { PlatformCredentials } from "../Platforms/PlatformCredentials.js"
import { QrLogin } from "../QrLogin/QrLogin.js"
import { Randomness } from "../Randomness.js"
import { SecretCipher } from "../Secrets/SecretCipher.js"
import { Sensors } from "../Sensors/Sensors.js"
import { Teams } from "../Teams/Teams.js"
import { Users } from "../Users/Users.js"
import * as JoseAccessTokens from "./JoseAccessTokens.js"
import * as LocalEnvelopeCipher from "./LocalEnvelopeCipher.js"
import * as ScryptPasswordHasher from "./ScryptPasswordHasher.js"

/** Every use-case service of the product. */
export const useCases = Layer.mergeAll(
  Auth.layer,
  Users.layer,
  Teams.layer,
  PlatformConfigs.layer,
  PlatformCredentials.layer,
  Campaigns.layer,
  Chat.layer,
  QrLogin.layer,
  Sensors.layer
)

const entropy = Ids.layer.pipe(Layer.provideMerge(Randomness.layer))

/**
 * Use cases over the given stores, with the given crypto. The stores layer decides where state
 * lives; everything else is the same in every deployment.
 */
export const make = <ROut, E, E2, E3, E4>(options: {
  readonly stores: Layer.Layer<ROut, E>
  readonly authConfig: Layer.Layer<AuthConfig, E2>
  readonly cipher: Layer.Layer<SecretCipher, E3>
  readonly passwordHasher: Layer.Layer<PasswordHasher, E4, Randomness>
}) => {
  const security = Layer.mergeAll(
    JoseAccessTokens.layer,
    options.passwordHasher,
    options.cipher
  ).pipe(Layer.provideMerge(options.authConfig))
  const sessions = SessionIssuer.layer.pipe(Layer.provideMerge(security))
  return useCases.pipe(
    Layer.provideMerge(sessions),
    Layer.provideMerge(options.stores),
    Layer.provideMerge(entropy)
  )
}

/**
 * Configured from the environment (AUTH_ACCESS_TOKEN_SECRET, AUTH_REFRESH_TOKEN_SECRET,
 * SECRETS_MASTER_KEY, …), OWASP-cost password hashing, everything in memory.
 */
export const layer = make({
  stores: Memory.layer,
  authConfig: AuthConfig.layerConfig,
  cipher: LocalEnvelopeCipher.layer,
  passwordHasher: ScryptPasswordHasher.layer
})

/** Fixed public test secrets and low-cost (still real) scrypt: for tests and examples only. */
export const layerTest = make({
  stores: Memory.layer,
  authConfig: AuthConfig.layerTest(),
  cipher: LocalEnvelopeCipher.layerTest,
  passwordHasher: ScryptPasswordHasher.layerTest
})

