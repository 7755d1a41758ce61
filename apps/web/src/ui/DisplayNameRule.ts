/**
 * The client-side check of a name (of a team, room, device or config): the domain's DisplayName
 * rule — trimmed, 1–100 characters — so the obvious mistakes are caught before a round trip; the
 * server checks again.
 */
export const MAX_DISPLAY_NAME_LENGTH = 100

/** The message for a name that breaks the rule (`whenEmpty` for a blank one), else undefined. */
export const displayNameProblem = (name: string, whenEmpty: string): string | undefined => {
  const trimmed = name.trim()
  if (trimmed === "") return whenEmpty
  if (trimmed.length > MAX_DISPLAY_NAME_LENGTH) return `Use at most ${MAX_DISPLAY_NAME_LENGTH} characters`
  return undefined
}
