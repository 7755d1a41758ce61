/**
 * The members of a team with their roles, and per member the actions the caller may take on them
 * (TeamPermissions): change the role and transfer ownership (owner), remove (owner: admins and
 * members; admin: members). Consequential actions ask for confirmation first.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useRef, useState } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { problemMessage } from "../../ui/FormProblem"
import { ConfirmPanel } from "./ConfirmPanel"
import { RoleBadge } from "./RoleBadge"
import { canChangeRole, canRemove, canTransferTo, grantableRoles, roleLabel, type GrantableRole, type TeamRole } from "./TeamPermissions"
import { teamKeys, type TeamMember } from "./TeamQueries"

export const memberName = (member: Pick<TeamMember, "name">): string => member.name ?? "Unknown user"

export interface TeamMembersListProps {
  readonly teamId: string
  readonly members: ReadonlyArray<TeamMember>
  readonly myUserId: string
  readonly myRole: TeamRole
}

export const TeamMembersList = ({ teamId, members, myUserId, myRole }: TeamMembersListProps) => {
  const anyActions = members.some((m) => {
    const isSelf = m.userId === myUserId
    return canChangeRole(myRole, m.role, isSelf) || canTransferTo(myRole, isSelf) || canRemove(myRole, m.role, isSelf)
  })
  return (
    <table className="data-table">
      <caption className="visually-hidden">Members and their roles</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Role</th>
          <th scope="col">Joined</th>
          {anyActions ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {members.map((member) => (
          <MemberRow key={member.userId} teamId={teamId} member={member} isSelf={member.userId === myUserId}
            myRole={myRole} withActions={anyActions} />
        ))}
      </tbody>
    </table>
  )
}

type Pending = "transfer" | "remove" | undefined

const MemberRow = ({ teamId, member, isSelf, myRole, withActions }: {
  readonly teamId: string
  readonly member: TeamMember
  readonly isSelf: boolean
  readonly myRole: TeamRole
  readonly withActions: boolean
}) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const name = memberName(member)
  const [confirming, setConfirming] = useState<Pending>(undefined)
  const actionButtons = useRef<HTMLDivElement>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: teamKeys.all })

  const transfer = useMutation({
    mutationFn: () => api.call("teams.transfer", { params: { teamId }, body: { userId: member.userId } }),
    onSuccess: (team) => {
      queryClient.setQueryData(teamKeys.detail(teamId), team)
      setConfirming(undefined)
      void refresh()
    }
  })
  const remove = useMutation({
    mutationFn: () => api.call("teams.removeMember", { params: { teamId, userId: member.userId } }),
    onSuccess: () => {
      setConfirming(undefined)
      void refresh()
    }
  })

  const closeConfirm = () => {
    setConfirming(undefined)
    transfer.reset()
    remove.reset()
    // Back to where the user was: the action buttons of this row.
    requestAnimationFrame(() => actionButtons.current?.querySelector("button")?.focus())
  }

  const mayChangeRole = canChangeRole(myRole, member.role, isSelf)
  const mayTransfer = canTransferTo(myRole, isSelf)
  const mayRemove = canRemove(myRole, member.role, isSelf)

  return (
    <tr>
      <th scope="row">{name}{isSelf ? <span className="muted"> (you)</span> : null}</th>
      <td>
        {mayChangeRole && member.role !== "owner"
          ? <RoleChanger key={member.role} teamId={teamId} userId={member.userId} name={name} role={member.role} />
          : <RoleBadge role={member.role} />}
      </td>
      <td>{new Date(member.joinedAt).toLocaleDateString()}</td>
      {withActions ? (
        <td>
          <div className="button-row" ref={actionButtons}>
            {mayTransfer ? (
              <Button variant="secondary" aria-label={`Transfer ownership to ${name}`} disabled={confirming !== undefined}
                onClick={() => setConfirming("transfer")}>
                Transfer ownership
              </Button>
            ) : null}
            {mayRemove ? (
              <Button variant="danger" aria-label={`Remove ${name}`} disabled={confirming !== undefined}
                onClick={() => setConfirming("remove")}>
                Remove
              </Button>
            ) : null}
          </div>
          {confirming === "transfer" ? (
            <ConfirmPanel title={`Transfer ownership to ${name}?`} confirmLabel="Transfer ownership" busyLabel="Transferring…"
              busy={transfer.isPending} error={transfer.error} onConfirm={() => transfer.mutate()} onCancel={closeConfirm}>
              <p>{name} becomes the owner of this team. You become an admin and can no longer change roles or delete the team.</p>
            </ConfirmPanel>
          ) : null}
          {confirming === "remove" ? (
            <ConfirmPanel title={`Remove ${name} from the team?`} confirmLabel="Remove" busyLabel="Removing…"
              busy={remove.isPending} error={remove.error} onConfirm={() => remove.mutate()} onCancel={closeConfirm}>
              <p>{name} loses access to the team's chat rooms and devices. They can be invited again later.</p>
            </ConfirmPanel>
          ) : null}
        </td>
      ) : null}
    </tr>
  )
}

/** The owner's role control for one admin or member: pick a role, then save. */
const RoleChanger = ({ teamId, userId, name, role }: {
  readonly teamId: string
  readonly userId: string
  readonly name: string
  readonly role: GrantableRole
}) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [chosen, setChosen] = useState<GrantableRole>(role)
  const change = useMutation({
    mutationFn: (next: GrantableRole) => api.call("teams.changeRole", { params: { teamId, userId }, body: { role: next } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: teamKeys.all })
  })
  const selectId = `role-${userId}`
  return (
    <div className="role-changer">
      <label htmlFor={selectId} className="visually-hidden">Role of {name}</label>
      <select id={selectId} value={chosen} onChange={(e) => setChosen(e.target.value as GrantableRole)}
        aria-invalid={change.isError}>
        {grantableRoles.map((r) => <option key={r} value={r}>{roleLabel[r]}</option>)}
      </select>
      <Button variant="secondary" aria-label={`Save the role of ${name}`} busy={change.isPending} busyLabel="Saving…"
        disabled={chosen === role} onClick={() => change.mutate(chosen)}>
        Save role
      </Button>
      {change.isError ? <p role="alert" className="field-error">{problemMessage(change.error)}</p> : null}
    </div>
  )
}
