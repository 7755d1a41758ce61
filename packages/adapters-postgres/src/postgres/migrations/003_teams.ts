/** Migration 3: teams (being written). */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 3,
  name: "teams",
  sql: "SELECT 1"
}
