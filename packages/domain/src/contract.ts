/**
 * @app/domain/contract — one suite per stateful port, written once and run unchanged against
 * every adapter (in-memory here; Postgres/Redis and DynamoDB/KMS in the adapter packages).
 * Needs vitest, @effect/vitest and fast-check (optional peer dependencies).
 */
export * from "./contract/ModelRun.js"

export * from "./Auth/contract/index.js"
export * from "./Chat/contract/index.js"
export * from "./Platforms/contract/index.js"
export * from "./QrLogin/contract/index.js"
export * from "./RateLimit/contract/index.js"
export * from "./Secrets/contract/index.js"
export * from "./Sensors/contract/index.js"
export * from "./Teams/contract/index.js"
export * from "./Users/contract/index.js"
