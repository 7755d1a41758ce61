/**
 * Migration 2: refresh-token families and their tokens, by SHA-256 digest only (the CHECK keeps
 * anything that is not a lower-case hex digest — a plaintext token, say — out of the column).
 * `refresh_tokens_one_current` holds the rotation invariant in the database: a family has at most
 * one token that is not rotated yet.
 */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 2,
  name: "refresh_tokens",
  sql: `
    CREATE TABLE refresh_families (
      family_id  text COLLATE "C" NOT NULL,
      user_id    text COLLATE "C" NOT NULL,
      created_at bigint NOT NULL,
      revoked_at bigint,
      CONSTRAINT refresh_families_pkey PRIMARY KEY (family_id)
    );

    CREATE TABLE refresh_tokens (
      token_hash text COLLATE "C" NOT NULL,
      family_id  text COLLATE "C" NOT NULL,
      user_id    text COLLATE "C" NOT NULL,
      issued_at  bigint NOT NULL,
      expires_at bigint NOT NULL,
      rotated_at bigint,
      child_hash text COLLATE "C",
      CONSTRAINT refresh_tokens_pkey PRIMARY KEY (token_hash),
      CONSTRAINT refresh_tokens_family_fkey FOREIGN KEY (family_id) REFERENCES refresh_families (family_id),
      CONSTRAINT refresh_tokens_digest_check CHECK (token_hash ~ '^[0-9a-f]{64}$' AND (child_hash IS NULL OR child_hash ~ '^[0-9a-f]{64}$')),
      CONSTRAINT refresh_tokens_rotation_check CHECK ((rotated_at IS NULL) = (child_hash IS NULL))
    );

    -- Every token of a family (revocation sweeps, cleanup of expired families).
    CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
    CREATE UNIQUE INDEX refresh_tokens_one_current ON refresh_tokens (family_id) WHERE rotated_at IS NULL;
  `
}
