/**
 * The domain's ports on PostgreSQL and Redis. Filled by the Postgres + Redis adapters issue; the
 * module exists so the workspace graph (adapter → domain) is real from the start.
 */
export type { StoreFailure } from "@app/domain"
