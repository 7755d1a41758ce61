/** Lambda entry of the qr function: QR login, with status by polling (API Gateway cannot hold an SSE stream). */
import * as FunctionRoutes from "../FunctionRoutes.js"
import * as FunctionWiring from "../FunctionWiring.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("qr", FunctionRoutes.qr(), FunctionWiring.qr)
