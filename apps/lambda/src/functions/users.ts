/** Lambda entry of the users function: the caller's user and teammates' names. */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("users", functionGroups.users)
