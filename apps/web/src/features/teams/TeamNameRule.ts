/**
 * The client-side check of a team name, the domain's DisplayName rule (trimmed, 1–100
 * characters), so the obvious mistakes are caught before a round trip; the server checks again.
 */
export const MAX_TEAM_NAME_LENGTH = 100

export const validateTeamName = (name: string): string | undefined => {
  const trimmed = name.trim()
  if (trimmed === "") return "Enter a team name"
  if (trimmed.length > MAX_TEAM_NAME_LENGTH) return `Use at most ${MAX_TEAM_NAME_LENGTH} characters`
  return undefined
}
