/** Lambda entry of the auth function: signup, login, refresh, logout. */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("auth", FunctionRoutes.auth(), FunctionWiring.auth)
