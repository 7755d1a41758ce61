/**
 * A live position is a reading just stored, so the views built from stored readings (the
 * devices' latest readings, the chart) are now behind. This refreshes them when live positions
 * arrive — at most once per `intervalMs`, with a trailing refresh so the last change is never
 * left out — instead of waiting for their periodic refresh.
 */
import { useQueryClient, type QueryKey } from "@tanstack/react-query"
import { useEffect, useRef } from "react"

export const useRefreshOnLive = (changes: unknown, keys: ReadonlyArray<QueryKey>, intervalMs = 3_000): void => {
  const queryClient = useQueryClient()
  const last = useRef(0)
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const keysRef = useRef(keys)
  useEffect(() => {
    keysRef.current = keys
  })
  const first = useRef(true)

  useEffect(() => {
    // The first render is the initial state, not a change.
    if (first.current) {
      first.current = false
      return
    }
    const refresh = () => {
      pending.current = undefined
      last.current = Date.now()
      for (const queryKey of keysRef.current) void queryClient.invalidateQueries({ queryKey })
    }
    const wait = last.current + intervalMs - Date.now()
    if (wait <= 0) refresh()
    else pending.current ??= setTimeout(refresh, wait)
  }, [changes, intervalMs, queryClient])

  useEffect(() => () => clearTimeout(pending.current), [])
}
