/**
 * The live connection's state in words (a polite status region): live, connecting, or lost with
 * the seconds until the next attempt and a button to try now.
 */
import { useEffect, useState } from "react"
import { Button } from "../../ui/Button"
import { useChatConnection, useConnectionState } from "./ChatConnectionContext"

/** Seconds until `at`, re-rendering once a second while there is one (for the countdown). */
const useSecondsUntil = (at: number | undefined): number | undefined => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (at === undefined) return
    const id = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(id)
  }, [at])
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

export const ConnectionStatus = () => {
  const connection = useChatConnection()
  const state = useConnectionState()
  const seconds = useSecondsUntil(state.status === "waiting" ? state.retryAt : undefined)
  // The live region's text changes only with the state; the countdown beside it is not announced
  // every second.
  return (
    <div className={`connection-status connection-${state.status}`}>
      <span role="status">
        {state.status === "open" ? "Live"
          : state.status === "connecting" ? (state.attempt === 0 ? "Connecting…" : "Reconnecting…")
          : state.status === "waiting" ? "Connection lost."
          : state.status === "signedOut" ? "Not connected: you are logged out."
          : "Offline"}
      </span>
      {state.status === "waiting" ? (
        <>
          <span>Reconnecting in {seconds ?? 0} s…</span>
          <Button variant="secondary" onClick={() => connection.reconnectNow()}>Reconnect now</Button>
        </>
      ) : null}
    </div>
  )
}
