/** Lambda entry of the users function: the caller's user and teammates' names. */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("users", FunctionRoutes.users(), FunctionWiring.users)
