/**
 * Inviting someone by email with a role (POST /api/teams/{teamId}/invite), for the owner and
 * admins. Only presence is checked here: the address format, an existing member ("AlreadyMember")
 * and a pending invitation ("InvitationPending") are the server's answers, shown on the email
 * field or above the form.
 */
import { useState, type FormEvent } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Field } from "../../ui/Field"
import { FormErrors } from "../../ui/FormErrors"
import { useFormMutation } from "../../ui/useFormMutation"
import { grantableRoles, roleLabel, type GrantableRole } from "./TeamPermissions"

interface InviteInput {
  readonly email: string
  readonly role: GrantableRole
}

interface Sent {
  readonly email: string
  readonly expiresAt: string
}

export const InviteMemberForm = ({ teamId }: { readonly teamId: string }) => {
  const api = useApiClient()
  const [email, setEmail] = useState("")
  const [role, setRole] = useState<GrantableRole>("member")
  const [sent, setSent] = useState<Sent | undefined>(undefined)
  const form = useFormMutation({
    fields: ["email", "role"],
    validate: (input: InviteInput) => ({ email: input.email.trim() === "" ? "Enter the email address to invite" : undefined }),
    mutationFn: (input: InviteInput) => {
      setSent(undefined)
      return api.call("teams.invite", { params: { teamId }, body: { email: input.email.trim(), role: input.role } })
    },
    onSuccess: (invitation) => {
      setSent({ email: invitation.email, expiresAt: invitation.expiresAt })
      setEmail("")
    }
  })
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    form.submit({ email, role })
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <FormErrors problem={form.problem} />
      {sent === undefined ? null : (
        <p role="status" className="notice">
          Invitation sent to {sent.email}. It expires on {new Date(sent.expiresAt).toLocaleString()}.
        </p>
      )}
      <Field label="Email" name="email" type="email" autoComplete="off" required value={email}
        onChange={(e) => setEmail(e.target.value)} error={form.fieldError("email")} />
      <Field label="Role" name="role" error={form.fieldError("role")}
        hint="Admins can invite people and remove members; only the owner changes roles.">
        {(control) => (
          <select {...control} value={role} onChange={(e) => setRole(e.target.value as GrantableRole)}>
            {grantableRoles.map((r) => <option key={r} value={r}>{roleLabel[r]}</option>)}
          </select>
        )}
      </Field>
      <Button type="submit" busy={form.busy} busyLabel="Sending…">Send invitation</Button>
    </form>
  )
}
