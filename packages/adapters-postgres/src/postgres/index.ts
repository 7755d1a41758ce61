/**
 * The domain's repositories on PostgreSQL, on a server (PgPool) or embedded (Pglite), with the
 * SqlClient they share and the migrations that shape their tables.
 */
export * as CampaignRepositoryPostgres from "./CampaignRepositoryPostgres.js"
export * as ChatRepositoryPostgres from "./ChatRepositoryPostgres.js"
export * as CredentialRepositoryPostgres from "./CredentialRepositoryPostgres.js"
export * as DeviceRepositoryPostgres from "./DeviceRepositoryPostgres.js"
export * as Migrations from "./Migrations.js"
export * as PgPool from "./PgPool.js"
export * as Pglite from "./Pglite.js"
export * as PlatformConfigRepositoryPostgres from "./PlatformConfigRepositoryPostgres.js"
export * as ReadingRepositoryPostgres from "./ReadingRepositoryPostgres.js"
export * as RefreshTokenStorePostgres from "./RefreshTokenStorePostgres.js"
export * from "./SqlClient.js"
export * from "./SqlError.js"
export * as TeamRepositoryPostgres from "./TeamRepositoryPostgres.js"
export * as UserRepositoryPostgres from "./UserRepositoryPostgres.js"
