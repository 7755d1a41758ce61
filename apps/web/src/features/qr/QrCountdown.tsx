/**
 * The time left to scan, ticking every second: minutes and seconds until `expiresAt` on the
 * server's clock (`clockOffsetMs` = server minus browser). A timer role, which screen readers do
 * not announce on every tick.
 */
import { useEffect, useState } from "react"

const formatRemaining = (ms: number): string => {
  const seconds = Math.max(0, Math.ceil(ms / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`
}

export const QrCountdown = ({ expiresAt, clockOffsetMs }: { readonly expiresAt: number; readonly clockOffsetMs: number }) => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  const remaining = expiresAt - (now + clockOffsetMs)
  return (
    <p className="qr-countdown">
      {remaining > 0 ? <>Expires in <span role="timer">{formatRemaining(remaining)}</span></> : "Expiring…"}
    </p>
  )
}
