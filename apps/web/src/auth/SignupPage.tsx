/** Sign-up: email, name and password, the password rules ticked as you type; logs in on success. */
import { useState, type FormEvent } from "react"
import { Link, Navigate, useSearchParams } from "react-router"
import { safeNextPath } from "../session/NextPath"
import { unmetPasswordRules } from "@app/api"
import { usePublicApiClient } from "../session/SessionContext"
import { Button } from "../ui/Button"
import { Field } from "../ui/Field"
import { FormErrors } from "../ui/FormErrors"
import { usePageTitle } from "../ui/usePageTitle"
import { PasswordRuleList } from "./PasswordRuleList"
import { useSignInForm } from "./useSignInForm"

interface SignupInput {
  readonly email: string
  readonly name: string
  readonly password: string
}

export const SignupPage = () => {
  usePageTitle("Sign up")
  const api = usePublicApiClient()
  const [params] = useSearchParams()
  const next = safeNextPath(params.get("next"))
  const [email, setEmail] = useState("")
  const [name, setName] = useState("")
  const [password, setPassword] = useState("")

  const { form, alreadySignedIn } = useSignInForm(next, {
    fields: ["email", "name", "password"],
    validate: (input: SignupInput) => ({
      email: input.email.trim() === "" ? "Enter your email address" : /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email.trim()) ? undefined : "Enter a valid email address",
      name: input.name.trim() === "" ? "Enter your name" : undefined,
      password: unmetPasswordRules(input.password).length > 0 ? "The password does not meet every rule yet" : undefined
    }),
    mutationFn: (input: SignupInput) => api.call("auth.signup", { body: input })
  })

  if (alreadySignedIn) return <Navigate to={next} replace />

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ email, name, password })
  }

  return (
    <section className="auth-page" aria-labelledby="signup-title">
      <h1 id="signup-title">Create your account</h1>
      <form onSubmit={onSubmit} noValidate>
        <FormErrors problem={form.problem} />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} error={form.fieldError("email")} />
        <Field label="Name" name="name" autoComplete="name" required value={name}
          onChange={(e) => setName(e.target.value)} error={form.fieldError("name")} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} error={form.fieldError("password")}
          hint={<PasswordRuleList password={password} />} />
        <Button type="submit" busy={form.busy} busyLabel="Creating account…">Sign up</Button>
      </form>
      <p>Already have an account? <Link to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`}>Log in</Link></p>
    </section>
  )
}
