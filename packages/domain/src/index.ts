/**
 * @app/domain — the pure core: entities, rules, ports and use cases of every area. No I/O:
 * in-memory adapters are in "@app/domain/memory", crypto implementations in "@app/domain/node",
 * contract suites in "@app/domain/contract".
 */
export * from "./Actor.js"
export * from "./Digest.js"
export * from "./DisplayName.js"
export * from "./DomainError.js"
export * from "./Identifier.js"
export * from "./Ids.js"
export * from "./Millis.js"
export * from "./Randomness.js"
export * from "./StoreFailure.js"
export * from "./Validation.js"

export * from "./Auth/index.js"
export * from "./Chat/index.js"
export * from "./Platforms/index.js"
export * from "./QrLogin/index.js"
export * from "./RateLimit/index.js"
export * from "./Secrets/index.js"
export * from "./Sensors/index.js"
export * from "./Teams/index.js"
export * from "./Users/index.js"
