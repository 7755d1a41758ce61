/**
 * The AWS Lambda shell: thin handlers over the contract. One entry per function under
 * `src/functions/` (each exporting `handler`); what they are made of is exported here for tests,
 * tools (bundling, the SAM template) and anyone wiring a function differently — e.g. over other
 * stores with `functionLayer(config, FunctionWiring.auth, { stores })`, or every function's
 * services in one runtime with `makeLambdaLayer(config, { stores })`.
 */
export type { ApiRequest, ApiResponse } from "@app/api"
export * from "./ApiGatewayEvent.js"
export * from "./ChatResolver.js"
export * from "./Cleanup.js"
export * from "./Container.js"
export * as Cors from "./Cors.js"
export * from "./FunctionGroups.js"
export * as FunctionRoutes from "./FunctionRoutes.js"
export * as FunctionWiring from "./FunctionWiring.js"
export * from "./HttpFunction.js"
export * from "./Invocation.js"
export * as LambdaConfig from "./LambdaConfig.js"
export * from "./LambdaLayer.js"
export * as LogLines from "./LogLines.js"
export * from "./SensorIngest.js"
