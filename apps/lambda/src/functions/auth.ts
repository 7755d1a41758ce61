/** Lambda entry of the auth function: signup, login, refresh, logout. */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("auth", functionGroups.auth)
