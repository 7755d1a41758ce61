/**
 * Ids, sample values, plain views and the command shape shared by the Platforms contract suites.
 * Every id is built from a run's scope so the suites can run against shared, non-empty stores.
 */
import type { Schema } from "effect"
import type { ModelState, PortCommand } from "../../contract/ModelRun.js"
import { EncryptedSecret } from "../../Secrets/SecretCipher.js"
import { UserId } from "../../Users/User.js"
import { type Campaign, RemoteCampaign } from "../Campaign.js"
import type { CredentialRecord, CredentialSummary } from "../Credential.js"
import { AccountId, CampaignId, canonicalJson, ConfigId } from "../Platform.js"
import type { ConfigList, PlatformConfig } from "../PlatformConfig.js"

export const T0 = 1_700_000_000_000

/** A model-run command that always applies: `run` compares the model and the port under test. */
export const command = <S>(label: string, run: (model: ModelState<S>, real: S) => Promise<unknown>): PortCommand<S> => ({
  check: async () => true,
  run: async (model, real) => {
    await run(model, real)
  },
  toString: () => label
})

export const userId = (scope: string, label: string | number): UserId => UserId.make(`${scope}-user-${label}`)
export const configId = (scope: string, label: string | number): ConfigId => ConfigId.make(`${scope}-cfg-${label}`)
export const accountId = (scope: string, label: string | number): AccountId => AccountId.make(`${scope}-acct-${label}`)
export const campaignId = (label: string | number): CampaignId => CampaignId.make(`cmp-${label}`)

/** A well-formed stand-in for a ciphertext: repositories store it opaquely. */
export const encrypted = (label: string | number): EncryptedSecret =>
  new EncryptedSecret({
    algorithm: "AES-256-GCM",
    keyId: `key-${label}`,
    encryptedDataKey: `ZGF0YWtleS0${label}`,
    iv: `aXYt${label}`,
    ciphertext: `Y2lwaGVy${label}`
  })

export const remote = (
  id: string | number,
  status = "ENABLED",
  data: Schema.JsonObject = { name: `campaign ${id}` },
  metrics: Schema.JsonObject = { clicks: 0 }
): RemoteCampaign => new RemoteCampaign({ campaignId: campaignId(id), campaignData: data, status, metrics })

/** A JSON value with its object keys in one order: stores need not keep the order they were given. */
export const canonical = (value: Schema.Json): unknown => JSON.parse(canonicalJson(value))

export const plainConfig = (c: PlatformConfig) => ({
  configId: c.configId,
  name: c.name,
  settings: canonical(c.settings),
  version: c.version,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt
})

export const plainList = (l: ConfigList) => ({ configs: l.configs.map(plainConfig), currentConfigId: l.currentConfigId })

export const plainSummary = (s: CredentialSummary) => ({
  accountId: s.accountId,
  status: s.status,
  createdAt: s.createdAt,
  lastSyncAt: s.lastSyncAt
})

export const plainRecord = (r: CredentialRecord) => ({
  userId: r.userId,
  platform: r.platform,
  accountId: r.accountId,
  secret: { ...r.secret },
  status: r.status,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  lastSyncAt: r.lastSyncAt
})

export const plainCampaign = (c: Campaign) => ({
  accountId: c.accountId,
  campaignId: c.campaignId,
  campaignData: canonical(c.campaignData),
  status: c.status,
  metrics: canonical(c.metrics),
  updatedAt: c.updatedAt
})
