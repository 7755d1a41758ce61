/** Migration 2: refresh tokens (being written). */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 2,
  name: "refresh_tokens",
  sql: "SELECT 1"
}
