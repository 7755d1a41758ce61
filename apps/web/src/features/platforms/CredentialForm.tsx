/**
 * Storing an account's credentials: a new account (with its id) or a change to a stored one
 * (replace the secret, activate, deactivate). The contract's PUT always takes the secret, so every
 * change asks for it. The secret is write-only: a password input, cleared and dropped from the
 * mutation's memory as soon as the server has it, never shown back (the API never returns it).
 */
import { useQueryClient } from "@tanstack/react-query"
import { useId, useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { accountIdError } from "./AccountId"
import { platformKeys, type Credential, type Platform } from "./Platforms"

type Status = Credential["status"]

interface CredentialInput {
  readonly accountId: string
  readonly secret: string
  readonly status: Status
}

export interface CredentialFormProps {
  readonly userId: string
  readonly platform: Platform
  /** Absent: a new account. */
  readonly accountId?: string
  readonly initialStatus?: Status
  readonly title: string
  readonly submitLabel: string
  readonly onSaved: (credential: Credential) => void
  readonly onCancel?: () => void
}

export const CredentialForm = ({ userId, platform, accountId: fixedAccountId, initialStatus = "active", title, submitLabel, onSaved, onCancel }: CredentialFormProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const titleId = useId()
  const [accountId, setAccountId] = useState(fixedAccountId ?? "")
  const [secret, setSecret] = useState("")
  const [status, setStatus] = useState<Status>(initialStatus)

  const form = useFormMutation({
    fields: ["accountId", "credentials", "status"],
    validate: (input: CredentialInput) => ({
      accountId: fixedAccountId === undefined ? accountIdError(input.accountId) : undefined,
      credentials: input.secret === "" ? "Enter the secret (API key or token)" : input.secret.length > 8192 ? "Use at most 8192 characters" : undefined
    }),
    mutationFn: (input: CredentialInput) =>
      api.call("platforms.putCredentials", {
        params: { userId, platform, accountId: input.accountId.trim() },
        body: { credentials: input.secret, status: input.status }
      }),
    onSuccess: (credential) => {
      setSecret("")
      if (fixedAccountId === undefined) setAccountId("")
      // The submitted variables (with the secret) stay in the mutation until it is reset.
      form.mutation.reset()
      void queryClient.invalidateQueries({ queryKey: platformKeys.credentials(platform) })
      onSaved(credential)
    }
  })

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ accountId, secret, status })
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={titleId} className="credential-form">
      <h3 id={titleId}>{title}</h3>
      <FormErrors problem={form.problem} />
      {fixedAccountId === undefined ? (
        <Field label="Account ID" name="accountId" required value={accountId} autoComplete="off"
          hint="The advertiser account's id on the platform (customer id, ad account id)"
          onChange={(e) => setAccountId(e.target.value)} error={form.fieldError("accountId")} />
      ) : null}
      <Field label={fixedAccountId === undefined ? "Secret" : `Secret for ${fixedAccountId}`} name="credentials" type="password"
        required value={secret} autoComplete="off" spellCheck={false}
        hint="Stored encrypted and never shown again. Every change to an account needs it."
        onChange={(e) => setSecret(e.target.value)} error={form.fieldError("credentials")} />
      <Field label="Status" name="status" error={form.fieldError("status")}>
        {(control) => (
          <select {...control} value={status} onChange={(e) => setStatus(e.target.value as Status)}>
            <option value="active">Active (synced)</option>
            <option value="inactive">Inactive (not synced)</option>
          </select>
        )}
      </Field>
      <div className="button-row">
        <Button type="submit" busy={form.busy} busyLabel="Saving…">{submitLabel}</Button>
        {onCancel === undefined ? null : <Button variant="secondary" onClick={onCancel} disabled={form.busy}>Cancel</Button>}
      </div>
    </form>
  )
}
