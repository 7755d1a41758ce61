/** Lambda entry of the sensors function: devices, HTTP ingest with a device key, and reading queries. */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("sensors", FunctionRoutes.sensors(), FunctionWiring.sensors)
