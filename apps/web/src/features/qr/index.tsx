/**
 * QR login: a placeholder for the helper who builds it. Keep exporting both pages:
 * - `QrLoginPage` at /login/qr (public; keeps `?next=`): shows the QR, countdown, live status,
 *   then signs in with useSessionManager().signIn(tokens) and goes to `next`.
 * - `QrApprovePage` at /qr/approve?c=…&k=… (behind login): the phone's approve / reject page.
 */
import { usePageTitle } from "../../ui/usePageTitle"

export const QrLoginPage = () => {
  usePageTitle("Log in with your phone")
  return (
    <section aria-labelledby="qr-login-title">
      <h1 id="qr-login-title">Log in with your phone</h1>
    </section>
  )
}

export const QrApprovePage = () => {
  usePageTitle("Approve login")
  return (
    <section aria-labelledby="qr-approve-title">
      <h1 id="qr-approve-title">Approve login</h1>
    </section>
  )
}
