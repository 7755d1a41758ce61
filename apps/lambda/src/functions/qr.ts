/** Lambda entry of the qr function: QR login, with status by polling (API Gateway cannot hold an SSE stream). */
import { functionGroups } from "../FunctionGroups.js"
import { httpFunction } from "../HttpFunction.js"

export const handler = httpFunction("qr", functionGroups.qr)
