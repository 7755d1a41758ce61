/** Every migration, in order. A migration, once landed, is never edited: add the next one. */
import type { Migration } from "../Migrations.js"
import { migration as users } from "./001_users.js"
import { migration as refreshTokens } from "./002_refresh_tokens.js"
import { migration as teams } from "./003_teams.js"
import { migration as platforms } from "./004_platforms.js"
import { migration as chat } from "./005_chat.js"
import { migration as sensors } from "./006_sensors.js"

export const migrations: ReadonlyArray<Migration> = [users, refreshTokens, teams, platforms, chat, sensors]
