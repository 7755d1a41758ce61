/**
 * The HTTP contract of API.md, written once for both shells. Filled by the contract issue; this
 * module exists so the workspace graph (api → domain) is real from the start.
 */
export type { DomainError } from "@app/domain"
