/** The Fastify shell: the app, its configuration and the runtime it serves from. */
export * from "./buildApp.js"
export * as EffectLogLines from "./EffectLogLines.js"
export * as ServerConfig from "./ServerConfig.js"
export * as ServerLayer from "./ServerLayer.js"
