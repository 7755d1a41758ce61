/**
 * The shape every id in the system shares (ULIDs we mint, UUIDs from Cognito, platform account
 * ids): safe in URLs, keys and log lines. Each entity brands it.
 */
import { Schema } from "effect"

export const IdString = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, {
    message: "must be 1-128 characters of letters, digits, '_', '-', '.', ':'"
  })
)
