/**
 * @app/domain/node — implementations that need Node's crypto but no infrastructure: scrypt
 * password hashing, jose access tokens, local AES-256-GCM envelope encryption, and `InProcess`,
 * the whole product wired over the in-memory stores.
 */
export * as InProcess from "./node/InProcess.js"
export * as JoseAccessTokens from "./node/JoseAccessTokens.js"
export * as LocalEnvelopeCipher from "./node/LocalEnvelopeCipher.js"
export * as ScryptPasswordHasher from "./node/ScryptPasswordHasher.js"
