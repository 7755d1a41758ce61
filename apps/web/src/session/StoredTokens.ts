/**
 * The token pair in localStorage, under one key: every tab reads and writes the same entry, so a
 * refresh or a logout in one tab is seen by all (the `storage` event tells the others).
 */
export interface StoredTokens {
  readonly accessToken: string
  readonly refreshToken: string
  /**
   * When the access token expires, on this browser's clock (epoch ms): its lifetime (`exp - iat`)
   * added to the time it was received, so a skewed local clock neither refreshes in a loop nor
   * too late.
   */
  readonly expiresAt: number
}

export const STORED_TOKENS_KEY = "app.session.tokens"

export const readStoredTokens = (storage: Storage): StoredTokens | undefined => {
  const raw = storage.getItem(STORED_TOKENS_KEY)
  if (raw === null) return undefined
  try {
    const value: unknown = JSON.parse(raw)
    if (typeof value !== "object" || value === null) return undefined
    const { accessToken, refreshToken, expiresAt } = value as Record<string, unknown>
    if (typeof accessToken !== "string" || typeof refreshToken !== "string" || typeof expiresAt !== "number") {
      return undefined
    }
    return { accessToken, refreshToken, expiresAt }
  } catch {
    return undefined
  }
}

export const writeStoredTokens = (storage: Storage, tokens: StoredTokens): void =>
  storage.setItem(STORED_TOKENS_KEY, JSON.stringify({
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.expiresAt
  }))

export const clearStoredTokens = (storage: Storage): void => storage.removeItem(STORED_TOKENS_KEY)
