/**
 * /qr/approve?c=…&k=… — the URL in the QR code, opened on a phone where the user is logged in
 * (RequireSession sends anyone else to login and back here). Scanning it (`qr.scan`) shows where
 * the login request comes from — IP address, browser, time — so the user can tell it is their
 * own computer, then Approve logs that computer in as this user and Reject refuses it.
 */
import { useMutation, useQuery } from "@tanstack/react-query"
import { Link, useSearchParams } from "react-router"
import { useApiClient, useSession } from "../../session/SessionContext"
import { Button } from "../../ui/Button"
import { Loading } from "../../ui/Loading"
import { usePageTitle } from "../../ui/usePageTitle"
import "./QrLogin.css"
import { describeQrRefusal } from "./QrRefusal"
import { summarizeUserAgent } from "./UserAgentSummary"

type Decision = "approve" | "reject"

const QrRefusalNotice = ({ error }: { readonly error: unknown }) => {
  const refusal = describeQrRefusal(error)
  return (
    <div role="alert" className="state state-error">
      <p className="state-title">{refusal.title}</p>
      <p>{refusal.detail}</p>
      {refusal.fieldErrors.length === 0 ? null : (
        <ul>{refusal.fieldErrors.map((e, i) => <li key={i}>{`${e.path}: ${e.message}`}</li>)}</ul>
      )}
    </div>
  )
}

export const QrApprovePage = () => {
  usePageTitle("Approve login")
  const [params] = useSearchParams()
  const challengeId = params.get("c") ?? ""
  const scanKey = params.get("k") ?? ""
  const complete = challengeId !== "" && scanKey !== ""
  return (
    <section className="qr-approve" aria-labelledby="qr-approve-title">
      <h1 id="qr-approve-title">Approve login</h1>
      {complete ? (
        <QrDecision challengeId={challengeId} scanKey={scanKey} />
      ) : (
        <div role="alert" className="state state-error">
          <p className="state-title">This login link is incomplete</p>
          <p>Scan the QR code on the other device again.</p>
        </div>
      )}
    </section>
  )
}

const QrDecision = ({ challengeId, scanKey }: { readonly challengeId: string; readonly scanKey: string }) => {
  const api = useApiClient()
  const session = useSession()
  const body = { challengeId, scanKey }
  // Scanning is idempotent for the same user, so it is a query: one request however often the
  // page renders, never refetched on focus (the challenge moves on; the answer would not).
  const scan = useQuery({
    queryKey: ["qr", "scan", challengeId, scanKey],
    queryFn: () => api.call("qr.scan", { body }),
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false
  })
  const decision = useMutation({
    mutationFn: (choice: Decision) => api.call(choice === "approve" ? "qr.approve" : "qr.reject", { body })
  })

  if (scan.isPending) return <Loading label="Checking the login request…" />
  if (scan.isError) {
    return (
      <>
        <QrRefusalNotice error={scan.error} />
        <p>Start a new QR login on the other device and scan its code.</p>
      </>
    )
  }

  const { requester } = scan.data
  const agent = summarizeUserAgent(requester.userAgent)
  const requestedAt = new Date(requester.createdAt)
  const outcome = decision.data?.status

  return (
    <>
      <p>
        A device wants to log in to your account{session === undefined ? "" : ` (${session.email})`}. Approve only if you
        started this login yourself.
      </p>
      <dl className="facts" aria-label="Login request">
        <dt>Browser</dt>
        <dd>{agent.text}</dd>
        <dt>IP address</dt>
        <dd>{requester.ip === "" ? "Unknown" : requester.ip}</dd>
        <dt>Requested at</dt>
        <dd><time dateTime={requestedAt.toISOString()}>{requestedAt.toLocaleString()}</time></dd>
      </dl>
      <details>
        <summary>Full browser identification</summary>
        <code className="qr-user-agent">{requester.userAgent === "" ? "(none sent)" : requester.userAgent}</code>
      </details>
      <div role="status">
        {outcome === "approved" ? <p className="notice">Approved. The other device is now logged in as you.</p> : null}
        {outcome === "rejected" ? <p className="notice">Rejected. The other device was not logged in.</p> : null}
      </div>
      {decision.isError ? <QrRefusalNotice error={decision.error} /> : null}
      {outcome === undefined ? (
        <div className="qr-actions">
          <Button busy={decision.isPending && decision.variables === "approve"} busyLabel="Approving…"
            disabled={decision.isPending} onClick={() => decision.mutate("approve")}>
            Approve
          </Button>
          <Button variant="danger" busy={decision.isPending && decision.variables === "reject"} busyLabel="Rejecting…"
            disabled={decision.isPending} onClick={() => decision.mutate("reject")}>
            Reject
          </Button>
        </div>
      ) : (
        <p><Link to="/">Continue to the app</Link></p>
      )}
    </>
  )
}
