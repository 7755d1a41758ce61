/** Migration 1: users, with the normalised email unique (the domain lower-cases it before it gets here). */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 1,
  name: "users",
  sql: `
    CREATE TABLE users (
      user_id        text COLLATE "C" PRIMARY KEY,
      email          text COLLATE "C" NOT NULL,
      name           text NOT NULL,
      email_verified boolean NOT NULL,
      profile        jsonb NOT NULL,
      password_hash  text,
      created_at     bigint NOT NULL,
      updated_at     bigint NOT NULL,
      CONSTRAINT users_email_key UNIQUE (email)
    );
  `
}
