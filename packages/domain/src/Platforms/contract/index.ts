/** Contract suites of the Platforms area, run unchanged against every adapter of each port. */
export * as CampaignRepositoryContract from "./CampaignRepositoryContract.js"
export * as CredentialRepositoryContract from "./CredentialRepositoryContract.js"
export * as PlatformConfigRepositoryContract from "./PlatformConfigRepositoryContract.js"
export * as SyncLockContract from "./SyncLockContract.js"
