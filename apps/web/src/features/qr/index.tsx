/**
 * QR login, both ends (App.tsx lazy-loads these two names):
 * - `QrLoginPage` at /login/qr (public; keeps `?next=`): the QR code, a countdown and the live
 *   status; once approved it signs in with the exchanged tokens and goes to `next`.
 * - `QrApprovePage` at /qr/approve?c=…&k=… (behind login; the QR payload's URL, as
 *   packages/domain's QrLoginConfig builds it): where the request comes from, approve / reject.
 */
export { QrApprovePage } from "./QrApprovePage"
export { QrLoginPage } from "./QrLoginPage"
