/**
 * Migration 4: platform configs, credentials and campaigns.
 *
 * - Configs hang under one `platform_config_sets` row per user and platform. That row holds the
 *   current config id (so there is never more than one current config) and is the row every
 *   create locks, which makes the config limit and "the first config becomes current" race-free.
 *   Its foreign key to the config clears the current id when that config is deleted.
 * - Credentials keep the EncryptedSecret field by field; there is no column for a plaintext.
 * - Free-form objects (settings, campaign data, metrics) are `json` holding the domain's canonical
 *   JSON text, not `jsonb`: jsonb refuses strings the domain accepts (`\u0000`, lone surrogates),
 *   and comparing canonical texts is exactly the domain's "equal as JSON" of an idempotent upsert.
 * - No foreign key to users: the contract suites never create users.
 */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 4,
  name: "platforms",
  sql: `
    CREATE TABLE platform_config_sets (
      user_id           text COLLATE "C" NOT NULL,
      platform          text COLLATE "C" NOT NULL,
      current_config_id text COLLATE "C",
      CONSTRAINT platform_config_sets_pkey PRIMARY KEY (user_id, platform)
    );

    CREATE TABLE platform_configs (
      user_id    text COLLATE "C" NOT NULL,
      platform   text COLLATE "C" NOT NULL,
      config_id  text COLLATE "C" NOT NULL,
      name       text NOT NULL,
      settings   json NOT NULL,
      version    integer NOT NULL CHECK (version >= 1),
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      CONSTRAINT platform_configs_pkey PRIMARY KEY (user_id, platform, config_id),
      CONSTRAINT platform_configs_set_fkey FOREIGN KEY (user_id, platform)
        REFERENCES platform_config_sets (user_id, platform) ON DELETE CASCADE
    );

    ALTER TABLE platform_config_sets
      ADD CONSTRAINT platform_config_sets_current_fkey FOREIGN KEY (user_id, platform, current_config_id)
        REFERENCES platform_configs (user_id, platform, config_id) ON DELETE SET NULL (current_config_id);

    CREATE TABLE platform_credentials (
      user_id                   text COLLATE "C" NOT NULL,
      platform                  text COLLATE "C" NOT NULL,
      account_id                text COLLATE "C" NOT NULL,
      secret_algorithm          text NOT NULL,
      secret_key_id             text NOT NULL,
      secret_encrypted_data_key text NOT NULL,
      secret_iv                 text NOT NULL,
      secret_ciphertext         text NOT NULL,
      status                    text NOT NULL CHECK (status IN ('active', 'inactive')),
      created_at                bigint NOT NULL,
      updated_at                bigint NOT NULL,
      last_sync_at              bigint,
      CONSTRAINT platform_credentials_pkey PRIMARY KEY (user_id, platform, account_id)
    );

    CREATE TABLE campaigns (
      user_id       text COLLATE "C" NOT NULL,
      platform      text COLLATE "C" NOT NULL,
      account_id    text COLLATE "C" NOT NULL,
      campaign_id   text COLLATE "C" NOT NULL,
      campaign_data json NOT NULL,
      status        text COLLATE "C" NOT NULL,
      metrics       json NOT NULL,
      updated_at    bigint NOT NULL,
      CONSTRAINT campaigns_pkey PRIMARY KEY (user_id, platform, account_id, campaign_id)
    );

    -- The list filtered by status alone, already in list order.
    CREATE INDEX campaigns_status_idx ON campaigns (user_id, platform, status, account_id, campaign_id);
  `
}
