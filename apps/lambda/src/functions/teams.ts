/** Lambda entry of the teams function: teams, members, roles and invitations. */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("teams", FunctionRoutes.teams(), FunctionWiring.teams)
