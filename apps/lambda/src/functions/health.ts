/**
 * Lambda entry of the health function: health, readiness and the OpenAPI document. It is also
 * the API's catch-all route (`$default` / `/{proxy+}`): a path no function serves gets the
 * contract's problem+json 404 from here instead of API Gateway's own answer.
 */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("health", FunctionRoutes.health(), FunctionWiring.health)
