/** Migration 4: platforms (being written). */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 4,
  name: "platforms",
  sql: "SELECT 1"
}
