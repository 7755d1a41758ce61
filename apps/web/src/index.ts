/**
 * The React web app. Filled by the web issue; the module exists so the workspace graph
 * (web → api's client) is real from the start.
 */
export type { ApiClient } from "@app/api"
