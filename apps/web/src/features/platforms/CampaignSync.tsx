/**
 * The "Sync campaigns" button and what it reports: while the sync runs, a busy button and a
 * status line; then one line per active account — synced (created / updated / unchanged /
 * removed) or failed with the reason — after which the campaign list and the accounts' last sync
 * times are reloaded. A second sync while one runs is refused by the server (409) and said so.
 */
import { ApiProblem } from "@app/api"
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { problemMessage } from "../../ui/FormProblem"
import { platformKeys, type Platform, type SyncAnswer } from "./Platforms"

export interface CampaignSyncProps {
  readonly userId: string
  readonly platform: Platform
}

type AccountResult = SyncAnswer["accounts"][number]

const summary = (r: AccountResult) =>
  `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.removed} removed`

export const CampaignSync = ({ userId, platform }: CampaignSyncProps) => {
  const api = useApiClient()
  const queryClient = useQueryClient()
  const sync = useMutation({
    mutationFn: () => api.call("platforms.syncCampaigns", { params: { userId, platform } }),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: platformKeys.campaignsOf(platform) }),
        queryClient.invalidateQueries({ queryKey: platformKeys.credentials(platform) })
      ])
  })

  const failed = sync.data?.accounts.filter((a) => a.error !== undefined).length ?? 0
  return (
    <div className="sync">
      <Button onClick={() => sync.mutate()} busy={sync.isPending} busyLabel="Syncing…">Sync campaigns</Button>
      <div aria-live="polite" className="sync-report">
        {sync.isPending ? <p role="status">Syncing the campaigns of every active account…</p> : null}
        {sync.isError ? (
          <p role="alert" className="field-error">
            {sync.error instanceof ApiProblem && sync.error.problem.code === "SyncInProgress"
              ? "A sync of this platform is already running. Try again when it has finished."
              : `The sync failed: ${problemMessage(sync.error)}`}
          </p>
        ) : null}
        {sync.isSuccess ? (
          sync.data.accounts.length === 0 ? (
            <p role="status">Nothing to sync: no account is active. Activate an account first.</p>
          ) : (
            <>
              <p role="status">
                Sync finished: {sync.data.accounts.length - failed} of {sync.data.accounts.length} account
                {sync.data.accounts.length === 1 ? "" : "s"} synced{failed === 0 ? "." : `, ${failed} failed.`}
              </p>
              <ul className="sync-results" aria-label="Sync results">
                {sync.data.accounts.map((r) => (
                  <li key={r.accountId} className={r.error === undefined ? "sync-ok" : "sync-failed"}>
                    <strong>{r.accountId}</strong>:{" "}
                    {r.error === undefined
                      ? <>synced — {summary(r)}</>
                      : <>failed — {r.error.message} ({r.error.code}{r.error.retryable ? ", worth retrying" : ""})</>}
                  </li>
                ))}
              </ul>
            </>
          )
        ) : null}
      </div>
    </div>
  )
}
