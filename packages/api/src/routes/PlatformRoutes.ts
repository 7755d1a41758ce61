/**
 * Ad-platform configs, encrypted credentials and campaigns of the caller (API.md "Platforms and
 * campaigns"): the path's userId must be the caller's. Credentials are never echoed back.
 */
import {
  AccountId,
  CampaignData,
  CampaignFilter,
  CampaignId,
  CampaignMetrics,
  CampaignStatus,
  Campaigns,
  ConfigId,
  ConfigName,
  ConfigSettings,
  ConfigVersion,
  CreateConfigInput,
  CredentialStatus,
  Platform,
  PlatformConfigs,
  PlatformCredentials,
  PutCredentialsInput,
  UpdateConfigInput,
  UserId
} from "@app/domain"
import { Schema } from "effect"
import { endpoint } from "../Endpoint.js"
import { Instant, NullableInstant } from "../Wire.js"

export const ConfigBody = Schema.Struct({
  configId: ConfigId,
  name: ConfigName,
  settings: ConfigSettings,
  version: ConfigVersion,
  createdAt: Instant,
  updatedAt: Instant
})
export const ConfigListBody = Schema.Struct({
  configs: Schema.Array(ConfigBody),
  currentConfigId: Schema.NullOr(ConfigId)
})
export const CredentialBody = Schema.Struct({
  accountId: AccountId,
  status: CredentialStatus,
  createdAt: Instant,
  lastSyncAt: NullableInstant
})
export const CampaignBody = Schema.Struct({
  accountId: AccountId,
  campaignId: CampaignId,
  campaignData: CampaignData,
  status: CampaignStatus,
  metrics: CampaignMetrics,
  updatedAt: Instant
})
export const SyncBody = Schema.Struct({
  accounts: Schema.Array(
    Schema.Struct({
      accountId: AccountId,
      created: Schema.Int,
      updated: Schema.Int,
      unchanged: Schema.Int,
      removed: Schema.Int,
      error: Schema.optionalKey(Schema.Struct({ code: Schema.String, message: Schema.String, retryable: Schema.Boolean }))
    })
  )
})

const PlatformParams = Schema.Struct({ userId: UserId, platform: Platform })
const ConfigParams = Schema.Struct({ userId: UserId, platform: Platform, configId: ConfigId })
const AccountParams = Schema.Struct({ userId: UserId, platform: Platform, accountId: AccountId })

const base = "/api/users/{userId}/platforms/{platform}"

export const listConfigs = endpoint({
  name: "platforms.listConfigs",
  method: "GET",
  path: `${base}/configs`,
  tag: "platforms",
  summary: "The caller's configs of a platform and which one is current",
  auth: "bearer",
  params: PlatformParams,
  response: ConfigListBody,
  errors: [400, 401, 403],
  handle: ({ actor, params }) => PlatformConfigs.use((c) => c.list(actor, params.userId, params.platform))
})

export const createConfig = endpoint({
  name: "platforms.createConfig",
  method: "POST",
  path: `${base}/configs`,
  tag: "platforms",
  summary: "Create a named config (version 1)",
  auth: "bearer",
  params: PlatformParams,
  body: CreateConfigInput,
  status: 201,
  response: ConfigBody,
  errors: [400, 401, 403, 409],
  handle: ({ actor, body, params }) => PlatformConfigs.use((c) => c.create(actor, params.userId, params.platform, body))
})

export const updateConfig = endpoint({
  name: "platforms.updateConfig",
  method: "PUT",
  path: `${base}/configs/{configId}`,
  tag: "platforms",
  summary: "Update a config at the version the caller saw (stale version: 409)",
  auth: "bearer",
  params: ConfigParams,
  body: UpdateConfigInput,
  response: ConfigBody,
  errors: [400, 401, 403, 404, 409],
  handle: ({ actor, body, params }) =>
    PlatformConfigs.use((c) => c.update(actor, params.userId, params.platform, params.configId, body))
})

export const deleteConfig = endpoint({
  name: "platforms.deleteConfig",
  method: "DELETE",
  path: `${base}/configs/{configId}`,
  tag: "platforms",
  summary: "Delete a config",
  auth: "bearer",
  params: ConfigParams,
  errors: [400, 401, 403, 404],
  handle: ({ actor, params }) => PlatformConfigs.use((c) => c.delete(actor, params.userId, params.platform, params.configId))
})

export const putCredentials = endpoint({
  name: "platforms.putCredentials",
  method: "PUT",
  path: `${base}/credentials/{accountId}`,
  tag: "platforms",
  summary: "Store an account's credentials, encrypted; the secret is never echoed",
  auth: "bearer",
  params: AccountParams,
  body: PutCredentialsInput,
  response: CredentialBody,
  errors: [400, 401, 403],
  handle: ({ actor, body, params }) =>
    PlatformCredentials.use((c) => c.put(actor, params.userId, params.platform, params.accountId, body))
})

export const listCredentials = endpoint({
  name: "platforms.listCredentials",
  method: "GET",
  path: `${base}/credentials`,
  tag: "platforms",
  summary: "The caller's accounts on a platform (never their secrets)",
  auth: "bearer",
  params: PlatformParams,
  response: Schema.Array(CredentialBody),
  errors: [400, 401, 403],
  handle: ({ actor, params }) => PlatformCredentials.use((c) => c.list(actor, params.userId, params.platform))
})

export const deleteCredentials = endpoint({
  name: "platforms.deleteCredentials",
  method: "DELETE",
  path: `${base}/credentials/{accountId}`,
  tag: "platforms",
  summary: "Delete an account's credentials",
  auth: "bearer",
  params: AccountParams,
  errors: [400, 401, 403, 404],
  handle: ({ actor, params }) =>
    PlatformCredentials.use((c) => c.delete(actor, params.userId, params.platform, params.accountId))
})

export const listCampaigns = endpoint({
  name: "platforms.listCampaigns",
  method: "GET",
  path: `${base}/campaigns`,
  tag: "platforms",
  summary: "The caller's campaigns on a platform, filtered by account and status",
  auth: "bearer",
  params: PlatformParams,
  query: CampaignFilter,
  response: Schema.Array(CampaignBody),
  errors: [400, 401, 403],
  handle: ({ actor, params, query }) => Campaigns.use((c) => c.list(actor, params.userId, params.platform, query))
})

export const syncCampaigns = endpoint({
  name: "platforms.syncCampaigns",
  method: "POST",
  path: `${base}/campaigns/sync`,
  tag: "platforms",
  summary: "Pull every active account's campaigns from the platform; one result per account",
  auth: "bearer",
  params: PlatformParams,
  response: SyncBody,
  errors: [400, 401, 403, 409],
  handle: ({ actor, params }) => Campaigns.use((c) => c.sync(actor, params.userId, params.platform))
})

/**
 * This module's routes in API.md's order: the contract's list and each Lambda function's group
 * are made of these. A function, so a bundle that never calls it can leave the routes out.
 */
export const all = () => [listConfigs, createConfig, updateConfig, deleteConfig, putCredentials, listCredentials, deleteCredentials, listCampaigns, syncCampaigns] as const
