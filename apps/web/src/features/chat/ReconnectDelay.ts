/**
 * How long to wait before the n-th reconnect (0-based): exponential from half a second up to 30
 * seconds, with jitter (a random half of the delay), so clients dropped together by a server
 * restart do not all come back in the same instant.
 */
export const MIN_RECONNECT_DELAY_MS = 500
export const MAX_RECONNECT_DELAY_MS = 30_000

export const reconnectDelayMs = (attempt: number, random: () => number = Math.random): number => {
  const ceiling = Math.min(MAX_RECONNECT_DELAY_MS, MIN_RECONNECT_DELAY_MS * 2 ** Math.min(attempt, 16))
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}
