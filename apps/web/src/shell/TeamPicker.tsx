/**
 * The start page of a feature that works per team (/chat, /sensors): the user's teams as links to
 * `/{feature}/{teamId}`, with their role in each, or where to get a team when there is none.
 */
import { useId, type ReactNode } from "react"
import { Link } from "react-router"
import { Empty } from "../ui/Empty"
import { QueryView } from "../ui/QueryView"
import { usePageTitle } from "../ui/usePageTitle"
import { type FeatureKey, useMyTeams } from "./MyTeams"

export interface TeamPickerProps {
  /** The feature's name: the page's title and heading, e.g. "Sensors". */
  readonly title: string
  /** What the feature shows for the team picked. */
  readonly intro?: ReactNode
  /** The feature's route (a team's page is `/{feature}/{teamId}`) and its query-key prefix. */
  readonly feature: FeatureKey
  /** Ends "Create or join a team …" when the user has none, e.g. "to add sensors." */
  readonly purpose: string
}

export const TeamPicker = ({ title, intro, feature, purpose }: TeamPickerProps) => {
  usePageTitle(title)
  const titleId = useId()
  const listTitleId = useId()
  const teams = useMyTeams(feature)
  return (
    <section aria-labelledby={titleId}>
      <h1 id={titleId}>{title}</h1>
      {intro === undefined ? null : <p>{intro}</p>}
      <section aria-labelledby={listTitleId}>
        <h2 id={listTitleId}>Pick a team</h2>
        <QueryView
          query={teams}
          loadingLabel="Loading your teams…"
          errorTitle="Could not load your teams"
          isEmpty={(list) => list.length === 0}
          empty={<Empty title="You are not in a team yet"><p><Link to="/teams">Create or join a team</Link> {purpose}</p></Empty>}
        >
          {(list) => (
            <ul className="item-list" aria-labelledby={listTitleId}>
              {list.map((team) => (
                <li key={team.teamId} className="item">
                  <Link to={`/${feature}/${encodeURIComponent(team.teamId)}`}>{team.teamName}</Link>{" "}
                  <span className="item-meta">({team.role})</span>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </section>
    </section>
  )
}
