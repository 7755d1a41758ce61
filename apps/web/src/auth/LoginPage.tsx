/**
 * Login with email and password, or with the phone (QR, /login/qr). Afterwards the user goes back
 * to `next` — the page they were on when the session ended.
 */
import { useState, type FormEvent } from "react"
import { Link, Navigate, useLocation, useSearchParams } from "react-router"
import { safeNextPath } from "../session/NextPath"
import { usePublicApiClient } from "../session/SessionContext"
import { Button } from "../ui/Button"
import { Field } from "../ui/Field"
import { FormErrors } from "../ui/FormErrors"
import { usePageTitle } from "../ui/usePageTitle"
import { useSignInForm } from "./useSignInForm"

interface LoginInput {
  readonly email: string
  readonly password: string
}

/** Navigation state set by the logout page. */
export interface LoginPageState {
  readonly loggedOut?: boolean
}

export const LoginPage = () => {
  usePageTitle("Log in")
  const api = usePublicApiClient()
  const location = useLocation()
  const [params] = useSearchParams()
  const rawNext = params.get("next")
  const next = safeNextPath(rawNext)
  const nextQuery = rawNext === null ? "" : `?next=${encodeURIComponent(next)}`
  const [email, setEmail] = useState("")
  const [password, setPassword] = useState("")

  const { form, alreadySignedIn } = useSignInForm(next, {
    fields: ["email", "password"],
    validate: (input: LoginInput) => ({
      email: input.email.trim() === "" ? "Enter your email address" : undefined,
      password: input.password === "" ? "Enter your password" : undefined
    }),
    mutationFn: (input: LoginInput) => api.call("auth.login", { body: input })
  })

  if (alreadySignedIn) return <Navigate to={next} replace />

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ email, password })
  }
  const loggedOut = (location.state as LoginPageState | null)?.loggedOut === true

  return (
    <section className="auth-page" aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      {loggedOut ? <p role="status" className="notice">You have been logged out.</p> : null}
      {rawNext !== null && !loggedOut ? <p className="notice">Please log in to continue.</p> : null}
      <form onSubmit={onSubmit} noValidate>
        <FormErrors problem={form.problem} />
        <Field label="Email" name="email" type="email" autoComplete="username" required value={email}
          onChange={(e) => setEmail(e.target.value)} error={form.fieldError("email")} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} error={form.fieldError("password")} />
        <Button type="submit" busy={form.busy} busyLabel="Logging in…">Log in</Button>
      </form>
      <p><Link className="button button-secondary" to={`/login/qr${nextQuery}`}>Log in with your phone</Link></p>
      <p>No account yet? <Link to={`/signup${nextQuery}`}>Sign up</Link></p>
    </section>
  )
}
