/**
 * /login/qr: log in on this computer by approving on a phone where the user is logged in. Shows
 * the QR code of the challenge's approve URL, the time left and the live status; once approved it
 * signs in and goes to `next` (kept from /login, like the password login). A rejected, expired or
 * already used code says so and offers a new one.
 */
import { Link, Navigate, useSearchParams } from "react-router"
import { safeNextPath } from "../../session/NextPath"
import { useSession } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { ErrorState } from "../../ui/ErrorState"
import { Loading } from "../../ui/Loading"
import { usePageTitle } from "../../ui/usePageTitle"
import { QrCodeImage } from "./QrCodeImage"
import { QrCountdown } from "./QrCountdown"
import "./QrLogin.css"
import type { QrOutcome } from "./QrLoginState"
import { QR_POLL_INTERVAL_MS } from "./QrStatusWatch"
import { useQrLogin } from "./useQrLogin"

const outcomeText: Record<QrOutcome, string> = {
  rejected: "The login was rejected on the phone.",
  expired: "The QR code has expired.",
  consumed: "This QR code has already been used."
}

export const QrLoginPage = () => {
  usePageTitle("Log in with your phone")
  const session = useSession()
  const [params] = useSearchParams()
  const rawNext = params.get("next")
  const next = safeNextPath(rawNext)
  const nextQuery = rawNext === null ? "" : `?next=${encodeURIComponent(next)}`

  // Logged in: by this QR login (the exchange just stored the tokens), or already before (then no
  // challenge is started at all).
  if (session !== undefined) return <Navigate to={next} replace />

  return (
    <section className="auth-page qr-login" aria-labelledby="qr-login-title">
      <h1 id="qr-login-title">Log in with your phone</h1>
      <p>Scan the code with the camera of a phone where you are logged in, then approve the login on the phone.</p>
      <QrLoginFlow />
      <p><Link to={`/login${nextQuery}`}>Log in with email and password instead</Link></p>
    </section>
  )
}

const QrLoginFlow = () => {
  const { state, clockOffsetMs, restart } = useQrLogin()
  return (
    <>
      {state.phase === "starting" ? <Loading label="Preparing a QR code…" /> : null}
      {state.phase === "waiting" ? (
        <>
          <figure className="qr-login-code" data-status={state.status}>
            <QrCodeImage text={state.challenge.qrPayload} label="QR code to scan with your phone" />
          </figure>
          <p role="status">
            {state.status === "pending" ? "Waiting for your phone to scan the code." : "Scanned. Approve the login on your phone."}
          </p>
          <QrCountdown expiresAt={state.challenge.expiresAt} clockOffsetMs={clockOffsetMs} />
          <p className="qr-transport">
            {state.transport === "events" ? "Updates live." : `Checking every ${QR_POLL_INTERVAL_MS / 1000} seconds.`}
          </p>
        </>
      ) : null}
      {state.phase === "signing-in" || state.phase === "signed-in" ? <Loading label="Approved. Logging you in…" /> : null}
      {state.phase === "ended" ? (
        <div role="alert" className="state state-error">
          <p className="state-title">{outcomeText[state.outcome]}</p>
          <Button onClick={restart}>Try again</Button>
        </div>
      ) : null}
      {state.phase === "failed" ? <ErrorState error={state.error} title="Could not log in with your phone" onRetry={restart} /> : null}
    </>
  )
}
