/**
 * The Fastify shell. Filled by the contract + server issue; the module exists so the workspace
 * graph (shell → api, adapters) is real from the start.
 */
export type { DomainError } from "@app/api"
