/**
 * The accounts connected on a platform: each with its status and last sync — never its secret,
 * which the API does not return — and the actions on it (replace the secret, activate or
 * deactivate, delete), plus the form to connect another account.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Empty } from "../../ui/Empty"
import { QueryView } from "../../ui/QueryView"
import { ConfirmButton } from "./ConfirmButton"
import { CredentialForm } from "./CredentialForm"
import { platformKeys, type Credential, type Platform } from "./Platforms"

export interface CredentialsSectionProps {
  readonly userId: string
  readonly platform: Platform
}

export const useCredentials = (userId: string, platform: Platform) => {
  const api = useApiClient()
  return useQuery({
    queryKey: platformKeys.credentials(platform),
    queryFn: () => api.call("platforms.listCredentials", { params: { userId, platform } })
  })
}

export const CredentialsSection = ({ userId, platform }: CredentialsSectionProps) => {
  const credentials = useCredentials(userId, platform)
  const [message, setMessage] = useState<string | undefined>(undefined)
  return (
    <section aria-labelledby="credentials-title" className="panel">
      <h2 id="credentials-title">Accounts and credentials</h2>
      {message === undefined ? null : <p role="status" className="notice">{message}</p>}
      <QueryView
        query={credentials}
        loadingLabel="Loading accounts…"
        errorTitle="Could not load the accounts"
        isEmpty={(list) => list.length === 0}
        empty={<Empty title="No accounts connected">Add an account's credentials below to sync its campaigns.</Empty>}
      >
        {(list) => (
          <ul className="item-list" aria-label="Accounts">
            {list.map((credential) => (
              <li key={credential.accountId}>
                <CredentialRow userId={userId} platform={platform} credential={credential} onMessage={setMessage} />
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      <CredentialForm
        userId={userId}
        platform={platform}
        title="Add an account"
        submitLabel="Save credentials"
        onSaved={(c) => setMessage(`Saved the credentials of ${c.accountId} (${c.status}). The secret is stored encrypted and will not be shown.`)}
      />
    </section>
  )
}

type Editing = { readonly kind: "replace" } | { readonly kind: "status"; readonly to: Credential["status"] }

interface CredentialRowProps {
  readonly userId: string
  readonly platform: Platform
  readonly credential: Credential
  readonly onMessage: (message: string) => void
}

const CredentialRow = ({ userId, platform, credential, onMessage }: CredentialRowProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState<Editing | undefined>(undefined)
  const { accountId, status } = credential
  const toggled = status === "active" ? "inactive" : "active"
  const toggleVerb = status === "active" ? "Deactivate" : "Activate"

  return (
    <article className="item" aria-label={`Account ${accountId}`}>
      <div className="item-head">
        <h3 className="item-title">{accountId}</h3>
        <span className={status === "active" ? "badge badge-ok" : "badge"}>{status === "active" ? "Active" : "Inactive"}</span>
        <span className="item-meta">
          added {new Date(credential.createdAt).toLocaleString()} ·{" "}
          {credential.lastSyncAt === null ? "never synced" : `last synced ${new Date(credential.lastSyncAt).toLocaleString()}`}
        </span>
      </div>
      <p className="item-meta">Secret: stored encrypted, never shown.</p>
      {editing === undefined ? (
        <div className="button-row">
          <Button variant="secondary" aria-label={`Replace the secret of ${accountId}`} onClick={() => setEditing({ kind: "replace" })}>
            Replace secret
          </Button>
          <Button variant="secondary" aria-label={`${toggleVerb} ${accountId}`} onClick={() => setEditing({ kind: "status", to: toggled })}>
            {toggleVerb}
          </Button>
          <ConfirmButton
            label="Delete"
            accessibleLabel={`Delete ${accountId}`}
            question={`Delete the credentials of ${accountId}?`}
            confirmLabel="Delete credentials"
            busyLabel="Deleting…"
            onConfirm={async () => {
              await api.call("platforms.deleteCredentials", { params: { userId, platform, accountId } })
              onMessage(`Deleted the credentials of ${accountId}.`)
              await queryClient.invalidateQueries({ queryKey: platformKeys.credentials(platform) })
            }}
          />
        </div>
      ) : (
        <CredentialForm
          userId={userId}
          platform={platform}
          accountId={accountId}
          initialStatus={editing.kind === "status" ? editing.to : status}
          title={editing.kind === "replace" ? `Replace the secret of ${accountId}` : `${toggleVerb} ${accountId}`}
          submitLabel={editing.kind === "replace" ? "Save new secret" : toggleVerb}
          onSaved={(saved) => {
            setEditing(undefined)
            onMessage(`Saved ${saved.accountId}: ${saved.status}.`)
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
    </article>
  )
}
