/**
 * A platform's campaigns, filtered as the contract allows (accountId and status, both exact), with
 * the filters kept in the URL (`?account=…&status=…`) so a filtered view can be shared and
 * survives a reload; and the sync button.
 */
import { useQuery } from "@tanstack/react-query"
import { useId, useState, type FormEvent } from "react"
import { useSearchParams } from "react-router"
import { useApiClient } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Empty } from "../../ui/Empty"
import { Field } from "../../ui/Field"
import { QueryView } from "../../ui/QueryView"
import { CampaignSync } from "./CampaignSync"
import { useCredentials } from "./CredentialsSection"
import { platformKeys, type Campaign, type Platform } from "./Platforms"

export interface CampaignsSectionProps {
  readonly userId: string
  readonly platform: Platform
}

/** The campaign's name when its data carries one, else its id. */
const campaignName = (campaign: Campaign): string => {
  const name = (campaign.campaignData as Record<string, unknown>)["name"]
  return typeof name === "string" && name.trim() !== "" ? name : campaign.campaignId
}

const metricText = (value: unknown): string =>
  typeof value === "number" ? value.toLocaleString() : typeof value === "string" ? value : JSON.stringify(value)

export const CampaignsSection = ({ userId, platform }: CampaignsSectionProps) => {
  const api = useApiClient()
  const [params, setParams] = useSearchParams()
  const accountId = params.get("account") ?? ""
  const status = params.get("status") ?? ""
  const filter = {
    ...(accountId === "" ? {} : { accountId }),
    ...(status === "" ? {} : { status })
  }
  const campaigns = useQuery({
    queryKey: platformKeys.campaigns(platform, filter),
    queryFn: () => api.call("platforms.listCampaigns", { params: { userId, platform }, query: filter })
  })
  const accounts = useCredentials(userId, platform)
  const [draftAccount, setDraftAccount] = useState(accountId)
  const [draftStatus, setDraftStatus] = useState(status)
  const filtered = accountId !== "" || status !== ""
  const statusListId = useId()

  const apply = (nextAccount: string, nextStatus: string) => {
    const next = new URLSearchParams(params)
    if (nextAccount === "") next.delete("account")
    else next.set("account", nextAccount)
    if (nextStatus.trim() === "") next.delete("status")
    else next.set("status", nextStatus.trim())
    setParams(next, { replace: true })
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    apply(draftAccount, draftStatus)
  }

  const knownStatuses = [...new Set(["removed", ...(campaigns.data ?? []).map((c) => c.status)])].sort()

  return (
    <section aria-labelledby="campaigns-title" className="panel">
      <h2 id="campaigns-title">Campaigns</h2>
      <CampaignSync userId={userId} platform={platform} />
      <form onSubmit={onSubmit} noValidate className="filters" aria-label="Campaign filters">
        <Field label="Account" name="accountId">
          {(control) => (
            <select {...control} value={draftAccount} onChange={(e) => setDraftAccount(e.target.value)}>
              <option value="">All accounts</option>
              {(accounts.data ?? []).map((a) => <option key={a.accountId} value={a.accountId}>{a.accountId}</option>)}
              {accountId !== "" && !(accounts.data ?? []).some((a) => a.accountId === accountId)
                ? <option value={accountId}>{accountId}</option>
                : null}
            </select>
          )}
        </Field>
        <Field label="Campaign status" name="status" list={statusListId} value={draftStatus} placeholder="Any (or e.g. ENABLED, removed)"
          onChange={(e) => setDraftStatus(e.target.value)} />
        <datalist id={statusListId}>
          {knownStatuses.map((s) => <option key={s} value={s} />)}
        </datalist>
        <div className="button-row">
          <Button type="submit" variant="secondary">Apply filters</Button>
          {filtered ? (
            <Button variant="secondary" onClick={() => { setDraftAccount(""); setDraftStatus(""); apply("", "") }}>Clear filters</Button>
          ) : null}
        </div>
      </form>
      <QueryView
        query={campaigns}
        loadingLabel="Loading campaigns…"
        errorTitle="Could not load the campaigns"
        isEmpty={(list) => list.length === 0}
        empty={
          <Empty title={filtered ? "No campaigns match these filters" : "No campaigns yet"}>
            {filtered ? "Change or clear the filters." : "Connect an account and press “Sync campaigns”."}
          </Empty>
        }
      >
        {(list) => (
          <div className="table-scroll">
            <table className="data-table">
              <caption className="visually-hidden">Campaigns{filtered ? " (filtered)" : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Account</th>
                  <th scope="col">Status</th>
                  <th scope="col">Metrics</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => (
                  <tr key={`${c.accountId}/${c.campaignId}`}>
                    <th scope="row">{campaignName(c)}</th>
                    <td>{c.accountId}</td>
                    <td><span className={c.status === "removed" ? "badge badge-muted" : "badge"}>{c.status}</span></td>
                    <td>
                      {Object.keys(c.metrics).length === 0 ? "—" : (
                        <dl className="metrics">
                          {Object.entries(c.metrics).map(([k, v]) => (
                            <div key={k}><dt>{k}</dt><dd>{metricText(v)}</dd></div>
                          ))}
                        </dl>
                      )}
                    </td>
                    <td>{new Date(c.updatedAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  )
}
