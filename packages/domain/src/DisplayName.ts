/**
 * The one rule for every human-given name (users, teams, rooms, devices, platform configs):
 * trimmed on decode, then 1-100 characters.
 */
import { Schema } from "effect"

export const DisplayName = Schema.Trim.check(Schema.isMinLength(1), Schema.isMaxLength(100))
