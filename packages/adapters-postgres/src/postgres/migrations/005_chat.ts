/** Migration 5: chat (being written). */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 5,
  name: "chat",
  sql: "SELECT 1"
}
