/** Lambda entry of the teams function: teams, members, roles and invitations. */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("teams", functionGroups.teams)
