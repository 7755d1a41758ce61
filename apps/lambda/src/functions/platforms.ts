/** Lambda entry of the platforms function: ad-platform configs, credentials and campaigns. */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("platforms", FunctionRoutes.platforms(), FunctionWiring.platforms)
