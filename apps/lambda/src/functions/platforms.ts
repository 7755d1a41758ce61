/** Lambda entry of the platforms function: ad-platform configs, credentials and campaigns. */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("platforms", functionGroups.platforms)
