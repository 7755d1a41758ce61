/** Lambda entry of the sensors function: devices, HTTP ingest with a device key, and reading queries. */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("sensors", functionGroups.sensors)
