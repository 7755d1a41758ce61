/**
 * The AWS Lambda shell. Filled by the Lambda issue; the module exists so the workspace graph
 * (shell → api, adapters) is real from the start.
 */
export type { ApiRequest, ApiResponse } from "@app/api"
