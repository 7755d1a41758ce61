/**
 * The domain's ports on PostgreSQL (pg, or PGlite embedded) and Redis (ioredis): the server
 * build's data layer. `ServerStores` composes them; the namespaces give each adapter alone.
 */
export * from "./postgres/index.js"
export * from "./redis/index.js"
export * as ServerStores from "./ServerStores.js"
