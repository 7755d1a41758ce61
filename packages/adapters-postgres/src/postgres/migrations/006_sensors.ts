/** Migration 6: sensors (being written). */
import type { Migration } from "../Migrations.js"

export const migration: Migration = {
  id: 6,
  name: "sensors",
  sql: "SELECT 1"
}
