/** /teams/invitations: every pending invitation of the caller, with Accept / Decline. */
import { Link } from "react-router"
import { Empty } from "../../ui/Empty"
import { ErrorState } from "../../ui/ErrorState"
import { Loading } from "../../ui/Loading"
import { usePageTitle } from "../../ui/usePageTitle"
import { PendingInvitationList } from "./PendingInvitations"
import { usePendingInvitations } from "./TeamQueries"

export const InvitationsPage = () => {
  usePageTitle("Invitations")
  const invitations = usePendingInvitations()
  return (
    <section aria-labelledby="invitations-title">
      <p><Link to="/teams">← All teams</Link></p>
      <h1 id="invitations-title">Invitations</h1>
      {invitations.isPending ? <Loading label="Loading your invitations…" /> : invitations.isError ? (
        <ErrorState error={invitations.error} title="Could not load your invitations" onRetry={() => void invitations.refetch()} />
      ) : (
        <>
          {invitations.data.length === 0 ? <Empty title="No pending invitations">
            <p>When a team owner or admin invites your email address, the invitation shows up here.</p>
          </Empty> : null}
          {/* Kept mounted when empty, so the outcome of the last answer stays visible. */}
          <PendingInvitationList invitations={invitations.data} />
        </>
      )}
    </section>
  )
}
